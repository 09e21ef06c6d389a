import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CommandContext } from '../context.js';
import { formatTable } from '../format.js';

/** One table in `dsm add-user-index`. */
export interface UserIndexRow {
  readonly table: string;
  /** `added`: this run asked DynamoDB to build the index; `present`: the table had it already. */
  readonly status: 'added' | 'present';
}

/** The result of `dsm add-user-index`. */
export interface AddUserIndexResult {
  readonly tables: readonly UserIndexRow[];
}

/** `dsm add-user-index`: adds the user index to tables made without it (UpdateTable). */
export function createAddUserIndexCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('add-user-index')
    .summary('add the user index to existing tables')
    .description(
      'Add the user index (uid-index: keys only, on the uid attribute) to the session tables that lack it (SessionStore.addUserIndex), ' +
        'so that a store with userIdOf passes ready() on tables made before it had the option. Tables that have the index are left alone; ' +
        'running it again is harmless. Sessions saved before the index existed are listed once they are saved again.',
    )
    .addHelpText(
      'after',
      '\nUpdateTable on each table a live session may be in; DynamoDB builds the index in the background (backfilling the items that have a uid).\n' +
        'Tables created afterwards get the index with the table: run `dsm maintain` with --user-index (DSM_USER_INDEX=1), as the application does with userIdOf.\n' +
        'Needs UpdateTable and DescribeTable (`dsm iam-policy --with-user-index`).\n' +
        'Exit codes: 0 done, 1 DynamoDB failed or a table is missing, 2 usage error.',
    )
    .action(async () => {
      const settings = ctx.settings();
      await ctx.checkReachable(settings);
      // Serverless, as `dsm maintain`: no lease read, so the maintainer's policy (`--role maintainer --with-user-index`) covers it.
      const store = ctx.openStore(settings, { createTables: false, userIndex: true, serverless: true });
      try {
        const tables = await store.addUserIndex();
        const result: AddUserIndexResult = { tables: tables.map(({ table, status }) => ({ table, status })) };
        ctx.print(settings, result, formatAddUserIndex);
      } finally {
        await store.close();
      }
    });
}

/** The text of `dsm add-user-index`. Pure. */
export function formatAddUserIndex(result: AddUserIndexResult): string {
  if (result.tables.length === 0) return 'No session table exists yet: `dsm maintain --user-index` creates them with the index.';
  const added = result.tables.filter((row) => row.status === 'added').length;
  const table = formatTable(result.tables, [
    { header: 'TABLE', value: (row) => row.table },
    { header: 'USER INDEX', value: (row) => (row.status === 'added' ? 'added (building)' : 'present') },
  ]);
  const summary = added === 0 ? 'Every table has the user index.' : `Asked DynamoDB to build the index on ${added} table${added === 1 ? '' : 's'}; it fills in the background (sessions with a user), and listing works once it is ACTIVE.`;
  return [table, '', summary].join('\n');
}
