import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { UserSession } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { formatRelative, formatTable, formatUtc } from '../format.js';
import { parseUserId } from '../parse-argument.js';
import { describeSessionId } from '../session-id.js';
import { SETTINGS } from '../settings.js';

/** One session in `dsm sessions --user`. */
export interface UserSessionRow {
  /** A short prefix of the id (`3f2a9c…`), or with `--reveal` the whole id. */
  readonly id: string;
  /** The tag the store's logs use for this session (`id#` and 8 hex characters of its SHA-256). */
  readonly logId: string;
  /** When the session was created, ISO 8601 UTC. */
  readonly createdAt: string;
  /** Its last write, ISO 8601 UTC. */
  readonly lastSeenAt: string;
  /** When it expires unless used again, ISO 8601 UTC. */
  readonly expiresAt: string;
  /** The device facts the application keeps (`deviceOf`, or the session's `device`); null when none. */
  readonly device: Readonly<Record<string, unknown>> | null;
}

/** The result of `dsm sessions --user`. */
export interface SessionsResult {
  /** The user id as given. */
  readonly user: string;
  /** The index holds an HMAC of user ids (`DSM_USER_ID_KEY`), not the ids themselves. */
  readonly hashed: boolean;
  /** Whether the ids are whole (`--reveal`). */
  readonly revealed: boolean;
  /** The user's live sessions, most recently seen first. */
  readonly sessions: readonly UserSessionRow[];
}

/** `dsm sessions --user <id>`: where a user is signed in. */
export function createSessionsCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('sessions')
    .summary("list a user's live sessions")
    .description(
      "List a user's live sessions (SessionStore.listUserSessions), most recently seen first: created, last seen, expires and the device " +
        'facts the application keeps. Session ids are shortened unless --reveal.',
    )
    .requiredOption('--user <id>', "the user id, as the application's userIdOf returns it", parseUserId)
    .option('--reveal', 'print whole session ids (they are credentials: whoever has one is signed in)')
    .addHelpText(
      'after',
      '\nQueries the user index (uid-index) of every table a live session may be in, then reads those sessions; never creates tables.\n' +
        `In hashed mode give the application's userIdKey in ${SETTINGS.userIdKey.env} (or --user-id-key). ` +
        'The index is eventually consistent: a session created a moment ago may be missing.\n' +
        'Needs Query on <table>/index/* (`dsm iam-policy --with-user-index`).\n' +
        'Exit codes: 0 listed (none is not an error), 1 DynamoDB failed or a table has no user index, 2 usage error.',
    )
    .action(async (options) => {
      const settings = ctx.settings();
      await ctx.checkReachable(settings);
      const store = ctx.openStore(settings, { createTables: false, userIndex: true });
      try {
        const sessions = await store.listUserSessions(options.user);
        const result = toSessionsResult(options.user, sessions, { reveal: options.reveal === true, hashed: settings.userIdKey !== undefined });
        ctx.print(settings, result, (r) => formatSessions(r, ctx.now()));
      } finally {
        await store.close();
      }
    });
}

/** The result object of `dsm sessions`. Pure. */
export function toSessionsResult(user: string, sessions: readonly UserSession[], options: { readonly reveal: boolean; readonly hashed: boolean }): SessionsResult {
  return {
    user,
    hashed: options.hashed,
    revealed: options.reveal,
    sessions: sessions.map((session) => {
      const { prefix, logId } = describeSessionId(session.id);
      return {
        id: options.reveal ? session.id : prefix,
        logId,
        createdAt: session.createdAt.toISOString(),
        lastSeenAt: session.lastSeenAt.toISOString(),
        expiresAt: session.expiresAt.toISOString(),
        device: session.device ?? null,
      };
    }),
  };
}

/** How much of a device's facts a line shows; `--json` has them all. */
export const DEVICE_TEXT_CHARS = 60;

/** A device's facts on one line: `userAgent=Mozilla/5.0 …, ip=203.0.113.7`, shortened to {@link DEVICE_TEXT_CHARS}. Pure. */
export function formatDevice(device: Readonly<Record<string, unknown>> | null): string {
  if (device === null) return '-';
  const text = Object.entries(device)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ')
    // Control characters in stored facts (a hostile user agent) must not reach the terminal.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  if (text === '') return '-';
  return text.length > DEVICE_TEXT_CHARS ? `${text.slice(0, DEVICE_TEXT_CHARS - 1)}…` : text;
}

/** The text of `dsm sessions`. Pure. */
export function formatSessions(result: SessionsResult, nowMs: number): string {
  const count = result.sessions.length;
  const head = `${count === 0 ? 'No live session' : `${count} live session${count === 1 ? '' : 's'}`} for this user${result.hashed ? ' (hashed index)' : ''}.`;
  if (count === 0) return head;
  const table = formatTable(result.sessions, [
    { header: 'SESSION', value: (row) => (result.revealed ? row.id : `${row.id} (${row.logId})`) },
    { header: 'CREATED', value: (row) => formatUtc(row.createdAt) },
    { header: 'LAST SEEN', value: (row) => formatRelative(Date.parse(row.lastSeenAt), nowMs) },
    { header: 'EXPIRES', value: (row) => formatRelative(Date.parse(row.expiresAt), nowMs) },
    { header: 'DEVICE', value: (row) => formatDevice(row.device) },
  ]);
  const note = result.revealed ? 'Whole session ids are shown (--reveal): each one signs its holder in.' : 'Session ids are shortened; --reveal prints them whole.';
  return [head, '', table, '', note].join('\n');
}
