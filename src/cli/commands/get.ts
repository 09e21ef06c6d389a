import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { SessionManagerError } from '../../errors.js';
import type { InspectedSession, SessionStore } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { formatBytes, formatFields, formatRelative, formatUtc } from '../format.js';
import { describeSessionId, parseSessionIdArgument } from '../session-id.js';
import { ENCRYPTION_KEYS_ENV, type CliSettings } from '../settings.js';

/** The result of `dsm get`. */
export interface GetResult {
  /** A short prefix of the id, never the whole id. */
  readonly id: string;
  /** The tag the store's logs use for this session (`id#` and 8 hex characters of its SHA-256). */
  readonly logId: string;
  /** The table the session was found in. */
  readonly table: string;
  /** The stored version; each write adds one. */
  readonly version: number;
  /** Last write, ISO 8601 UTC. */
  readonly lastAccessedAt: string;
  /** When it expires unless refreshed, ISO 8601 UTC. */
  readonly expiresAt: string;
  /** Size of the stored session data, bytes. */
  readonly dataBytes: number;
  /** The key that protects the stored data; absent when it is stored in plaintext. */
  readonly keyId?: string;
  /** Expired (still stored, never served). */
  readonly expired: boolean;
  /** Whether values under secret-looking keys are masked (no `--reveal`). */
  readonly masked: boolean;
  /** The decoded session. */
  readonly session: unknown;
}

/** `dsm get <id>`: one session, decoded, secrets masked. */
export function createGetCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('get')
    .summary('show one session, secrets masked')
    .description('Show one session, decoded, with values under secret-looking keys (password, token, secret, key, auth, card, ...) masked.')
    .argument('<id>', 'the session id; a signed express-session cookie value (s:<id>.<signature>) works too')
    .option('--reveal', 'show masked values as stored')
    .addHelpText(
      'after',
      `\nReads with GetItem (consistent) from the current table and the previous one. Never creates tables.\nAn encrypted session is decrypted with the keys in ${ENCRYPTION_KEYS_ENV} (JSON, as the application's encryption.keys).\nExit codes: 0 found, 1 not found, not decryptable or DynamoDB failed, 2 usage error.`,
    )
    .action(async (rawId, options) => {
      const settings = ctx.settings();
      const id = parseSessionIdArgument(rawId);
      await ctx.checkReachable(settings);
      const store = ctx.openStore(settings, { createTables: false });
      try {
        const found = await inspectOrFail(store, id, settings, options.reveal === true);
        ctx.print(settings, toGetResult(id, found, options.reveal !== true), (result) => formatGet(result, ctx.now()));
      } finally {
        await store.close();
      }
    });
}

/**
 * Inspects a session, failing when it is not stored.
 *
 * @throws {SessionManagerError} `cli.failed` when no session has this id; `backend.*` as the store does.
 */
export async function inspectOrFail(store: SessionStore, id: string, settings: CliSettings, reveal: boolean): Promise<InspectedSession> {
  const found = await store.inspect(id, { reveal });
  if (found !== null) return found;
  const { prefix, logId } = describeSessionId(id);
  throw new SessionManagerError('cli.failed', `No session ${prefix} (${logId}) in the ${settings.expiry} tables of ${settings.tableBaseName}.`, {
    details: {
      logId,
      hint: 'It never existed, was destroyed, or expired with its table. `dsm status` shows the tables; check --table-base-name and --expiry.',
    },
  });
}

/** The result object of `dsm get`. Pure. */
export function toGetResult(id: string, found: InspectedSession, masked: boolean): GetResult {
  const { prefix, logId } = describeSessionId(id);
  return {
    id: prefix,
    logId,
    table: found.table,
    version: found.version,
    lastAccessedAt: new Date(found.lastAccessedMs).toISOString(),
    expiresAt: new Date(found.expiresAtMs).toISOString(),
    dataBytes: found.dataBytes,
    ...(found.keyId === undefined ? {} : { keyId: found.keyId }),
    expired: found.expired,
    masked,
    session: found.session,
  };
}

/** The text of `dsm get`. Pure. */
export function formatGet(result: GetResult, nowMs: number): string {
  const fields = formatFields([
    ['Session', `${result.id} (${result.logId})${result.expired ? ', EXPIRED: stored but never served' : ''}`],
    ['Table', result.table],
    ['Version', String(result.version)],
    ['Last write', `${formatUtc(result.lastAccessedAt)}, ${formatRelative(Date.parse(result.lastAccessedAt), nowMs)}`],
    ['Expires', `${formatUtc(result.expiresAt)}, ${formatRelative(Date.parse(result.expiresAt), nowMs)}`],
    ['Data', `${formatBytes(result.dataBytes)}${result.keyId === undefined ? '' : `, encrypted under key ${result.keyId}`}`],
  ]);
  const note = result.masked ? 'Values under secret-looking keys are masked; --reveal shows them.' : 'Secret-looking values are shown (--reveal).';
  return [fields, '', JSON.stringify(result.session, null, 2), '', note].join('\n');
}
