import { Command, CommanderError, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { systemClock } from '../clock.js';
import { DEFAULTS, EXPIRY_MODES } from '../config/defaults.js';
import { startLocalDynamo } from '../local/start-local-dynamo.js';
import { createCostCommand } from './commands/cost.js';
import { createDestroyCommand } from './commands/destroy.js';
import { createGetCommand } from './commands/get.js';
import { createIamPolicyCommand } from './commands/iam-policy.js';
import { createKeysCommand } from './commands/keys.js';
import { createLocalCommand } from './commands/local.js';
import { createMaintainCommand } from './commands/maintain.js';
import { createMigrateCommand } from './commands/migrate.js';
import { createStatusCommand } from './commands/status.js';
import { createAddUserIndexCommand } from './commands/add-user-index.js';
import { createRevokeCommand } from './commands/revoke.js';
import { createSessionsCommand } from './commands/sessions.js';
import { createCommandContext } from './context.js';
import type { CliIo, RunDependencies } from './io.js';
import { EXIT_CODE, describeError, type ErrorContext } from './report-error.js';
import { ENCRYPTION_KEYS_ENV, resolveSettings, SETTINGS, type CliSettings } from './settings.js';
import packageJson from '../../package.json' with { type: 'json' };

export type { CliIo, RunDependencies } from './io.js';

const ENV_HELP = `
Environment (a flag wins over its variable; an empty variable counts as unset):
  ${SETTINGS.endpoint.env}, ${SETTINGS.region.env}, ${SETTINGS.tableBaseName.env}, ${SETTINGS.expiry.env},
  ${SETTINGS.rotationSeconds.env}, ${SETTINGS.maxInactiveSeconds.env}, ${SETTINGS.longestLifetimeSeconds.env}
  ${SETTINGS.userIndex.env}, ${SETTINGS.userIdKey.env}
  ${ENCRYPTION_KEYS_ENV}: the application's encryption keys, a JSON array of {"id","key"} (dsm get, dsm keys)

Exit codes: 0 success, 1 the operation failed, 2 usage error.
Errors print one line \`code: message\` on stderr (and a hint line when one helps); --verbose adds the stack.

Examples:
  dsm local --port 8000
  DSM_ENDPOINT=8000 dsm maintain
  dsm status --endpoint 8000 --json
  dsm migrate --from connect-dynamodb --table sessions --dry-run
  dsm cost --rps 200 --session-size 2
  DSM_USER_INDEX=1 dsm maintain
  dsm sessions --user ada@example.com
  dsm revoke --user ada@example.com
  dsm iam-policy --region eu-west-1 --account 123456789012 > policy.json`;

/**
 * Runs the `dsm` command line in-process: parses `argv` (without `node` and the script), runs the
 * command, prints through `io`, and resolves with the exit code (0 success, 1 a failed
 * operation, 2 a usage error). Never touches `process` and never throws.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const code = await run(['cost', '--rps', '100', '--session-size', '2', '--json'], {
 *   stdout: (t) => out.push(t), stderr: () => undefined, env: {}, waitForStop: () => new Promise(() => undefined),
 * });
 * ```
 */
export async function run(argv: readonly string[], io: CliIo, deps: RunDependencies = {}): Promise<number> {
  let settings: CliSettings | undefined;
  let commandPath = 'dsm';
  const program = new Command('dsm')
    .description('Operate dynamo-session-manager: web sessions in DynamoDB with expiry by table rotation or native TTL.')
    .version(packageJson.version, '-V, --version', 'print the version of dynamo-session-manager')
    .addOption(new Option('--endpoint <url>', `DynamoDB endpoint URL; a bare port means http://127.0.0.1:<port>, localhost means 127.0.0.1 (env ${SETTINGS.endpoint.env}; default: AWS)`))
    .addOption(new Option('--region <name>', `AWS region (env ${SETTINGS.region.env}; default: the SDK's chain, us-east-1 with --endpoint)`))
    .addOption(new Option('--table-base-name <name>', `table name prefix (env ${SETTINGS.tableBaseName.env}; default: ${DEFAULTS.tableBaseName})`))
    .addOption(new Option('--expiry <mode>', `expiry mode (env ${SETTINGS.expiry.env}; default: ${DEFAULTS.expiry}, rotation with --rotation-seconds)`).choices(EXPIRY_MODES))
    .addOption(new Option('--rotation-seconds <s>', `rotation period in seconds (env ${SETTINGS.rotationSeconds.env}; default: the larger of --max-inactive and --longest-lifetime / 30)`))
    .addOption(new Option('--max-inactive <s>', `idle timeout of browser-session cookies in seconds (env ${SETTINGS.maxInactiveSeconds.env}; default: ${DEFAULTS.maxInactiveIntervalSeconds})`))
    .addOption(new Option('--longest-lifetime <s>', `longest session lifetime after its last write, in seconds; rotation keeps tables this long (env ${SETTINGS.longestLifetimeSeconds.env}; default: 30 days with rotation)`))
    .addOption(new Option('--user-index', `the application keeps the user index (userIdOf): dsm maintain creates tables with it (env ${SETTINGS.userIndex.env}=1; default: off)`))
    .addOption(new Option('--user-id-key <key>', `the application's userIdKey, for the user index in hashed mode; prefer env ${SETTINGS.userIdKey.env} (a command line shows in process lists); never printed`))
    .option('--json', 'print the result object as JSON on stdout, nothing else')
    .option('--verbose', "log the store's work to stderr and print stacks with errors")
    .helpCommand(true)
    .showSuggestionAfterError(true)
    .addHelpText('after', ENV_HELP);

  const ctx = createCommandContext({
    io,
    now: deps.now ?? systemClock,
    settings: () => (settings ??= resolveSettings(program.opts(), io.env)),
    startLocal: deps.startLocal ?? startLocalDynamo,
  });
  for (const command of [
    createLocalCommand(ctx),
    createStatusCommand(ctx),
    createMaintainCommand(ctx),
    createGetCommand(ctx),
    createDestroyCommand(ctx),
    createSessionsCommand(ctx),
    createRevokeCommand(ctx),
    createAddUserIndexCommand(ctx),
    createMigrateCommand(ctx),
    createKeysCommand(ctx),
    createCostCommand(ctx),
    createIamPolicyCommand(ctx),
  ]) {
    program.addCommand(command);
  }

  let usageMessage: string | undefined;
  const configure = (command: CommandUnknownOpts): void => {
    command
      .exitOverride()
      .configureOutput({
        writeOut: io.stdout,
        writeErr: io.stderr,
        // Commander's own error text is replaced by our `cli.usage: ...` line.
        outputError: (text) => {
          usageMessage = text;
        },
        getOutHelpWidth: () => io.columns ?? 100,
        getErrHelpWidth: () => io.columns ?? 100,
        getOutHasColors: () => false,
        getErrHasColors: () => false,
      })
      .configureHelp({ showGlobalOptions: true, sortSubcommands: false });
  };
  configure(program);
  for (const command of program.commands) configure(command);
  program.hook('preAction', (_program, action) => {
    commandPath = `dsm ${action.name()}`;
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODE.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      const names = program.commands.map((command) => command.name());
      return reportCommanderError(error, usageMessage, io, argv.find((arg) => names.includes(arg)));
    }
    const context: ErrorContext = {
      command: commandPath,
      verbose: settings?.verbose ?? argv.includes('--verbose'),
      ...(settings === undefined ? {} : { endpoint: settings.endpoint, tableBaseName: settings.tableBaseName, expiry: settings.expiry }),
    };
    const report = describeError(error, context);
    io.stderr(`${report.lines.join('\n')}\n`);
    return report.exitCode;
  }
}

function reportCommanderError(error: CommanderError, text: string | undefined, io: CliIo, command: string | undefined): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_CODE.ok;
  if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT_CODE.ok : EXIT_CODE.usage; // `dsm` alone: help on stderr
  const [first = error.message, ...rest] = (text ?? error.message).trim().split('\n');
  const message = first.replace(/^error:\s*/, '');
  const suggestion = rest.join(' ').replace(/^\((.*)\)$/, '$1').trim();
  const helpFor = command === undefined || error.code === 'commander.unknownCommand' ? 'dsm --help' : `dsm ${command} --help`;
  io.stderr(`cli.usage: ${message}\nhint: ${suggestion === '' ? '' : `${suggestion} `}Run \`${helpFor}\` for the usage.\n`);
  return EXIT_CODE.usage;
}
