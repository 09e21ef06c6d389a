// Without @opentelemetry/api (an optional peer dependency), the built package works as before and
// loads nothing of OpenTelemetry. A fresh Node process runs the build against the run's dynalite,
// with module resolution refusing every `@opentelemetry/*` name as if it were not installed.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** Preloaded with --require: `@opentelemetry/*` cannot be resolved, as when it is not installed. */
const BLOCK_OPENTELEMETRY = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@opentelemetry/')) {
    throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
`;

/** The script run in the child, as ESM or as CommonJS: import, use a store, report what was loaded. */
function script(format: 'esm' | 'cjs'): string {
  const load =
    format === 'esm'
      ? `const { DynamoSessionStore } = await import('dynamo-session-manager'); const { createRequire } = await import('node:module'); const cache = createRequire(process.cwd() + '/').cache;`
      : `const { DynamoSessionStore } = require('dynamo-session-manager'); const cache = require.cache;`;
  const body = `
    const otel = () => Object.keys(cache).filter((path) => path.includes('@opentelemetry'));
    const settings = { dynamoEndpoint: process.env.ENDPOINT, awsAccessKey: 'test', awsSecretKey: 'test', region: 'us-east-1', maintenanceIntervalSeconds: 0 };
    const atImport = otel();
    const store = new DynamoSessionStore({ ...settings, tableBaseName: process.env.BASE + '-${format}' });
    await store.ready();
    const id = 'otel-absent-session-${format}-0001';
    await store.core.set(id, { cookie: { originalMaxAge: 60000, httpOnly: true, path: '/' }, n: 7 });
    const loaded = await store.core.get(id);
    let required = 'no error';
    try { new DynamoSessionStore({ ...settings, openTelemetry: true }); } catch (error) { required = error.code + ': ' + error.message; }
    await store.close();
    console.log(JSON.stringify({ atImport, afterUse: otel(), n: loaded && loaded.session.n, required }));
  `;
  return format === 'esm' ? `${load}\n${body}` : `(async () => { ${load}\n${body} })().catch((e) => { console.error(e); process.exitCode = 1; });`;
}

interface Report {
  atImport: string[];
  afterUse: string[];
  n: number | null;
  required: string;
}

let dir: string;
const base = uniqueBaseName('otel-absent');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dsm-otel-'));
  await writeFile(join(dir, 'block-opentelemetry.cjs'), BLOCK_OPENTELEMETRY);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const client = createTestClient();
  try {
    await dropTablesWithPrefix(client, base);
  } finally {
    client.destroy();
  }
});

async function runChild(format: 'esm' | 'cjs', blocked: boolean): Promise<Report> {
  const args = [...(blocked ? ['--require', join(dir, 'block-opentelemetry.cjs')] : []), ...(format === 'esm' ? ['--input-type=module'] : []), '-e', script(format)];
  const { stdout } = await run(process.execPath, args, {
    cwd: root,
    timeout: 30_000,
    env: { ...process.env, ENDPOINT: testEndpoint(), BASE: `${base}-${blocked ? 'absent' : 'present'}`, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Report;
}

describe('the built package without @opentelemetry/api', () => {
  it('imports nothing of OpenTelemetry statically', async () => {
    const files = (await readdir(join(root, 'dist'))).filter((name) => /\.(c?js)$/.test(name));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = await readFile(join(root, 'dist', file), 'utf8');
      expect(text, file).not.toMatch(/(from\s*|import\s*\(\s*|require\s*\(\s*)["']@opentelemetry\//);
    }
  });

  it.each(['esm', 'cjs'] as const)('keeps sessions and loads nothing of OpenTelemetry (%s)', async (format) => {
    const report = await runChild(format, true);
    expect(report).toEqual({
      atImport: [],
      afterUse: [],
      n: 7,
      required: expect.stringMatching(/^config\.invalidOption: Option `openTelemetry` .*`@opentelemetry\/api` is not installed/) as unknown as string,
    });
  });

  it.each(['esm', 'cjs'] as const)('loads the API only when a store is built, when it is installed (%s)', async (format) => {
    const report = await runChild(format, false);
    expect(report.atImport).toEqual([]);
    expect(report.afterUse.some((path) => path.includes('@opentelemetry/api'))).toBe(true);
    expect(report.n).toBe(7);
    expect(report.required).toBe('no error');
  });
});
