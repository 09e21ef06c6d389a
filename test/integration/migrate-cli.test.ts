// `dsm migrate --from connect-dynamodb`: the bulk copy, run as the real CLI (a child process)
// against a table the real connect-dynamodb package wrote.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, GetItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import connectDynamoDb from 'connect-dynamodb';
import session from 'express-session';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';

const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
const DynamoDBStore = connectDynamoDb(session);
const LIVE = 30;

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

interface MigrateJson {
  dryRun: boolean;
  done: boolean;
  pages: number;
  scanned: number;
  counts: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  plannedWriteUnits: number;
  estimatedSeconds: number | null;
  lastExpiresAt: string | null;
}

function parse(result: CliResult): MigrateJson {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as MigrateJson;
}

/**
 * A connect-dynamodb table holding 30 live sessions written by connect-dynamodb itself, 5 expired
 * ones, 2 corrupt items, 1 key without the prefix, and 3 sessions a load already took over; and
 * this store's tables, ready.
 */
async function seed(): Promise<{ legacyTable: string; base: string; live: Map<string, string>; taken: string[] }> {
  const legacyTable = uniqueBaseName('cd-cli');
  const base = uniqueBaseName('mig-cli');
  cleanups.push(async () => {
    await admin.send(new DeleteTableCommand({ TableName: legacyTable })).catch(() => undefined);
    await dropTablesWithPrefix(admin, base);
  });
  await admin.send(
    new CreateTableCommand({
      TableName: legacyTable,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }),
  );
  await waitUntilTableExists({ client: admin, maxWaitTime: 10, minDelay: 0.02, maxDelay: 0.1 }, { TableName: legacyTable });
  const legacy = new DynamoDBStore({ table: legacyTable, client: createTestClient() }) as unknown as { set(id: string, sess: unknown, cb: (err?: unknown) => void): void };
  const set = (id: string, sess: unknown): Promise<void> => new Promise((resolve, reject) => legacy.set(id, sess, (err) => (err ? reject(err as Error) : resolve())));
  const cookie = (maxAgeMs: number) => ({ originalMaxAge: maxAgeMs, maxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs).toISOString(), httpOnly: true, path: '/' });
  const newId = (): string => randomBytes(24).toString('base64url');

  const live = new Map<string, string>();
  for (let i = 0; i < LIVE; i += 1) {
    const id = newId();
    live.set(id, `user-${i}`);
    await set(id, { cookie: cookie(3_600_000 + i * 1000), user: `user-${i}` });
  }
  for (let i = 0; i < 5; i += 1) await set(newId(), { cookie: cookie(-1000), user: 'gone' });
  const expires = { N: String(Math.floor(Date.now() / 1000) + 3600) };
  await admin.send(new PutItemCommand({ TableName: legacyTable, Item: { id: { S: `sess:${newId()}` }, sess: { S: 'not json' }, expires } }));
  await admin.send(new PutItemCommand({ TableName: legacyTable, Item: { id: { S: `sess:${newId()}` }, sess: { S: '{"user":"no cookie"}' }, expires } }));
  await admin.send(new PutItemCommand({ TableName: legacyTable, Item: { id: { S: `other:${newId()}` }, sess: { S: JSON.stringify({ cookie: cookie(60_000) }) }, expires } }));

  const store = new SessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0, migrateFrom: { connectDynamodb: { table: legacyTable } } });
  const taken: string[] = [];
  try {
    await store.ready();
    for (let i = 0; i < 3; i += 1) {
      const id = newId();
      await set(id, { cookie: cookie(3_600_000), user: `taken-${i}` });
      expect((await store.get(id))?.session.user).toBe(`taken-${i}`); // fenced there: a load took it over
      taken.push(id);
    }
  } finally {
    await store.close();
  }
  return { legacyTable, base, live, taken };
}

