import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CommandContext } from '../context.js';
import { parseUserId } from '../parse-argument.js';
import { describeSessionId, parseSessionIdArgument } from '../session-id.js';
import { SETTINGS } from '../settings.js';

/** The result of `dsm revoke --user`. */
export interface RevokeResult {
  /** The user id as given. */
  readonly user: string;
  /** How many of the user's sessions the revoke ended. */
  readonly revoked: number;
  /** The session kept (`--except`), named by a short prefix and its log tag; null when none was kept. */
  readonly kept: { readonly id: string; readonly logId: string } | null;
}

/** `dsm revoke --user <id> [--except <session id>]`: signs a user out everywhere. */
export function createRevokeCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('revoke')
    .summary("end a user's sessions (sign out everywhere)")
    .description(
      "End every live session of a user (SessionStore.revokeUserSessions), as logging out does on each device: a request of one of them " +
        'already in flight cannot bring it back. --except keeps one session, for "sign out other devices".',
    )
    .requiredOption('--user <id>', "the user id, as the application's userIdOf returns it", parseUserId)
    .option('--except <session id>', 'keep this session; a signed express-session cookie value (s:<id>.<signature>) works too', (raw: string) => parseSessionIdArgument(raw))
    .addHelpText(
      'after',
      '\nQueries the user index of every table a live session may be in, ends each session found, and records the revocation time so that a\n' +
        'session the index had not listed yet is refused at its next load; then queries again (the index lags).\n' +
        `In hashed mode give the application's userIdKey in ${SETTINGS.userIdKey.env} (or --user-id-key).\n` +
        'Needs Query on <table>/index/* and the item actions (`dsm iam-policy --with-user-index`).\n' +
        'Exit codes: 0 done (ending none is not an error), 1 DynamoDB failed or a table has no user index, 2 usage error.',
    )
    .action(async (options) => {
      const settings = ctx.settings();
      await ctx.checkReachable(settings);
      const store = ctx.openStore(settings, { createTables: false, userIndex: true });
      try {
        const revoked = await store.revokeUserSessions(options.user, options.except === undefined ? {} : { except: options.except });
        ctx.print(settings, toRevokeResult(options.user, revoked, options.except), formatRevoke);
      } finally {
        await store.close();
      }
    });
}

/** The result object of `dsm revoke`. Pure. */
export function toRevokeResult(user: string, revoked: number, except: string | undefined): RevokeResult {
  if (except === undefined) return { user, revoked, kept: null };
  const { prefix, logId } = describeSessionId(except);
  return { user, revoked, kept: { id: prefix, logId } };
}

/** The text of `dsm revoke`. Pure. */
export function formatRevoke(result: RevokeResult): string {
  const ended = `Ended ${result.revoked} session${result.revoked === 1 ? '' : 's'} of this user`;
  return result.kept === null ? `${ended}.` : `${ended}; kept ${result.kept.id} (${result.kept.logId}).`;
}
