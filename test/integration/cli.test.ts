import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PRICES_AS_OF, estimateCost } from '../../src/capacity/index.js';
import { tableNameFor } from '../../src/expiry/rotation/periods.js';
import { findFreePort } from '../../src/local/index.js';
import { SessionStore } from '../../src/store/session-store.js';
import { runCli, spawnCli, type CliResult } from '../support/cli.js';
import { createCountingClient } from '../support/counting-client.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { createMaintenanceHandler } from 'dynamo-session-manager/lambda';
import { createTestClient, dropTablesWithPrefix, listTablesWithPrefix, liveTablesWithPrefix, testEndpoint, uniqueBaseName, ON_DEMAND } from '../support/dynamo.js';
import { buildCreateTableInput } from '../../src/dynamo/params.js';
import { USER_INDEX_NAME } from '../../src/codec/item-format.js';
import { createRecordingClient, notAllowed, type PolicyDocument } from '../support/iam-check.js';


const admin = createTestClient();
const bases: string[] = [];
const DAY_SECONDS = 86_400;

/** A base name for one test; its tables are dropped after the test. */
function base(label: string): string {
  const name = uniqueBaseName(`cli-${label}`);
  bases.push(name);
  return name;
}

/** Settings of a test's `dsm` runs: the run's dynalite, the test's base name. */
function envFor(tableBaseName: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DSM_ENDPOINT: testEndpoint(), DSM_TABLE_BASE_NAME: tableBaseName, ...extra };
}

function stderrLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line !== '');
}

function parse<T = Record<string, unknown>>(result: CliResult): T {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** `dsm` expires by TTL unless told otherwise; these tests look at rotation tables. */
const ROTATION_ENV = { DSM_EXPIRY: 'rotation' } as const;

/** Writes a session through a rotation store (default period, as `dsm --expiry rotation` has it), as an app would. */
async function seedSession(tableBaseName: string, data: Record<string, unknown>): Promise<string> {
  // An id starting with '-' would read as an option (dsm takes it after `--`); these tests pass ids plainly.
  const id = `s${randomBytes(18).toString('base64url')}`;
  const store = new SessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName, expiry: 'rotation', maintenanceIntervalSeconds: 0 });
  try {
    await store.ready();
    await store.set(id, { cookie: { originalMaxAge: 3_600_000 }, ...data });
  } finally {
    await store.close();
  }
  return id;
}

afterEach(async () => {
  for (const name of bases.splice(0)) await dropTablesWithPrefix(admin, name);
});
afterAll(() => admin.destroy());