describe('dsm migrate --from connect-dynamodb', () => {
  it('a dry run counts, prices and writes nothing; the copy then runs in two resumable parts and moves every live session', { timeout: 120_000 }, async () => {
    const { legacyTable, base, live, taken } = await seed();
    const env = { DSM_ENDPOINT: testEndpoint(), DSM_TABLE_BASE_NAME: base };
    const args = ['migrate', '--from', 'connect-dynamodb', '--table', legacyTable, '--max-rcu-per-second', '100000', '--max-wcu-per-second', '100000', '--json'];

    const dry = parse(await runCli([...args, '--dry-run'], { env }));
    expect(dry).toMatchObject({ dryRun: true, done: true, scanned: LIVE + 5 + 2 + 1 + 3, writeUnits: 0 });
    expect(dry.counts).toMatchObject({ 'would-copy': LIVE, expired: 5, corrupt: 2, foreign: 1, 'already-moved': 3, copied: 0 });
    expect(dry.readUnits).toBeGreaterThan(0);
    expect(dry.plannedWriteUnits).toBe(2 * LIVE); // each small session: 1 unit for the fence there, 1 for the put here
    expect(dry.estimatedSeconds).toBeGreaterThan(0);
    expect(Date.parse(dry.lastExpiresAt!)).toBeGreaterThan(Date.now() + 3_600_000);
    const [someId] = live.keys();
    expect((await admin.send(new GetItemCommand({ TableName: legacyTable, Key: { id: { S: `sess:${someId}` } } }))).Item?.dsmMovedTo).toBeUndefined();

    const dir = await mkdtemp(join(tmpdir(), 'dsm-migrate-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const checkpoint = join(dir, 'checkpoint.json');
    const part = [...args, '--page-size', '10', '--checkpoint', checkpoint];
    const first = parse(await runCli([...part, '--max-pages', '2'], { env }));
    expect(first).toMatchObject({ done: false, pages: 2, scanned: 20 });
    expect(JSON.parse(await readFile(checkpoint, 'utf8'))).toMatchObject({ done: false, startKey: expect.any(Object) });
    const second = parse(await runCli(part, { env }));
    expect(second).toMatchObject({ done: true, scanned: dry.scanned });
    expect(second.counts).toMatchObject({ copied: LIVE, expired: 5, corrupt: 2, foreign: 1, 'already-moved': 3, 'would-copy': 0 });
    expect(second.writeUnits).toBeGreaterThanOrEqual(2 * LIVE);
    expect(second.lastExpiresAt).toBeNull();
    const again = parse(await runCli(part, { env }));
    expect(again).toMatchObject({ done: true, pages: second.pages, counts: second.counts }); // a finished checkpoint does nothing

    // Every live session is now here: a store without migrateFrom serves them all.
    const plain = new SessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0 });
    cleanups.push(() => plain.close());
    await plain.ready();
    for (const [id, user] of live) expect((await plain.get(id))?.session.user).toBe(user);
    // The ones a load had taken over (fenced, never written here) are not copied: their next load completes the move.
    const migrating = new SessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0, migrateFrom: { connectDynamodb: { table: legacyTable } } });
    cleanups.push(() => migrating.close());
    for (const id of taken) expect((await migrating.get(id))?.session.user).toMatch(/^taken-/);
  });

  it('usage errors exit 2 and name the problem', { timeout: 60_000 }, async () => {
    const env = { DSM_ENDPOINT: testEndpoint(), DSM_TABLE_BASE_NAME: uniqueBaseName('mig-usage') };
    const redis = await runCli(['migrate', '--from', 'connect-redis', '--table', 'sessions'], { env });
    expect(redis.code).toBe(2);
    expect(redis.stderr).toMatch(/^cli\.usage: .*connect-redis.*connect-dynamodb/m);
    const both = await runCli(['migrate', '--from', 'connect-dynamodb', '--table', 'sessions', '--dry-run', '--checkpoint', 'x.json'], { env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^cli\.usage: --dry-run and --checkpoint exclude each other/m);
    // One of this store's own tables: the TTL table (the default), or a rotated one.
    const ours = await runCli(['migrate', '--from', 'connect-dynamodb', '--table', env.DSM_TABLE_BASE_NAME, '--dry-run'], { env });
    expect(ours.code).toBe(2);
    expect(ours.stderr).toMatch(/^config\.conflictingOptions: Options `migrateFrom.connectDynamodb.table` and `tableBaseName` name the same table/m);
    const rotated = await runCli(['--expiry', 'rotation', 'migrate', '--from', 'connect-dynamodb', '--table', `${env.DSM_TABLE_BASE_NAME}_20260101_000000`, '--dry-run'], { env });
    expect(rotated.code).toBe(2);
    expect(rotated.stderr).toMatch(/^config\.conflictingOptions: Options `migrateFrom.connectDynamodb.table` and `tableBaseName` name the same table/m);
  });
});
