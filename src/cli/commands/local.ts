import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { SessionManagerError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { parsePort } from '../parse-argument.js';

/** Port `dsm local` listens on by default: DynamoDB Local's. */
export const DEFAULT_LOCAL_PORT = 8000;

/** What `dsm local` prints once the server answers. */
export interface LocalStarted {
  readonly endpoint: string;
  readonly port: number;
  /** The server's process id. */
  readonly pid: number;
  /** Where data is kept, or null when in memory. */
  readonly dataDir: string | null;
}

/** `dsm local`: the embedded DynamoDB-compatible server (dynalite) in the foreground. */
export function createLocalCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('local')
    .summary('run an embedded DynamoDB-compatible server in the foreground')
    .description(
      'Run an embedded DynamoDB-compatible server (dynalite) on 127.0.0.1 in the foreground, print its endpoint, ' +
        'and stop it cleanly on Ctrl-C (SIGINT) or SIGTERM. Needs the optional peer dependency dynalite.',
    )
    .option('--port <n>', `TCP port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT_LOCAL_PORT})`, parsePort)
    .option('--data <dir>', 'keep tables in this directory across restarts (default: in memory)')
    .addHelpText('after', '\nThen, in another shell: DSM_ENDPOINT=http://127.0.0.1:8000 dsm maintain\nExit codes: 0 stopped by a signal, 1 the server failed to start or died, 2 usage error.')
    .action(async (options) => {
      const settings = ctx.settings();
      const port = options.port ?? DEFAULT_LOCAL_PORT;
      const local = await ctx.startLocal({
        ...(port === 0 ? {} : { port }),
        ...(options.data === undefined ? {} : { dataDir: options.data }),
        verbose: settings.verbose,
      });
      const started: LocalStarted = { endpoint: local.endpoint, port: local.port, pid: local.pid, dataDir: options.data ?? null };
      // Listen for Ctrl-C and SIGTERM before saying how to stop: a signal sent as soon as the
      // message appears must stop the server too, not kill this process and orphan it.
      const stopRequested = ctx.io.waitForStop().then((signal) => ({ kind: 'signal' as const, signal }));
      ctx.print(settings, started, formatLocalStarted);
      const outcome = await Promise.race([stopRequested, local.exited.then((code) => ({ kind: 'exited' as const, code }))]);
      await local.stop();
      // A server killed by a signal was stopped along with us (Ctrl-C reaches the whole process group).
      if (outcome.kind === 'exited' && outcome.code !== null) {
        throw new SessionManagerError('cli.failed', `The local server exited on its own with code ${outcome.code}.`, {
          details: { code: outcome.code, hint: 'Run with --verbose to see its output.' },
        });
      }
      if (!settings.json) ctx.io.stdout(`Stopped${outcome.kind === 'signal' ? ` (${outcome.signal})` : ''}.\n`);
    });
}

/** The text `dsm local` prints once the server answers. Pure. */
export function formatLocalStarted(started: LocalStarted): string {
  return [
    `DynamoDB-compatible server (dynalite) listening at ${started.endpoint}`,
    `Data: ${started.dataDir === null ? 'in memory, gone when it stops' : started.dataDir}`,
    `Use it: export DSM_ENDPOINT=${started.endpoint}  (or dynamoEndpoint: '${started.endpoint}' in the store's options)`,
    'Stop with Ctrl-C.',
  ].join('\n');
}
