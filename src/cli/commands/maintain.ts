import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CommandContext } from '../context.js';
import { readStatus } from '../read-status.js';
import { diffTables, type StatusReport } from '../status-model.js';
import { formatStatus } from './status.js';

/** The result of `dsm maintain`: the status after the round, and what the round changed. */
export interface MaintainResult extends StatusReport {
  /** Tables that exist after the round and did not before. */
  readonly created: readonly string[];
  /** Tables that existed before the round and are now being deleted or gone. */
  readonly deleted: readonly string[];
}

/** `dsm maintain`: one maintenance round now, as a running store does it on its timer. */
export function createMaintainCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('maintain')
    .summary('run one table maintenance round now, then show the tables')
    .description(
      'Run one table maintenance round now (SessionStore.maintain): create the current period\'s table (and the next one when ' +
        'its period is near), delete tables older than the previous period; in ttl mode create the table and turn TTL on. ' +
        'Then report the tables as `dsm status` does, with what the round created and deleted.',
    )
    .addHelpText(
      'after',
      '\nNeeds CreateTable, DeleteTable and ListTables (`dsm iam-policy` prints the policy).\n' +
        'When the application keeps the user index (userIdOf), give --user-index (DSM_USER_INDEX=1): the tables are then created with it,\n' +
        'and the round checks that the tables in use have it (`dsm add-user-index` adds it to older ones).\n' +
        'Exit codes: 0 done, 1 DynamoDB failed, 2 usage error.',
    )
    .action(async () => {
      const settings = ctx.settings();
      const admin = ctx.openAdmin(settings);
      try {
        const before = await readStatus(admin.context, settings, ctx.now());
        const store = ctx.openStore(settings, { createTables: true, serverless: true });
        try {
          await store.maintain();
        } finally {
          await store.close();
        }
        const after = await readStatus(admin.context, settings, ctx.now());
        const result: MaintainResult = { ...after, ...diffTables(before, after) };
        ctx.print(settings, result, formatMaintain);
      } finally {
        admin.close();
      }
    });
}

/** The text of `dsm maintain`. Pure. */
export function formatMaintain(result: MaintainResult): string {
  const list = (names: readonly string[]): string => (names.length === 0 ? 'none' : names.join(', '));
  return [`Maintenance round done. Created: ${list(result.created)}. Deleted: ${list(result.deleted)}.`, '', formatStatus(result)].join('\n');
}
