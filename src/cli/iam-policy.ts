import type { ExpiryMode } from '../config/options.js';
import { SessionManagerError } from '../errors.js';

/**
 * Whose policy: `request` for the processes that serve requests in serverless mode (item actions
 * only), `maintainer` for the one that maintains the tables (the scheduled Lambda handler, `dsm
 * maintain` from cron: control-plane actions only), `all` for a store that does both (a container
 * or EC2 fleet, where whichever process holds the maintainer lease maintains).
 */
export const IAM_POLICY_ROLES = ['all', 'request', 'maintainer'] as const;
/** One of {@link IAM_POLICY_ROLES}. */
export type IamPolicyRole = (typeof IAM_POLICY_ROLES)[number];

/** What the policy is for. */
export interface IamPolicyInput {
  /** Whose policy; see {@link IAM_POLICY_ROLES}. */
  readonly role: IamPolicyRole;
  readonly tableBaseName: string;
  readonly expiry: ExpiryMode;
  /** AWS region of the tables, or `*`. */
  readonly region: string;
  /** 12-digit AWS account id, or `*`. */
  readonly account: string;
  /** ARN partition: `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
  /** Whether the store creates (and, in rotation mode, deletes) its tables: `createTables`. */
  readonly createTables: boolean;
  /** Grant Scan, which only `all()`, `length()` and `clear()` use (express-session's optional methods). */
  readonly withScan: boolean;
  /**
   * The store keeps the user index (`userIdOf` / `userIndex`): grant Query on the tables' indexes
   * (listing and revoking a user's sessions) and, where the role may change tables, UpdateTable
   * (`dsm add-user-index` adds the index to a table made without it).
   */
  readonly withUserIndex: boolean;
}

/** One statement of an IAM policy. */
export interface IamStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: string;
}

/** An IAM policy document, as `aws iam create-policy --policy-document` takes it. */
export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamStatement[];
}

/**
 * Rotated table names are `<base>_<yyyyMMdd_HHmmss>`. IAM's `?` matches exactly one character,
 * so this pattern covers those names and no other table that merely starts with `<base>_`
 * (`sessions_backup`): the policy grants DeleteTable, so the pattern is kept tight.
 */
export const ROTATED_TABLE_SUFFIX = '_????????_??????';

/**
 * The indexes of a table, in IAM: `table/<name>/index/<index name>`. Query on the user index
 * needs this resource; `*` rather than the index's name keeps the policy valid whatever indexes
 * the tables gain, and still only under the session tables.
 */
export const USER_INDEX_RESOURCE_SUFFIX = '/index/*';

const ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/**
 * The least-privilege IAM policy for a store with these settings: exactly the DynamoDB actions
 * the store calls, on its own tables only. The `request` role gets the item statement alone, the
 * `maintainer` role the table statements alone, `all` both.
 *
 * - rotation: item actions, DescribeTable, and (with `createTables`) CreateTable and DeleteTable on
 *   `table/<base>_????????_??????`, plus ListTables on `*` (ListTables has no resource-level
 *   permissions; the store lists its tables to find those kept for the longest lifetime, which
 *   loads read, and, with `createTables`, the expired ones to delete: so with or without it);
 * - ttl: item actions, DescribeTable and DescribeTimeToLive, and (with `createTables`) CreateTable
 *   and UpdateTimeToLive on `table/<base>`; the single table is never deleted;
 * - with `withUserIndex`: Query on the same tables' `/index/*` for the roles that serve requests
 *   (a request lists or signs out a user's other sessions), and UpdateTable on the tables for the
 *   roles that may change them (`createTables`, not `request`), which `dsm add-user-index` calls.
 *
 * @throws {SessionManagerError} `cli.usage` for a malformed account, region or partition.
 */
export function buildIamPolicy(input: IamPolicyInput): IamPolicyDocument {
  if (input.account !== '*' && !/^\d{12}$/.test(input.account)) {
    throw usage(`--account must be a 12-digit AWS account id or *; got ${JSON.stringify(input.account)}.`);
  }
  if (input.region !== '*' && !/^[a-z0-9-]+$/.test(input.region)) {
    throw usage(`--region must be an AWS region name such as us-east-1, or *; got ${JSON.stringify(input.region)}.`);
  }
  if (!/^aws(-[a-z]+)*$/.test(input.partition)) {
    throw usage(`--partition must be an ARN partition such as aws, aws-cn or aws-us-gov; got ${JSON.stringify(input.partition)}.`);
  }
  const tables = `arn:${input.partition}:dynamodb:${input.region}:${input.account}:table/`;
  const itemActions = [...ITEM_ACTIONS, ...(input.withScan ? ['dynamodb:Scan'] : [])];
  const allow = (Sid: string, Action: readonly string[], Resource: string): IamStatement => ({ Sid, Effect: 'Allow', Action, Resource });
  const serves = input.role !== 'maintainer';
  const maintains = input.role !== 'request';
  // UpdateTable adds the user index to a table made without it (`dsm add-user-index`): only where tables may change.
  const updatesTables = input.withUserIndex && input.createTables ? ['dynamodb:UpdateTable'] : [];
  const statements: IamStatement[] = [];
  const serveStatements = (resource: string): void => {
    statements.push(allow('SessionItems', itemActions, resource));
    // The index has an ARN of its own under its table's: Query on the table alone would not reach it.
    if (input.withUserIndex) statements.push(allow('SessionUserIndex', ['dynamodb:Query'], `${resource}${USER_INDEX_RESOURCE_SUFFIX}`));
  };
  if (input.expiry === 'ttl') {
    const resource = `${tables}${input.tableBaseName}`;
    if (serves) serveStatements(resource);
    if (maintains) {
      const tableActions = ['dynamodb:DescribeTable', 'dynamodb:DescribeTimeToLive', ...(input.createTables ? ['dynamodb:CreateTable', 'dynamodb:UpdateTimeToLive'] : []), ...updatesTables];
      statements.push(allow('SessionTable', tableActions, resource));
    }
    return { Version: '2012-10-17', Statement: statements };
  }
  const resource = `${tables}${input.tableBaseName}${ROTATED_TABLE_SUFFIX}`;
  if (serves) serveStatements(resource);
  if (maintains) {
    statements.push(allow('SessionTables', ['dynamodb:DescribeTable', ...(input.createTables ? ['dynamodb:CreateTable', 'dynamodb:DeleteTable'] : []), ...updatesTables], resource));
    // Listing finds the tables kept for the longest lifetime (loads read them) and the expired ones: needed without createTables too.
    statements.push(allow('ListSessionTables', ['dynamodb:ListTables'], '*'));
  }
  return { Version: '2012-10-17', Statement: statements };
}

function usage(message: string): SessionManagerError {
  return new SessionManagerError('cli.usage', message);
}
