import { randomBytes } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { USER_INDEX_NAME } from 'dynamo-session-manager';
import { redactId } from '../../src/logging/logger.js';
import { SessionStore } from '../../src/store/session-store.js';
import type { DynamoSessionStoreOptions } from '../../src/config/options.js';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestClient, dropTablesWithPrefix, listTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { DYNAMODB_LOCAL_CREDENTIALS, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local.js';
import { createRecordingClient, notAllowed, type PolicyDocument } from '../support/iam-check.js';

/**
 * The user commands of `dsm` (sessions --user, revoke --user, add-user-index) and the settings of
 * the user index (--user-index, DSM_USER_ID_KEY), run as child processes against sessions an
 * application store wrote.
 */

const admin = createTestClient();
const bases: string[] = [];
/** `dsm` expires by TTL unless told otherwise; dynalite has no TTL, so these tests rotate. */
const ROTATION = { DSM_EXPIRY: 'rotation' } as const;
/** A key of the application's hashed mode (`userIdKey`), as its configuration would hold it. */
const USER_ID_KEY = 'hashed-mode key: 32 bytes long..';
const FIREFOX = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', ip: '203.0.113.7' };
const PHONE = { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1', ip: '198.51.100.4' };

function base(label: string): string {
  const name = uniqueBaseName(`cli-user-${label}`);
  bases.push(name);
  return name;
}

function envFor(tableBaseName: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DSM_ENDPOINT: testEndpoint(), DSM_TABLE_BASE_NAME: tableBaseName, ...ROTATION, ...extra };
}

function parse<T>(result: CliResult): T {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

function newId(): string {
  // An id starting with '-' would read as an option: these tests pass ids plainly.
  return `s${randomBytes(18).toString('base64url')}`;
}

/** The application's store: the user is the session's `user`, as `userIdOf` in its options. */
function appStore(tableBaseName: string, extra: Partial<DynamoSessionStoreOptions> = {}): SessionStore {
  return new SessionStore({
    dynamoEndpoint: testEndpoint(),
    tableBaseName,
    expiry: 'rotation',
    maintenanceIntervalSeconds: 0,
    userIdOf: (session) => (typeof session.user === 'string' ? session.user : undefined),
    ...extra,
  });
}

/** Saves sessions through `store`, one after the other (so their last writes are in this order), and returns their ids. */
async function seed(store: SessionStore, sessions: readonly Record<string, unknown>[]): Promise<string[]> {
  await store.ready();
  const ids: string[] = [];
  for (const data of sessions) {
    const id = newId();
    await store.set(id, { cookie: { originalMaxAge: 3_600_000 }, ...data });
    ids.push(id);
  }
  return ids;
}

interface SessionsJson {
  user: string;
  hashed: boolean;
  revealed: boolean;
  sessions: { id: string; logId: string; createdAt: string; lastSeenAt: string; expiresAt: string; device: Record<string, unknown> | null }[];
}

afterEach(async () => {
  for (const name of bases.splice(0)) await dropTablesWithPrefix(admin, name);
});
afterAll(() => admin.destroy());

describe('dsm sessions --user', () => {
  it('lists the user\'s live sessions only, newest first, ids shortened; --reveal prints them whole; --json is the result object', async () => {
    const b = base('list');
    let offsetMs = 0;
    const store = appStore(b, { now: () => Date.now() + offsetMs });
    let ada: string[];
    let others: string[];
    try {
      const [older] = await seed(store, [{ user: 'ada@example.com', device: FIREFOX }]);
      offsetMs = 5000; // the second sign-in is seen 5 s later
      const [newer, bob, anonymous] = await seed(store, [{ user: 'ada@example.com', device: PHONE }, { user: 'bob' }, { cart: ['teapot'] }]);
      ada = [newer as string, older as string];
      others = [bob as string, anonymous as string];
    } finally {
      await store.close();
    }
    const env = envFor(b);
    const [text, revealed, json] = await Promise.all([
      runCli(['sessions', '--user', 'ada@example.com'], { env }),
      runCli(['sessions', '--user', 'ada@example.com', '--reveal'], { env }),
      runCli(['sessions', '--user', 'ada@example.com', '--json'], { env }),
    ]);

    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^2 live sessions for this user\.\n\nSESSION\s+CREATED\s+LAST SEEN\s+EXPIRES\s+DEVICE\n/);
    const lines = text.stdout.split('\n').filter((line) => line.startsWith('s'));
    expect(lines).toHaveLength(2);
    for (const [i, id] of ada.entries()) {
      expect(lines[i]).toContain(`${id.slice(0, 6)}… (${redactId(id)})`); // newest first
      expect(text.stdout).not.toContain(id);
    }
    expect(lines[0]).toContain('userAgent=Mozilla/5.0 (iPhone;');
    expect(lines[1]).toMatch(/userAgent=Mozilla\/5\.0 \(X11; Linux x86_64; rv:128\.0\) Gecko\/2…$/); // cut to 60 characters
    expect(text.stdout).toContain('--reveal prints them whole.');
    for (const id of others) expect(text.stdout).not.toContain(redactId(id));

    expect(revealed.code).toBe(0);
    for (const id of ada) expect(revealed.stdout).toContain(id);
    for (const id of others) expect(revealed.stdout).not.toContain(id);

    const result = parse<SessionsJson>(json);
    expect(result).toMatchObject({ user: 'ada@example.com', hashed: false, revealed: false });
    expect(result.sessions.map((s) => [s.id, s.logId])).toEqual(ada.map((id) => [`${id.slice(0, 6)}…`, redactId(id)]));
    expect(result.sessions.map((s) => s.device)).toEqual([PHONE, FIREFOX]); // the whole facts, in JSON
    expect(Date.parse(result.sessions[0]?.lastSeenAt as string) - Date.parse(result.sessions[1]?.lastSeenAt as string)).toBeGreaterThanOrEqual(5000);
    for (const s of result.sessions) expect(Date.parse(s.expiresAt)).toBeGreaterThan(Date.parse(s.lastSeenAt));
    for (const id of [...ada, ...others]) expect(json.stdout).not.toContain(id);
  });

  it('says so when the user has no session, and exits 0', async () => {
    const b = base('none');
    const store = appStore(b);
    try {
      await seed(store, [{ user: 'bob' }]);
    } finally {
      await store.close();
    }
    const [text, json] = await Promise.all([runCli(['sessions', '--user', 'nobody'], { env: envFor(b) }), runCli(['sessions', '--user', 'nobody', '--json'], { env: envFor(b) })]);
    expect(text).toMatchObject({ code: 0, stderr: '', stdout: 'No live session for this user.\n' });
    expect(parse<SessionsJson>(json).sessions).toEqual([]);
  });
});

describe('dsm revoke --user', () => {
  it('ends every session of the user but --except, prints how many, and leaves other users alone', async () => {
    const b = base('revoke');
    const store = appStore(b);
    try {
      const [kept, second, third, bob] = await seed(store, [{ user: 'ada' }, { user: 'ada' }, { user: 'ada' }, { user: 'bob' }]);
      const env = envFor(b);
      const text = await runCli(['revoke', '--user', 'ada', '--except', kept as string], { env });
      expect(text).toMatchObject({ code: 0, stderr: '' });
      expect(text.stdout).toBe(`Ended 2 sessions of this user; kept ${(kept as string).slice(0, 6)}… (${redactId(kept as string)}).\n`);
      expect(text.stdout).not.toContain(kept);

      expect(await store.get(second as string)).toBeNull();
      expect(await store.get(third as string)).toBeNull();
      expect((await store.get(kept as string))?.session).toMatchObject({ user: 'ada' });
      expect((await store.get(bob as string))?.session).toMatchObject({ user: 'bob' });
      const left = parse<SessionsJson>(await runCli(['sessions', '--user', 'ada', '--json'], { env }));
      expect(left.sessions.map((s) => s.logId)).toEqual([redactId(kept as string)]);

      // Without --except, as JSON; and a signed express-session cookie value works for --except.
      expect(parse(await runCli(['revoke', '--user', 'bob', '--json'], { env }))).toEqual({ user: 'bob', revoked: 1, kept: null });
      expect(await store.get(bob as string)).toBeNull();
      const again = await runCli(['revoke', '--user', 'ada', '--except', `s%3A${kept as string}.signature`], { env });
      expect(again).toMatchObject({ code: 0, stdout: `Ended 0 sessions of this user; kept ${(kept as string).slice(0, 6)}… (${redactId(kept as string)}).\n` });
      expect((await store.get(kept as string))?.session).toMatchObject({ user: 'ada' });
    } finally {
      await store.close();
    }
  });
});

describe('hashed mode: DSM_USER_ID_KEY', () => {
  it('finds and revokes what a store with the same userIdKey indexed; without the key or with another, nothing; the key is never printed', async () => {
    const b = base('hashed');
    const store = appStore(b, { userIdKey: USER_ID_KEY });
    try {
      const [first, second] = await seed(store, [{ user: 'ada' }, { user: 'ada' }]);
      // The index holds no raw user id.
      const items = [];
      for (const table of await listTablesWithPrefix(admin, b)) items.push(...((await admin.send(new ScanCommand({ TableName: table }))).Items ?? []));
      const uids = items.flatMap((item) => (item.uid?.S === undefined ? [] : [item.uid.S]));
      expect(uids).toHaveLength(2);
      for (const uid of uids) expect(uid).toMatch(/^hmac:[A-Za-z0-9_-]{43}$/);

      const keyed = envFor(b, { DSM_USER_ID_KEY: USER_ID_KEY });
      const [found, withFlag, plain, otherKey] = await Promise.all([
        runCli(['sessions', '--user', 'ada', '--json'], { env: keyed }),
        runCli(['sessions', '--user', 'ada', '--json', '--user-id-key', USER_ID_KEY], { env: envFor(b) }),
        runCli(['sessions', '--user', 'ada', '--json'], { env: envFor(b) }),
        runCli(['sessions', '--user', 'ada', '--json'], { env: envFor(b, { DSM_USER_ID_KEY: 'another key, also 32 bytes long.' }) }),
      ]);
      const listed = parse<SessionsJson>(found);
      expect(listed.hashed).toBe(true);
      expect(listed.sessions.map((s) => s.logId).sort()).toEqual([first as string, second as string].map(redactId).sort());
      expect(parse<SessionsJson>(withFlag).sessions).toHaveLength(2);
      expect(parse<SessionsJson>(plain).sessions).toEqual([]);
      expect(parse<SessionsJson>(otherKey).sessions).toEqual([]);
      const text = await runCli(['sessions', '--user', 'ada', '--verbose'], { env: keyed });
      expect(text.stdout).toContain('2 live sessions for this user (hashed index).');

      const revoked = await runCli(['revoke', '--user', 'ada', '--verbose'], { env: keyed });
      expect(revoked).toMatchObject({ code: 0, stdout: 'Ended 2 sessions of this user.\n' });
      expect(await store.get(first as string)).toBeNull();
      for (const result of [found, withFlag, plain, otherKey, text, revoked]) expect(`${result.stdout}${result.stderr}`).not.toContain(USER_ID_KEY);
    } finally {
      await store.close();
    }
  });
});

/** The user index of a table, as DescribeTable shows it. */
async function userIndexOf(client: DynamoDBClient, table: string): Promise<unknown> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  return Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === USER_INDEX_NAME);
}

