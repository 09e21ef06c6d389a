import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The package root: the CLI runs from here, as `npx dsm` would in a checkout. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How one run of `dsm` ended. */
export interface CliResult {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, milliseconds. */
  readonly durationMs: number;
  /** The helper killed it after `timeoutMs`. */
  readonly timedOut: boolean;
}

/** Options of {@link runCli} and {@link spawnCli}. */
export interface CliOptions {
  /** `DSM_*` and other variables for the child, on top of this process's environment without its `DSM_*`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the child (SIGKILL) after this long, in milliseconds. @default 20000 */
  readonly timeoutMs?: number;
}

/** A `dsm` child process that is still running (`dsm local`). */
export interface RunningCli {
  readonly child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once it matches `pattern`; rejects after `timeoutMs` or when the child exits first. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the child exits. */
  readonly done: Promise<CliResult>;
}

/**
 * The environment of a `dsm` child: this process's, without any `DSM_*` a developer may have
 * set (tests pass their own) and without the SDK's warning switch (the CLI sets it itself).
 */
function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('DSM_') && key !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED') env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/**
 * Starts `dsm <args>` as a child process, from the sources: `node --import tsx src/cli/main.ts`.
 * The child is killed with SIGKILL after `timeoutMs`.
 */
export function spawnCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let timedOut = false;
  let closed = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 20_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      closed = true;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: performance.now() - started, timedOut });
    });
  });
  // Checked on every chunk of output and when the process ends: no polling.
  const waitForStdout = (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const stop = (): void => {
        clearTimeout(deadline);
        child.stdout?.off('data', check);
        child.off('close', onClose);
      };
      const check = (): boolean => {
        const match = stdout.match(pattern);
        if (match === null) return false;
        stop();
        resolve(match);
        return true;
      };
      const onClose = (): void => {
        if (check()) return;
        stop();
        reject(new Error(`dsm exited before printing ${pattern}; stdout: ${stdout}; stderr: ${stderr}`));
      };
      const deadline = setTimeout(() => {
        stop();
        reject(new Error(`dsm printed no ${pattern} in ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
      }, timeoutMs);
      if (check()) return;
      if (closed) return onClose();
      // Added after the listener that appends to `stdout`, so each check sees the new chunk.
      child.stdout?.on('data', check);
      child.once('close', onClose);
    });
  return { child, stdout: () => stdout, stderr: () => stderr, waitForStdout, done };
}

/** Runs `dsm <args>` to completion as a child process; see {@link spawnCli}. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return await spawnCli(args, options).done;
}
