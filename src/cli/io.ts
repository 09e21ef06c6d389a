import type { Clock } from '../clock.js';
import type { LocalDynamo, LocalDynamoOptions } from '../local/start-local-dynamo.js';

/**
 * Everything the CLI takes from its process, passed in so that `run()` works in-process in
 * tests. `main.ts` builds the real one; nothing else in `src/cli` touches `process`.
 */
export interface CliIo {
  /** Writes to standard output (results). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error (errors, hints, `--verbose` logs). */
  readonly stderr: (text: string) => void;
  /** Environment variables: the `DSM_*` settings. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves with the signal's name when the process is asked to stop (SIGINT, SIGTERM); `dsm local` waits on it. */
  readonly waitForStop: () => Promise<string>;
  /** Width of the terminal for help text, when standard output is one. */
  readonly columns?: number | undefined;
}

/** What tests may replace besides the I/O. */
export interface RunDependencies {
  /** The clock. @default Date.now */
  readonly now?: Clock;
  /** Starts the embedded server for `dsm local`. @default startLocalDynamo */
  readonly startLocal?: (options: LocalDynamoOptions) => Promise<LocalDynamo>;
}
