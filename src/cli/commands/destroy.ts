import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CommandContext } from '../context.js';
import { describeSessionId, parseSessionIdArgument } from '../session-id.js';
import { inspectOrFail } from './get.js';

/** The result of `dsm destroy`. */
export interface DestroyResult {
  readonly destroyed: true;
  /** A short prefix of the id, never the whole id. */
  readonly id: string;
  /** The tag the store's logs use for this session. */
  readonly logId: string;
  /** The table the session was found in. */
  readonly table: string;
}

/** `dsm destroy <id>`: destroys one session, as logging out does. */
export function createDestroyCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('destroy')
    .summary('destroy one session')
    .description(
      'Destroy one session in every table it may be in, as logging out does; a request that loaded it earlier cannot bring it back.',
    )
    .argument('<id>', 'the session id; a signed express-session cookie value (s:<id>.<signature>) works too')
    .addHelpText('after', '\nExit codes: 0 destroyed, 1 not found or DynamoDB failed, 2 usage error.')
    .action(async (rawId) => {
      const settings = ctx.settings();
      const id = parseSessionIdArgument(rawId);
      await ctx.checkReachable(settings);
      const store = ctx.openStore(settings, { createTables: false });
      try {
        const found = await inspectOrFail(store, id, settings, false);
        await store.destroy(id);
        const { prefix, logId } = describeSessionId(id);
        const result: DestroyResult = { destroyed: true, id: prefix, logId, table: found.table };
        ctx.print(settings, result, formatDestroy);
      } finally {
        await store.close();
      }
    });
}

/** The text of `dsm destroy`. Pure. */
export function formatDestroy(result: DestroyResult): string {
  return `Destroyed session ${result.id} (${result.logId}), found in ${result.table}.`;
}