describe('dsm maintain and the user index', () => {
  it.each([
    ['--user-index', ['--user-index'], {}],
    ['DSM_USER_INDEX=1', [], { DSM_USER_INDEX: '1' }],
  ] as const)('with %s, creates the tables with the index, which a store with userIdOf then accepts', async (_label, flags, extraEnv) => {
    const b = base('maintain-index');
    const result = parse<{ created: string[] }>(await runCli(['maintain', '--json', ...flags], { env: envFor(b, extraEnv) }));
    expect(result.created.length).toBeGreaterThan(0);
    for (const table of result.created) {
      expect(await userIndexOf(admin, table)).toMatchObject({ KeySchema: [{ AttributeName: 'uid', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } });
    }
    const store = appStore(b, { createTables: false });
    try {
      const [id] = await seed(store, [{ user: 'ada' }]);
      expect((await store.listUserSessions('ada')).map((s) => s.id)).toEqual([id]);
    } finally {
      await store.close();
    }
  });

  it('without it, creates tables with no index, and a store with userIdOf refuses them, naming dsm add-user-index', async () => {
    const b = base('maintain-plain');
    const result = parse<{ created: string[] }>(await runCli(['maintain', '--json'], { env: envFor(b) }));
    expect(result.created.length).toBeGreaterThan(0);
    for (const table of result.created) expect(await userIndexOf(admin, table)).toBeUndefined();
    const store = appStore(b, { createTables: false });
    try {
      await expect(store.ready()).rejects.toMatchObject({ code: 'backend.userIndexMissing', message: expect.stringContaining('dsm add-user-index') });
    } finally {
      await store.close();
    }
  });
});

describe('on Amazon DynamoDB Local (dynalite ignores an index added by UpdateTable)', () => {
  let local: DynamoDbLocal | undefined;
  let client: DynamoDBClient;

  beforeAll(async () => {
    local = await startDynamoDbLocal();
    client = new DynamoDBClient({ endpoint: local.endpoint, region: 'us-east-1', credentials: DYNAMODB_LOCAL_CREDENTIALS, maxAttempts: 1 });
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await local?.stop();
  }, 15_000);

  const localEnv = (tableBaseName: string, extra: Record<string, string> = {}): Record<string, string> => ({
    DSM_ENDPOINT: (local as DynamoDbLocal).endpoint,
    DSM_TABLE_BASE_NAME: tableBaseName,
    ...extra,
  });

  it.each(['rotation', 'ttl'] as const)('%s: dsm add-user-index adds the index to tables made without it, then finds it present; the application starts and is listed', async (expiry) => {
    const b = uniqueBaseName(`cli-add-index-${expiry}`);
    const env = localEnv(b, { DSM_EXPIRY: expiry });
    const made = parse<{ created: string[] }>(await runCli(['maintain', '--json'], { env }));
    expect(made.created.length).toBeGreaterThan(0);
    for (const table of made.created) expect(await userIndexOf(client, table)).toBeUndefined();
    const options = { dynamoEndpoint: (local as DynamoDbLocal).endpoint, tableBaseName: b, expiry, createTables: false, maintenanceIntervalSeconds: 0 } as const;
    const userIdOf = (session: Record<string, unknown>): string | undefined => (typeof session.user === 'string' ? session.user : undefined);
    const refused = new SessionStore({ ...options, userIdOf });
    await expect(refused.ready()).rejects.toMatchObject({ code: 'backend.userIndexMissing' });
    await refused.close();

    const added = await runCli(['add-user-index'], { env });
    expect(added).toMatchObject({ code: 0, stderr: '' });
    for (const table of made.created) expect(added.stdout).toMatch(new RegExp(`^${table}\\s+added \\(building\\)$`, 'm'));
    for (const table of made.created) expect(await userIndexOf(client, table)).toMatchObject({ KeySchema: [{ AttributeName: 'uid', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } });
    const again = parse<{ tables: { table: string; status: string }[] }>(await runCli(['add-user-index', '--json'], { env }));
    expect(again.tables.filter((t) => made.created.includes(t.table)).map((t) => t.status)).toEqual(made.created.map(() => 'present'));

    const store = new SessionStore({ ...options, userIdOf });
    try {
      await store.ready();
      const id = newId();
      await store.set(id, { cookie: { originalMaxAge: 3_600_000 }, user: 'ada', device: FIREFOX });
      const listed = parse<SessionsJson>(await runCli(['sessions', '--user', 'ada', '--json'], { env }));
      expect(listed.sessions.map((s) => [s.logId, s.device])).toEqual([[redactId(id), FIREFOX]]);
    } finally {
      await store.close();
    }
  });

  it('the policy --with-user-index grants what adding the index calls (UpdateTable on the tables), to all and maintainer, not to request', async () => {
    const b = uniqueBaseName('cli-add-index-iam');
    const env = localEnv(b, { DSM_EXPIRY: 'rotation' });
    expect((await runCli(['maintain', '--json'], { env })).code).toBe(0);
    const policy = async (flags: string[]): Promise<PolicyDocument> => parse<PolicyDocument>(await runCli(['iam-policy', '--json', '--with-user-index', ...flags], { env }));
    const [all, maintainer, request, noCreate] = await Promise.all([policy(['--role', 'all']), policy(['--role', 'maintainer']), policy(['--role', 'request']), policy(['--no-create'])]);
    const recording = createRecordingClient((local as DynamoDbLocal).endpoint);
    // As `dsm add-user-index` opens it: serverless (no lease), the index on, no table creation.
    const store = new SessionStore({ client: recording.client, tableBaseName: b, expiry: 'rotation', createTables: false, userIndex: true, serverless: true });
    try {
      expect((await store.addUserIndex()).some((row) => row.status === 'added')).toBe(true);
    } finally {
      await store.close();
      recording.client.destroy();
    }
    expect(recording.calls().map((call) => call.operation)).toContain('UpdateTable');
    expect(notAllowed(all, recording.calls())).toEqual([]);
    expect(notAllowed(maintainer, recording.calls())).toEqual([]);
    expect(notAllowed(request, recording.calls())).toContainEqual(expect.stringMatching(/^dynamodb:UpdateTable on /));
    expect(notAllowed(noCreate, recording.calls())).toContainEqual(expect.stringMatching(/^dynamodb:UpdateTable on /)); // an app that may not change tables
  });
});
