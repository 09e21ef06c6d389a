import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { KeyUsage } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { formatTable } from '../format.js';
import { ENCRYPTION_KEYS_ENV } from '../settings.js';

/** One key in `dsm keys`. */
export interface KeyRow {
  readonly id: string;
  /** Live sessions it protects. */
  readonly sessions: number;
  /** Whether it is among the keys given in `DSM_ENCRYPTION_KEYS`. */
  readonly given: boolean;
  /** Whether it encrypts new writes (the first key given). */
  readonly encrypts: boolean;
}

/** The result of `dsm keys`. */
export interface KeysResult {
  /** Keys seen on live sessions and keys given, the encrypting one first, then by sessions. */
  readonly keys: readonly KeyRow[];
  /** Live sessions stored in plaintext. */
  readonly plaintext: number;
  /** Sessions whose stored copy cannot be read at all. */
  readonly unreadable: number;
  /** Keys given that protect no live session: they can be removed from the application's keys. */
  readonly removable: readonly string[];
}

/** `dsm keys`: how many live sessions each encryption key protects. */
export function createKeysCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('keys')
    .summary('count live sessions by the encryption key that protects them')
    .description(
      'Count the live sessions by the key that protects them, to follow a key rotation: a key that protects no live session can be removed. ' +
        `Key ids are stored in clear, so no key is needed; with ${ENCRYPTION_KEYS_ENV} (the application's keys, JSON) it also tells which keys are given and which can go.`,
    )
    .addHelpText('after', '\nScans the live tables (current, previous): reads every item once. Never creates tables.\nExit codes: 0 done, 1 DynamoDB failed, 2 usage error.')
    .action(async () => {
      const settings = ctx.settings();
      await ctx.checkReachable(settings);
      const store = ctx.openStore(settings, { createTables: false });
      try {
        ctx.print(settings, toKeysResult(await store.keyUsage()), formatKeys);
      } finally {
        await store.close();
      }
    });
}

/** The result object of `dsm keys`. Pure. */
export function toKeysResult(usage: KeyUsage): KeysResult {
  const ids = new Set([...usage.keyIds, ...Object.keys(usage.byKey)]);
  const keys = [...ids]
    .map((id) => ({ id, sessions: usage.byKey[id] ?? 0, given: usage.keyIds.includes(id), encrypts: id === usage.writeKeyId }))
    .sort((a, b) => Number(b.encrypts) - Number(a.encrypts) || b.sessions - a.sessions || a.id.localeCompare(b.id));
  return {
    keys,
    plaintext: usage.plaintext,
    unreadable: usage.unreadable,
    removable: keys.filter((key) => key.given && !key.encrypts && key.sessions === 0).map((key) => key.id),
  };
}

/** The text of `dsm keys`. Pure. */
export function formatKeys(result: KeysResult): string {
  const rows = [
    ...result.keys.map((key) => ({
      key: key.id,
      sessions: String(key.sessions),
      note: key.encrypts ? 'encrypts new writes' : key.given ? '' : `not in ${ENCRYPTION_KEYS_ENV}`,
    })),
    { key: '(plaintext)', sessions: String(result.plaintext), note: '' },
    ...(result.unreadable === 0 ? [] : [{ key: '(unreadable)', sessions: String(result.unreadable), note: 'damaged items' }]),
  ];
  const table = formatTable(rows, [
    { header: 'Key', value: (row) => row.key },
    { header: 'Live sessions', value: (row) => row.sessions, right: true },
    { header: '', value: (row) => row.note },
  ]);
  const advice =
    result.removable.length === 0 ? [] : ['', `No live session is protected by ${result.removable.join(', ')}: it can be removed from the application's keys.`];
  return [table, ...advice].join('\n');
}
