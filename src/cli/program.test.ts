import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { estimateCost } from '../capacity/index.js';
import type { LocalDynamo, LocalDynamoOptions } from '../local/start-local-dynamo.js';
import { buildIamPolicy } from './iam-policy.js';
import { run, type RunDependencies } from './program.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function dsm(argv: string[], env: Record<string, string> = {}, deps: RunDependencies = {}, stop: Promise<string> = new Promise(() => undefined)): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await run(
    argv,
    {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env,
      waitForStop: () => stop,
    },
    deps,
  );
  return { code, stdout, stderr };
}

const COMMANDS = ['local', 'status', 'maintain', 'get', 'destroy', 'sessions', 'revoke', 'add-user-index', 'migrate', 'keys', 'cost', 'iam-policy'];

describe('dsm help', () => {
  it('--help lists every command, the environment variables and the exit codes', async () => {
    const r = await dsm(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const variable of ['DSM_ENDPOINT', 'DSM_REGION', 'DSM_TABLE_BASE_NAME', 'DSM_EXPIRY', 'DSM_ROTATION_SECONDS', 'DSM_MAX_INACTIVE']) {
      expect(r.stdout).toContain(variable);
    }
    for (const flag of ['--endpoint', '--region', '--table-base-name', '--expiry', '--rotation-seconds', '--max-inactive', '--json', '--verbose']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('Exit codes: 0 success, 1 the operation failed, 2 usage error.');
  });

  it.each(COMMANDS)('%s --help documents its options, the global options and its exit codes', async (command) => {
    const r = await dsm([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: dsm ${command}`);
    expect(r.stdout).toContain('Global Options:');
    expect(r.stdout).toContain('--table-base-name');
    expect(r.stdout).toContain('Exit codes:');
  });

  it('help <command> is the same as <command> --help', async () => {
    expect((await dsm(['help', 'cost'])).stdout).toBe((await dsm(['cost', '--help'])).stdout);
  });

  it('no command at all: help on stderr, usage exit code', async () => {
    const r = await dsm([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: dsm');
  });
});

describe('dsm usage errors', () => {
  it.each([
    [['status', '--bogus'], "cli.usage: unknown option '--bogus'", 'hint: Run `dsm status --help` for the usage.'],
    [['stauts'], "cli.usage: unknown command 'stauts'", 'hint: Did you mean status? Run `dsm --help` for the usage.'],
    [['cost', '--session-size', '2'], "cli.usage: required option '--rps <n>' not specified", 'hint: Run `dsm cost --help` for the usage.'],
    [['cost', '--rps', '-5', '--session-size', '2'], "cli.usage: option '--rps <n>' argument '-5' is invalid. Must be a number greater than 0.", 'hint: Run `dsm cost --help` for the usage.'],
    [['get'], "cli.usage: missing required argument 'id'", 'hint: Run `dsm get --help` for the usage.'],
    [['--expiry', 'never', 'status'], "cli.usage: option '--expiry <mode>' argument 'never' is invalid. Allowed choices are rotation, ttl.", 'hint: Run `dsm status --help` for the usage.'],
    [['--expiry', 'never'], "cli.usage: option '--expiry <mode>' argument 'never' is invalid. Allowed choices are rotation, ttl.", 'hint: Run `dsm --help` for the usage.'],
    [['sessions'], "cli.usage: required option '--user <id>' not specified", 'hint: Run `dsm sessions --help` for the usage.'],
    [['revoke', '--user', '  '], "cli.usage: option '--user <id>' argument '  ' is invalid. Must be a user id, as the application's userIdOf returns it; got an empty one.", 'hint: Run `dsm revoke --help` for the usage.'],
  ])('%j: exit 2 and two lines on stderr', async (argv, first, hint) => {
    const r = await dsm(argv);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `${first}\n${hint}\n` });
  });

  it('a bad DSM_* value is a usage error naming the variable', async () => {
    const r = await dsm(['iam-policy'], { DSM_ROTATION_SECONDS: 'soon' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cli.usage: DSM_ROTATION_SECONDS must be a whole number of seconds; got "soon".\nhint: Run `dsm iam-policy --help` for the options.\n');
  });

  it('a value the store rejects is a usage error with a hint naming the flag', async () => {
    const r = await dsm(['iam-policy', '--table-base-name', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^config\.invalidOption: Option `tableBaseName` must be/);
    expect(r.stderr.split('\n')[1]).toBe('hint: `tableBaseName` comes from --table-base-name.');
  });

  it('a bad DSM_USER_INDEX is a usage error naming the variable', async () => {
    const r = await dsm(['iam-policy'], { DSM_USER_INDEX: 'maybe' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('cli.usage: DSM_USER_INDEX must be 1 (on) or 0 (off); got "maybe".');
  });

  it.each([
    [{ DSM_USER_ID_KEY: 'short-key' }, [], 'DSM_USER_ID_KEY'],
    [{}, ['--user-id-key', 'short-key'], '--user-id-key'],
  ])('a user id key the store rejects is a usage error naming where it came from, never the key (%o %o)', async (env, flags, where) => {
    const r = await dsm(['sessions', '--user', 'ada', ...flags], { DSM_ENDPOINT: '1', ...env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^config\.\w+: .*userIdKey/);
    expect(r.stderr).toContain(`hint: The key comes from ${where}`);
    expect(r.stderr).not.toContain('short-key');
  });

  it('a bad --except session id is a usage error that never echoes the id', async () => {
    const r = await dsm(['revoke', '--user', 'ada', '--except', 'tiny'], { DSM_ENDPOINT: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('tiny');
  });

  it('a bad session id is a usage error that never echoes the id, and makes no call', async () => {
    const r = await dsm(['get', 'tiny'], { DSM_ENDPOINT: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cli\.usage: The session id must be .*got 4 characters\./);
    expect(r.stderr).not.toContain('tiny');
  });
});

describe('dsm cost', () => {
  it('--json prints exactly the estimate', async () => {
    const r = await dsm(['cost', '--rps', '100', '--session-size', '2', '--interval', '1800', '--read-only-fraction', '0.8', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const expected = estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, intervalSeconds: 1800, readOnlyFraction: 0.8 });
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('takes the interval from --max-inactive (or DSM_MAX_INACTIVE) unless --interval is given', async () => {
    const interval = async (argv: string[], env: Record<string, string> = {}): Promise<number> =>
      (JSON.parse((await dsm(['cost', '--rps', '1', '--session-size', '1', '--json', ...argv], env)).stdout) as { input: { intervalSeconds: number } }).input.intervalSeconds;
    expect(await interval([])).toBe(3600);
    expect(await interval(['--max-inactive', '900'])).toBe(900);
    expect(await interval([], { DSM_MAX_INACTIVE: '600' })).toBe(600);
    expect(await interval(['--interval', '60'], { DSM_MAX_INACTIVE: '600' })).toBe(60);
  });

  it('passes the optional workload flags through', async () => {
    const r = await dsm(['cost', '--rps', '10', '--session-size', '1', '--new-session-fraction', '0.1', '--scan-interval', '60', '--eventual', '--json']);
    expect(JSON.parse(r.stdout).input).toMatchObject({ newSessionFraction: 0.1, scanIntervalSeconds: 60, eventualConsistency: true });
  });

  it('fractions that add up to more than 1 are a usage error', async () => {
    const r = await dsm(['cost', '--rps', '10', '--session-size', '1', '--read-only-fraction', '0.95', '--new-session-fraction', '0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^config\.conflictingOptions: /);
  });
});

describe('dsm iam-policy', () => {
  it('builds the policy from the settings: flags over DSM_* variables', async () => {
    const r = await dsm(['iam-policy', '--json', '--account', '123456789012', '--table-base-name', 'from-flag', '--expiry', 'rotation'], {
      DSM_TABLE_BASE_NAME: 'from-env',
      DSM_REGION: 'eu-west-1',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(
      buildIamPolicy({ role: 'all', tableBaseName: 'from-flag', expiry: 'rotation', region: 'eu-west-1', account: '123456789012', partition: 'aws', createTables: true, withScan: false, withUserIndex: false }),
    );
  });

  it('--with-user-index, or the deployment\'s --user-index / DSM_USER_INDEX=1, adds the index statements', async () => {
    const expected = buildIamPolicy({ role: 'request', tableBaseName: 'sessions', expiry: 'ttl', region: '*', account: '*', partition: 'aws', createTables: true, withScan: false, withUserIndex: true });
    const runs = await Promise.all([
      dsm(['iam-policy', '--role', 'request', '--with-user-index']),
      dsm(['iam-policy', '--role', 'request', '--user-index']),
      dsm(['iam-policy', '--role', 'request'], { DSM_USER_INDEX: '1' }),
    ]);
    for (const r of runs) expect(JSON.parse(r.stdout)).toEqual(expected);
    const off = await dsm(['iam-policy', '--role', 'request'], { DSM_USER_INDEX: '0' });
    expect(JSON.stringify(JSON.parse(off.stdout))).not.toContain('dynamodb:Query');
  });

  it('prints the same JSON without --json, so it can be redirected to a file', async () => {
    const [plain, json] = await Promise.all([dsm(['iam-policy', '--expiry', 'ttl', '--no-create', '--with-scan']), dsm(['--json', 'iam-policy', '--expiry', 'ttl', '--no-create', '--with-scan'])]);
    expect(plain.stdout).toBe(json.stdout);
    expect(JSON.parse(plain.stdout).Statement[1].Action).toEqual(['dynamodb:DescribeTable', 'dynamodb:DescribeTimeToLive']);
  });
});

describe('dsm local', () => {
  function fakeLocal(): { deps: RunDependencies; started: LocalDynamoOptions[]; stop: ReturnType<typeof vi.fn>; exit: (code: number | null) => void } {
    const started: LocalDynamoOptions[] = [];
    const exited = deferred<number | null>();
    const stop = vi.fn(async () => undefined);
    const local: LocalDynamo = { endpoint: 'http://127.0.0.1:8123', port: 8123, pid: 4242, exited: exited.promise, stop };
    return {
      started,
      stop,
      exit: exited.resolve,
      deps: {
        startLocal: async (options) => {
          started.push(options);
          return local;
        },
      },
    };
  }

  it('prints the endpoint, runs until a stop signal, stops the server and exits 0', async () => {
    const fake = fakeLocal();
    const signal = deferred<string>();
    const running = dsm(['local', '--port', '8123', '--data', '/tmp/x'], {}, fake.deps, signal.promise);
    await vi.waitFor(() => expect(fake.started).toHaveLength(1));
    expect(fake.started[0]).toEqual({ port: 8123, dataDir: '/tmp/x', verbose: false });
    expect(fake.stop).not.toHaveBeenCalled();
    signal.resolve('SIGTERM');
    const r = await running;
    expect(r.code).toBe(0);
    expect(fake.stop).toHaveBeenCalledOnce();
    expect(r.stdout.split('\n')[0]).toBe('DynamoDB-compatible server (dynalite) listening at http://127.0.0.1:8123');
    expect(r.stdout).toMatch(/Stopped \(SIGTERM\)\.\n$/);
  });

  it('defaults to port 8000; --port 0 lets the server pick one; --json prints only the start object', async () => {
    const fake = fakeLocal();
    const stop = Promise.resolve('SIGINT');
    await dsm(['local'], {}, fake.deps, stop);
    const r = await dsm(['local', '--port', '0', '--json'], {}, fake.deps, stop);
    expect(fake.started.map((o) => o.port)).toEqual([8000, undefined]);
    expect(JSON.parse(r.stdout)).toEqual({ endpoint: 'http://127.0.0.1:8123', port: 8123, pid: 4242, dataDir: null });
  });

  it('fails when the server exits on its own, and exits 0 when a signal killed it', async () => {
    const dies = fakeLocal();
    const running = dsm(['local'], {}, dies.deps);
    await vi.waitFor(() => expect(dies.started).toHaveLength(1));
    dies.exit(3);
    expect(await running).toMatchObject({ code: 1, stderr: expect.stringMatching(/^cli\.failed: The local server exited on its own with code 3\./) });

    const killed = fakeLocal();
    const alsoRunning = dsm(['local'], {}, killed.deps);
    await vi.waitFor(() => expect(killed.started).toHaveLength(1));
    killed.exit(null);
    expect((await alsoRunning).code).toBe(0);
  });

  it('reports a server that does not start', async () => {
    const { SessionManagerError } = await import('../errors.js');
    const r = await dsm(['local', '--port', '8000'], {}, {
      startLocal: () => Promise.reject(new SessionManagerError('local.startFailed', 'dynalite exited before answering on http://127.0.0.1:8000.')),
    });
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: "local.startFailed: dynalite exited before answering on http://127.0.0.1:8000.\nhint: Is the port free? --port 0 picks a free one; --verbose shows the server's output.\n",
    });
  });
});

describe('docs/cli.md', () => {
  const docs = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');

  it('has a section per command and documents every global flag and variable', async () => {
    for (const command of COMMANDS) expect(docs).toMatch(new RegExp(`^## \`dsm ${command}\\b`, 'm'));
    const help = (await dsm(['--help'])).stdout;
    for (const flag of help.match(/^ {2}--[a-z-]+/gm) ?? []) expect(docs).toContain(`\`${flag.trim()}`);
    for (const variable of help.match(/DSM_[A-Z_]+/g) ?? []) expect(docs).toContain(variable);
  });

  it.each(COMMANDS)('documents every option of %s', async (command) => {
    const help = (await dsm([command, '--help'])).stdout;
    const own = help.slice(help.indexOf('Options:'), help.indexOf('Global Options:'));
    for (const flag of own.match(/--[a-z-]+/g) ?? []) if (flag !== '--help') expect(docs).toContain(flag);
  });
});