describe('dsm status', () => {
  it('reports the expected tables as MISSING when none exist, and exits 0', async () => {
    const b = base('status');
    const [text, json] = await Promise.all([runCli(['status', '--expiry', 'rotation'], { env: envFor(b) }), runCli(['status', '--json', '--expiry', 'rotation'], { env: envFor(b) })]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(new RegExp(`^current\\s+${b}_\\d{8}_\\d{6}\\s+MISSING`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^previous\\s+${b}_\\d{8}_\\d{6}\\s+MISSING`, 'm'));
    expect(text.stdout).toMatch(/^Next rotation\s+\S+ \S+, in /m);
    const report = parse<{ mode: string; writeTable: string | null; tables: { role: string; status: string }[]; problems: string[] }>(json);
    expect(report.mode).toBe('rotation');
    expect(report.writeTable).toBeNull();
    expect(report.tables.map((t) => [t.role, t.status])).toEqual([
      ['current', 'MISSING'],
      ['previous', 'MISSING'],
    ]);
    expect(report.problems).toHaveLength(1);
    expect(await listTablesWithPrefix(admin, b)).toEqual([]); // status never creates tables
  });
});

describe('dsm maintain', () => {
  it('creates the current table, deletes expired ones, and reports what exists afterwards', async () => {
    const b = base('maintain');
    const periodMs = DAY_SECONDS * 1000; // a day: the round skips deletions only in the first 10 s of a period
    const now = Date.now();
    const expired = tableNameFor(b, Math.floor(now / periodMs) - 3, periodMs);
    await admin.send(
      new CreateTableCommand(buildCreateTableInput(expired, ON_DEMAND)),
    );
    // Tables are kept for the longest lifetime (30 periods by default); kept for one period here
    // (--longest-lifetime equal to the period), a table three periods old is expired.
    const env = envFor(b, { DSM_ROTATION_SECONDS: String(DAY_SECONDS), DSM_LONGEST_LIFETIME: String(DAY_SECONDS) });
    await expect.poll(async () => liveTablesWithPrefix(admin, expired), { timeout: 5000 }).toEqual([expired]);
    const before = parse<{ tables: { name: string; role: string }[]; problems: string[] }>(await runCli(['status', '--json'], { env }));
    expect(before.tables.find((t) => t.name === expired)?.role).toBe('expired');
    expect(before.problems).toContain('1 expired table still exists; `dsm maintain` deletes it.');

    const result = parse<{ created: string[]; deleted: string[]; writeTable: string; tables: { name: string; role: string; status: string }[] }>(
      // The flag this time: both the variable (status above) and the flag must be honoured.
      await runCli(['maintain', '--json', '--longest-lifetime', String(DAY_SECONDS)], { env: { ...env, DSM_LONGEST_LIFETIME: '' } }),
    );
    const current = tableNameFor(b, Math.floor(Date.now() / periodMs), periodMs);
    expect(result.created).toContain(current);
    expect(result.deleted).toEqual([expired]);
    expect(result.writeTable).toBe(current);
    expect(result.tables.find((t) => t.name === current)).toMatchObject({ role: 'current', status: 'ACTIVE' });
    await expect.poll(async () => liveTablesWithPrefix(admin, b), { timeout: 5000 }).toContain(current);
    expect(await liveTablesWithPrefix(admin, b)).not.toContain(expired);

    const text = await runCli(['status'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^Writes go to\\s+${current}$`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^current\\s+${current}\\s+ACTIVE\\s+0\\s+0 B`, 'm'));
  });

  it('ttl mode, the default: creates the single table', async () => {
    const b = base('ttl');
    const result = parse<{ mode: string; created: string[]; tables: { name: string; status: string; ttl: string | null }[] }>(
      await runCli(['maintain', '--json'], { env: envFor(b) }),
    );
    expect(result.mode).toBe('ttl');
    expect(result.created).toEqual([b]);
    expect(result.tables).toEqual([expect.objectContaining({ name: b, status: 'ACTIVE', ttl: expect.any(String) })]);
  });
});

describe('dsm get and dsm destroy', () => {
  it('get shows the decoded session with secrets masked, --reveal shows them', async () => {
    const b = base('get');
    const id = await seedSession(b, { user: 'ann', password: 'hunter2', profile: { apiToken: 'tok-123', theme: 'dark' } });
    const [text, json] = await Promise.all([runCli(['get', id], { env: envFor(b, ROTATION_ENV) }), runCli(['get', id, '--reveal', '--json'], { env: envFor(b, ROTATION_ENV) })]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain('"user": "ann"');
    expect(text.stdout).toContain('"password": "[masked]"');
    expect(text.stdout).toContain('"apiToken": "[masked]"');
    expect(text.stdout).not.toContain('hunter2');
    expect(text.stdout).not.toContain(id);
    const shown = parse<{ table: string; version: number; expired: boolean; masked: boolean; session: Record<string, unknown> }>(json);
    expect(shown).toMatchObject({ version: 1, expired: false, masked: false, session: { user: 'ann', password: 'hunter2', profile: { apiToken: 'tok-123', theme: 'dark' } } });
    expect(shown.table.startsWith(`${b}_`)).toBe(true);
  });

  it('destroy removes the session; a second destroy and a get then fail with exit 1', async () => {
    const b = base('destroy');
    const id = await seedSession(b, { user: 'bob' });
    const destroyed = parse<{ destroyed: boolean; table: string }>(await runCli(['destroy', id, '--json'], { env: envFor(b, ROTATION_ENV) }));
    expect(destroyed.destroyed).toBe(true);
    const store = new SessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: b, expiry: 'rotation', maintenanceIntervalSeconds: 0, createTables: false });
    expect(await store.get(id)).toBeNull();
    await store.close();

    const [again, get] = await Promise.all([runCli(['destroy', id], { env: envFor(b, ROTATION_ENV) }), runCli(['get', id], { env: envFor(b, ROTATION_ENV) })]);
    for (const result of [again, get]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(stderrLines(result)[0]).toMatch(new RegExp(`^cli\\.failed: No session \\S+… \\(id#[0-9a-f]{8}\\) in the rotation tables of ${b}\\.$`));
      expect(result.stderr).not.toContain(id);
    }
  });

  it('get on a base name without tables fails with backend.tableMissing and creates nothing', async () => {
    const b = base('notables');
    const result = await runCli(['get', 'abcdefgh12345678'], { env: envFor(b, ROTATION_ENV) });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = stderrLines(result);
    expect(lines[0]).toMatch(new RegExp(`^backend\\.tableMissing: .*Table ${b}_\\d{8}_\\d{6} does not exist`));
    expect(lines[1]).toMatch(/^hint: Looked for the rotation tables of base name/);
    expect(lines).toHaveLength(2);
    expect(await listTablesWithPrefix(admin, b)).toEqual([]);
  });
});

describe('dsm when DynamoDB cannot be reached', () => {
  it.each([['status'], ['maintain'], ['get', 'abcdefgh12345678'], ['destroy', 'abcdefgh12345678']])(
    'a closed port: %s exits 1 quickly with one line on stderr and no stack',
    async (...args) => {
      const port = await findFreePort(); // free: nothing listens there
      const result = await runCli(args, { env: { DSM_ENDPOINT: `http://127.0.0.1:${port}` } });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(stderrLines(result)).toEqual([expect.stringMatching(new RegExp(`^backend\\.unavailable: .*ECONNREFUSED.*\\(endpoint http://127\\.0\\.0\\.1:${port}\\)$`))]);
      expect(result.durationMs).toBeLessThan(8000);
    },
  );

  it('an endpoint that never answers: get gives up within the CLI deadline', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const result = await runCli(['get', 'abcdefgh12345678'], { env: { DSM_ENDPOINT: String(port) } });
      expect(result.code).toBe(1);
      expect(stderrLines(result)).toEqual([expect.stringMatching(/^backend\.timeout: DynamoDB did not answer DescribeTable .* in time\. \(endpoint http:\/\/127\.0\.0\.1:\d+\)$/)]);
      expect(result.durationMs).toBeLessThan(10_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('--verbose adds the stack and the SDK error it came from', async () => {
    const port = await findFreePort();
    const result = await runCli(['status', '--verbose'], { env: { DSM_ENDPOINT: String(port) } });
    expect(result.code).toBe(1);
    expect(stderrLines(result)[0]).not.toMatch(/^backend\.unavailable/); // the store's debug log comes first
    expect(result.stderr).toMatch(/^backend\.unavailable: /m);
    expect(result.stderr).toMatch(/^\s+at /m);
    expect(result.stderr).toMatch(/^caused by:\nError: connect ECONNREFUSED/m);
  });
});

describe('dsm usage errors', () => {
  it('an unknown flag exits 2 with the usage error and a hint', async () => {
    const result = await runCli(['status', '--bogus'], { env: envFor(base('usage')) });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(stderrLines(result)).toEqual(["cli.usage: unknown option '--bogus'", 'hint: Run `dsm status --help` for the usage.']);
  });

  it('a bad DSM_* value exits 2 and names the variable', async () => {
    const result = await runCli(['status'], { env: { DSM_EXPIRY: 'never' } });
    expect(result.code).toBe(2);
    expect(stderrLines(result)[0]).toBe('cli.usage: DSM_EXPIRY must be one of rotation, ttl; got "never".');
  });

  it('--help documents every command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['local', 'status', 'maintain', 'get', 'destroy', 'cost', 'iam-policy']) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });
});

describe('dsm cost and dsm iam-policy need no DynamoDB', () => {
  it('cost prints the three strategies with the date of the prices; --json is the estimate', async () => {
    const env = { DSM_ENDPOINT: `http://127.0.0.1:${await findFreePort()}` }; // unreachable, and never called
    const [text, json] = await Promise.all([
      runCli(['cost', '--rps', '100', '--session-size', '2'], { env }),
      runCli(['cost', '--rps', '100', '--session-size', '2', '--interval', '1800', '--json'], { env }),
    ]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain(`as of ${PRICES_AS_OF}`);
    expect(text.stdout).toMatch(/rotation\s+ttl\s+scan reaper/);
    expect(parse(json)).toEqual(JSON.parse(JSON.stringify(estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, intervalSeconds: 1800 }))));
  });

  it('iam-policy prints a policy for the configured tables', async () => {
    const env = { DSM_TABLE_BASE_NAME: 'shop-sessions', DSM_REGION: 'eu-west-1' };
    type Policy = { Statement: { Sid: string; Action: string[]; Resource: string }[] };
    const [rotation, ttl] = await Promise.all([
      runCli(['iam-policy', '--json', '--account', '123456789012'], { env: { ...env, ...ROTATION_ENV } }),
      runCli(['iam-policy', '--json', '--account', '123456789012'], { env }),
    ]);
    expect(parse<Policy>(rotation).Statement.map((s) => s.Resource)).toEqual([
      'arn:aws:dynamodb:eu-west-1:123456789012:table/shop-sessions_????????_??????',
      'arn:aws:dynamodb:eu-west-1:123456789012:table/shop-sessions_????????_??????',
      '*',
    ]);
    // TTL, the default: the single table.
    expect(parse<Policy>(ttl).Statement.map((s) => s.Resource)).toEqual([
      'arn:aws:dynamodb:eu-west-1:123456789012:table/shop-sessions',
      'arn:aws:dynamodb:eu-west-1:123456789012:table/shop-sessions',
    ]);
  });
});

describe('dsm iam-policy against what the store calls', () => {
  /** The application's user: the session's `user` key. */
  const userIdOf = (session: Record<string, unknown>): string | undefined => (typeof session.user === 'string' ? session.user : undefined);

  it.each([
    ['rotation', true, false],
    ['rotation', false, false],
    ['ttl', true, false],
    ['ttl', false, false],
    ['rotation', true, true],
    ['rotation', false, true],
    ['ttl', true, true],
    ['ttl', false, true],
  ] as const)('grants every action a %s store with createTables %s (user index %s) calls, on the resources it calls them on', async (expiry, createTables, userIndex) => {
    const b = base(`iam-${expiry}`);
    const env = envFor(b, { DSM_EXPIRY: expiry });
    if (!createTables) {
      // Another process (here `dsm maintain`, with every right) made the tables, with the index when the app keeps one.
      expect((await runCli(['maintain', '--json', ...(userIndex ? ['--user-index'] : [])], { env })).code).toBe(0);
    }
    const policyRun = runCli(['iam-policy', '--json', ...(createTables ? [] : ['--no-create']), ...(userIndex ? ['--with-user-index'] : [])], { env });
    const recording = createRecordingClient();
    const store = new SessionStore({ client: recording.client, tableBaseName: b, expiry, createTables, maintenanceIntervalSeconds: 0, ...(userIndex ? { userIdOf } : {}) });
    try {
      await store.ready();
      await store.set('iam-checked-session-1', { cookie: { originalMaxAge: 3_600_000 }, n: 1, user: 'ada' });
      expect((await store.get('iam-checked-session-1'))?.session).toMatchObject({ n: 1 });
      expect(await store.get('iam-checked-missing-1')).toBeNull(); // a miss reads every table a session may be in
      if (userIndex) {
        // Where the user is signed in, and "sign out other devices" (which keeps one) then "everywhere".
        await store.set('iam-checked-session-2', { cookie: { originalMaxAge: 3_600_000 }, user: 'ada' });
        expect((await store.listUserSessions('ada')).map((s) => s.id).sort()).toEqual(['iam-checked-session-1', 'iam-checked-session-2']);
        expect(await store.revokeUserSessions('ada', { except: 'iam-checked-session-1' })).toBe(1);
        expect(await store.get('iam-checked-session-2')).toBeNull();
        expect(await store.revokeUserSessions('ada')).toBe(1);
      }
      await store.destroy('iam-checked-session-1');
      await store.maintain();
    } finally {
      await store.close();
      recording.client.destroy();
    }
    const policy = parse<PolicyDocument>(await policyRun);
    const calls = recording.calls();
    expect(calls.length).toBeGreaterThan(0);
    if (userIndex) expect(calls.some((call) => call.operation === 'Query' && call.resources.every((r) => r.endsWith(`/index/${USER_INDEX_NAME}`)))).toBe(true);
    expect(notAllowed(policy, calls)).toEqual([]);
  });

  it('a policy without --with-user-index does not cover a store keeping the index: Query on the index is refused', async () => {
    const b = base('iam-no-index');
    const env = envFor(b, ROTATION_ENV);
    const policyRun = runCli(['iam-policy', '--json'], { env });
    const recording = createRecordingClient();
    const store = new SessionStore({ client: recording.client, tableBaseName: b, expiry: 'rotation', maintenanceIntervalSeconds: 0, userIdOf });
    try {
      await store.ready();
      await store.set('iam-unchecked-session-1', { cookie: { originalMaxAge: 3_600_000 }, user: 'ada' });
      await store.listUserSessions('ada');
    } finally {
      await store.close();
      recording.client.destroy();
    }
    expect(notAllowed(parse<PolicyDocument>(await policyRun), recording.calls())).toContainEqual(expect.stringMatching(new RegExp(`^dynamodb:Query on .*/index/${USER_INDEX_NAME}$`)));
  });
});

describe('dsm iam-policy --role: the serverless split, against what each side calls', () => {
  type Policy = { Statement: { Action: string[] }[] };
  const granted = (policy: Policy): Set<string> => new Set(policy.Statement.flatMap((s) => s.Action));
  const notGranted = (calls: Record<string, number>, policy: Policy): string[] =>
    Object.keys(calls)
      .map((op) => `dynamodb:${op}`)
      .filter((action) => !granted(policy).has(action));

  it.each(['rotation', 'ttl'] as const)('%s: the request policy covers a serverless store serving requests, the maintainer policy the scheduled handler and `dsm maintain`', async (expiry) => {
    const b = base(`iam-role-${expiry}`);
    const env = envFor(b, { DSM_EXPIRY: expiry });
    const [requestPolicy, maintainerPolicy] = await Promise.all([
      runCli(['iam-policy', '--json', '--role', 'request'], { env }).then((r) => parse<Policy>(r)),
      runCli(['iam-policy', '--json', '--role', 'maintainer'], { env }).then((r) => parse<Policy>(r)),
    ]);

    // The maintainer: `dsm maintain` (through a proxy that counts what reaches DynamoDB), then the Lambda handler.
    const proxy = await startFaultProxy(testEndpoint());
    try {
      expect((await runCli(['maintain', '--json'], { env: { ...env, DSM_ENDPOINT: proxy.endpoint } })).code).toBe(0);
      expect(Object.keys(proxy.calls()).length).toBeGreaterThan(0);
      expect(notGranted(proxy.calls(), maintainerPolicy)).toEqual([]);
    } finally {
      await proxy.close();
    }
    const maintainerClient = createCountingClient();
    const handler = createMaintenanceHandler({ client: maintainerClient.client, tableBaseName: b, expiry });
    try {
      await handler();
    } finally {
      await handler.close();
      maintainerClient.client.destroy();
    }
    expect(Object.keys(maintainerClient.counts()).length).toBeGreaterThan(0);
    expect(notGranted(maintainerClient.counts(), maintainerPolicy)).toEqual([]);

    // The request path in serverless mode: a cold start, a new session, reads, a miss, a change, a destroy.
    const counting = createCountingClient();
    const store = new SessionStore({ client: counting.client, tableBaseName: b, expiry, serverless: true });
    try {
      await store.ready();
      await store.set('iam-role-session-1', { cookie: { originalMaxAge: 3_600_000 }, n: 1 });
      const loaded = await store.get('iam-role-session-1');
      expect(loaded?.session).toMatchObject({ n: 1 });
      await store.set('iam-role-session-1', { ...loaded!.session, n: 2 }, { load: loaded!.context });
      await store.touch('iam-role-session-1', { ...loaded!.session, n: 2 });
      expect(await store.get('iam-role-missing-1')).toBeNull();
      await store.destroy('iam-role-session-1');
    } finally {
      await store.close();
      counting.client.destroy();
    }
    expect(counting.counts().GetItem ?? 0).toBeGreaterThan(0);
    expect(notGranted(counting.counts(), requestPolicy)).toEqual([]);
  });

  it.each(['rotation', 'ttl'] as const)('%s --with-user-index: the request policy covers a serverless store listing and revoking a user\'s sessions, the maintainer policy `dsm maintain --user-index`', async (expiry) => {
    const b = base(`iam-role-user-${expiry}`);
    const env = envFor(b, { DSM_EXPIRY: expiry });
    const [requestPolicy, maintainerPolicy] = await Promise.all([
      runCli(['iam-policy', '--json', '--role', 'request', '--with-user-index'], { env }).then((r) => parse<PolicyDocument>(r)),
      runCli(['iam-policy', '--json', '--role', 'maintainer', '--with-user-index'], { env }).then((r) => parse<Policy>(r)),
    ]);
    const proxy = await startFaultProxy(testEndpoint());
    try {
      expect((await runCli(['maintain', '--json', '--user-index'], { env: { ...env, DSM_ENDPOINT: proxy.endpoint } })).code).toBe(0);
      expect(notGranted(proxy.calls(), maintainerPolicy)).toEqual([]);
    } finally {
      await proxy.close();
    }

    const recording = createRecordingClient();
    const store = new SessionStore({ client: recording.client, tableBaseName: b, expiry, serverless: true, userIdOf: (s) => (typeof s.user === 'string' ? s.user : undefined) });
    try {
      await store.ready();
      for (const id of ['iam-user-session-1', 'iam-user-session-2']) await store.set(id, { cookie: { originalMaxAge: 3_600_000 }, user: 'ada' });
      expect(await store.listUserSessions('ada')).toHaveLength(2);
      expect(await store.revokeUserSessions('ada', { except: 'iam-user-session-1' })).toBe(1); // signOutOtherDevices, from a request
      expect((await store.get('iam-user-session-1'))?.session).toMatchObject({ user: 'ada' });
    } finally {
      await store.close();
      recording.client.destroy();
    }
    expect(recording.calls().some((call) => call.operation === 'Query')).toBe(true);
    expect(notAllowed(requestPolicy, recording.calls())).toEqual([]);
  });
});

describe('dsm local', () => {
  it('serves DynamoDB on 127.0.0.1 until SIGTERM, then stops the server and exits 0', async () => {
    const cli = spawnCli(['local', '--port', '0', '--json']);
    try {
      await cli.waitForStdout(/\n}\n$/);
      const started = JSON.parse(cli.stdout()) as { endpoint: string; port: number; pid: number; dataDir: null };
      expect(started.endpoint).toBe(`http://127.0.0.1:${started.port}`);
      const client = createTestClient(started.endpoint);
      const page = await client.send(new ListTablesCommand({}));
      expect(page.TableNames).toEqual([]);
      client.destroy();

      cli.child.kill('SIGTERM');
      const result = await cli.done;
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
      expect(() => process.kill(started.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' })); // the server is gone too
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('prints its endpoint for people and says it stopped', async () => {
    const cli = spawnCli(['local', '--port', '0']);
    try {
      const [, endpoint] = await cli.waitForStdout(/listening at (http:\/\/127\.0\.0\.1:\d+)\n/);
      expect(cli.stdout()).toContain(`export DSM_ENDPOINT=${endpoint}`);
      cli.child.kill('SIGINT');
      const result = await cli.done;
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Stopped \(SIGINT\)\.\n$/);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
