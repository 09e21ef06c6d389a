import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CommandContext } from '../context.js';
import { buildIamPolicy, IAM_POLICY_ROLES, type IamPolicyDocument } from '../iam-policy.js';

/** `dsm iam-policy`: the least-privilege IAM policy for the configured tables and mode. No DynamoDB call. */
export function createIamPolicyCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('iam-policy')
    .summary('print the least-privilege IAM policy')
    .description(
      'Print the least-privilege IAM policy (JSON) the store needs for the configured table base name and expiry mode: ' +
        'exactly the DynamoDB actions it calls, on its own tables only. The region in the ARNs is --region, else *. ' +
        'In serverless mode the request path and the maintainer get separate policies: --role request (item actions only) for the ' +
        'functions serving requests, --role maintainer (table actions only) for the scheduled maintenance handler or `dsm maintain`.',
    )
    .addOption(
      new Option('--role <role>', 'whose policy: all (a store that maintains its own tables: containers, EC2), request (serverless request path), maintainer (scheduled maintenance)')
        .choices(IAM_POLICY_ROLES)
        .default('all' as const),
    )
    .option('--account <id>', '12-digit AWS account id in the ARNs', '*')
    .option('--partition <name>', 'ARN partition: aws, aws-cn, aws-us-gov', 'aws')
    .option('--with-scan', 'also grant Scan, used only by all(), length() and clear() (express-session\'s optional methods)')
    .option('--no-create', 'for a store with createTables: false: no CreateTable, DeleteTable, UpdateTimeToLive, UpdateTable')
    .option('--with-user-index', 'the store keeps the user index (userIdOf): Query on the tables\' /index/*, and UpdateTable where tables may change (dsm add-user-index); on with --user-index / DSM_USER_INDEX=1')
    .addHelpText(
      'after',
      '\nRotation: item actions + DescribeTable, CreateTable, DeleteTable on table/<base>_????????_?????? (IAM\'s ? is one character,\n' +
        'so no other table starting with <base>_ is covered) and ListTables on * (it has no resource-level permissions).\n' +
        'ttl: item actions + DescribeTable, DescribeTimeToLive, CreateTable, UpdateTimeToLive on table/<base>.\n' +
        'The policy is for the application; `dsm status` also needs ListTables, `dsm maintain` what a creating store needs.\n' +
        '--role request keeps only the item statement, --role maintainer only the table statements (and ListTables, which rotation needs with --no-create too).\n' +
        '--with-user-index: Query on <table>/index/* for the roles serving requests (listUserSessions, signOutOtherDevices), UpdateTable for\n' +
        'the roles that may change tables (the maintainer and all, unless --no-create).\n' +
        'Exit codes: 0 printed, 2 usage error.',
    )
    .action((options) => {
      const settings = ctx.settings();
      const policy = buildIamPolicy({
        role: options.role,
        tableBaseName: settings.tableBaseName,
        expiry: settings.expiry,
        region: settings.region ?? '*',
        account: options.account,
        partition: options.partition,
        createTables: options.create,
        withScan: options.withScan === true,
        withUserIndex: options.withUserIndex === true || settings.userIndex,
      });
      ctx.print(settings, policy, formatPolicy);
    });
}

/** The text of `dsm iam-policy`: the policy document itself, so `dsm iam-policy > policy.json` works. */
export function formatPolicy(policy: IamPolicyDocument): string {
  return JSON.stringify(policy, null, 2);
}
