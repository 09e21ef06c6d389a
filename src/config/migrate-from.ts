import type { EXPIRY_MODES } from './defaults.js';
import { conflictingOptions, invalidOption, readString, rejectUnknownKeys } from './validate.js';

/**
 * Where connect-dynamodb keeps its sessions: its own option names and defaults
 * (`table: 'sessions'`, `hashKey: 'id'`, `prefix: 'sess:'`).
 */
export interface ConnectDynamodbSource {
  /** The table connect-dynamodb uses. @default 'sessions' */
  table?: string;
  /** The prefix connect-dynamodb puts before every session id in the hash key; may be empty. @default 'sess:' */
  prefix?: string;
  /** The name of the table's hash key attribute. @default 'id' */
  hashKey?: string;
}

/**
 * A store this one takes sessions over from, without signing anyone out: a load that finds
 * nothing in this store's tables reads the old store's item, serves it if it has not expired, and
 * moves it here. See docs/migration.md.
 */
export interface MigrateFromOptions {
  /** Sessions written by connect-dynamodb 3.x. */
  connectDynamodb: ConnectDynamodbSource;
}

/** A connect-dynamodb source with its defaults applied. */
export interface ResolvedConnectDynamodbSource {
  readonly kind: 'connect-dynamodb';
  readonly table: string;
  readonly prefix: string;
  readonly hashKey: string;
}

/** connect-dynamodb's own defaults. */
export const CONNECT_DYNAMODB_DEFAULTS = Object.freeze({ table: 'sessions', prefix: 'sess:', hashKey: 'id' } as const);

const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
/** The names this store gives its rotated tables (checked loosely: any digits). */
const ROTATED_SUFFIX = /^_\d{8}_\d{6}$/;

/**
 * Validates `migrateFrom` and applies connect-dynamodb's defaults.
 *
 * The legacy table must not be one of this store's own tables: in `ttl` mode a table named
 * `tableBaseName`, in `rotation` mode a name of the form `<tableBaseName>_<yyyyMMdd_HHmmss>`
 * (maintenance would delete it when its period is over).
 *
 * @throws {SessionManagerError} `config.invalidOption`, `config.unknownOption` or `config.conflictingOptions`.
 */
export function resolveMigrateFrom(value: unknown, own: { readonly tableBaseName: string; readonly expiry: (typeof EXPIRY_MODES)[number] }): ResolvedConnectDynamodbSource | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption('migrateFrom', 'an object such as { connectDynamodb: { table: "sessions" } }', value);
  }
  rejectUnknownKeys(value, ['connectDynamodb'], 'migrateFrom');
  const source = (value as { connectDynamodb?: unknown }).connectDynamodb;
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw invalidOption('migrateFrom.connectDynamodb', 'an object with optional table, prefix and hashKey', source);
  }
  rejectUnknownKeys(source, ['table', 'prefix', 'hashKey'], 'migrateFrom.connectDynamodb');
  const o = source as Record<string, unknown>;
  const table =
    readString('migrateFrom.connectDynamodb.table', o.table, TABLE_NAME_PATTERN, 'a DynamoDB table name: 3 to 255 characters of A-Z, a-z, 0-9, _, - and .') ??
    CONNECT_DYNAMODB_DEFAULTS.table;
  if (o.prefix !== undefined && (typeof o.prefix !== 'string' || o.prefix.length > 256)) {
    throw invalidOption('migrateFrom.connectDynamodb.prefix', 'a string of at most 256 characters (empty when connect-dynamodb was given prefix: "")', o.prefix);
  }
  const prefix = (o.prefix as string | undefined) ?? CONNECT_DYNAMODB_DEFAULTS.prefix;
  const hashKey =
    readString('migrateFrom.connectDynamodb.hashKey', o.hashKey, /^.{1,255}$/su, 'an attribute name of 1 to 255 characters') ?? CONNECT_DYNAMODB_DEFAULTS.hashKey;
  const ours = own.expiry === 'ttl' ? table === own.tableBaseName : table.startsWith(own.tableBaseName) && ROTATED_SUFFIX.test(table.slice(own.tableBaseName.length));
  if (ours) {
    throw conflictingOptions(
      'migrateFrom.connectDynamodb.table',
      'tableBaseName',
      `name the same table (${table}): connect-dynamodb's table must not be one of this store's tables; give this store another tableBaseName`,
    );
  }
  return Object.freeze({ kind: 'connect-dynamodb', table, prefix, hashKey });
}
