import type { Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { LocalDynamo, LocalDynamoOptions } from '../local/start-local-dynamo.js';
import { SessionStore } from '../store/index.js';
import { openAdmin, type AdminHandle } from './admin.js';
import { checkReachable } from './read-status.js';
import type { CliIo } from './io.js';
import { createStderrLogger, printResult } from './output.js';
import { storeOptionsFor, type CliSettings, type StoreOverrides } from './settings.js';

/** What every command factory receives: its dependencies, never `process`. */
export interface CommandContext {
  readonly io: CliIo;
  readonly now: Clock;
  /** The settings of this invocation (global flags over `DSM_*`), resolved when a command runs. */
  settings(): CliSettings;
  /** Prints a result: the object as JSON with `--json`, else `toText(result)`. */
  print<T>(settings: CliSettings, result: T, toText: (result: T) => string): void;
  /** The logger: stderr under `--verbose`, silent otherwise. */
  logger(settings: CliSettings): Logger;
  /**
   * Opens a store on the settings; the caller closes it. Only `dsm maintain` lets it create tables, only `dsm migrate` gives
   * `migrateFrom`, the user commands ask for `userIndex: true` (the others follow the settings).
   */
  openStore(settings: CliSettings, options: Pick<StoreOverrides, 'createTables' | 'migrateFrom' | 'serverless' | 'userIndex'>): SessionStore;
  /**
   * Fails within one call deadline when DynamoDB cannot be reached (one DescribeTable), so a
   * command does not wait for a store's maintenance round to time out table by table.
   */
  checkReachable(settings: CliSettings): Promise<void>;
  /** Opens a connection for ListTables and DescribeTable; the caller closes it. */
  openAdmin(settings: CliSettings): AdminHandle;
  /** Starts the embedded DynamoDB-compatible server. */
  startLocal(options: LocalDynamoOptions): Promise<LocalDynamo>;
}

/** Builds the context the commands share. */
export function createCommandContext(parts: {
  io: CliIo;
  now: Clock;
  settings: () => CliSettings;
  startLocal: (options: LocalDynamoOptions) => Promise<LocalDynamo>;
}): CommandContext {
  const logger = (settings: CliSettings): Logger => (settings.verbose ? createStderrLogger(parts.io.stderr) : silentLogger);
  return {
    io: parts.io,
    now: parts.now,
    settings: parts.settings,
    print: (settings, result, toText) => printResult(parts.io, settings.json, result, toText),
    logger,
    openStore: (settings, options) => new SessionStore(storeOptionsFor(settings, { ...options, now: parts.now, logger: logger(settings) })),
    openAdmin: (settings) => openAdmin(settings, logger(settings)),
    checkReachable: async (settings) => {
      const admin = openAdmin(settings, logger(settings));
      try {
        await checkReachable(admin.context, settings, parts.now());
      } finally {
        admin.close();
      }
    },
    startLocal: parts.startLocal,
  };
}
