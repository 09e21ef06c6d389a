import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** Runs a snippet in a fresh Node process in the package root, where the package resolves itself by name through its exports map. */
async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: root, timeout: 30_000 });
  return stdout.trim();
}

describe('the built package', () => {
  it('has been built (npm test builds before testing)', () => {
    expect(existsSync(`${root}dist/index.js`), 'run `npm run build` first').toBe(true);
  });

  it.each([
    ['dynamo-session-manager', ['DynamoSessionStore', 'sessionTracker', 'SessionManagerError', 'isSessionManagerError']],
    ['dynamo-session-manager/local', ['startLocalDynamo']],
    ['dynamo-session-manager/fastify', ['fastifySessionTracker']],
    ['dynamo-session-manager/koa', ['koaSessionStore', 'koaSessionTracker']],
    ['dynamo-session-manager/lambda', ['createMaintenanceHandler']],
  ])('%s works with import and with require', async (specifier, names) => {
    const esm = await node(['--input-type=module', '-e', `const m = await import('${specifier}'); console.log(JSON.stringify(Object.keys(m).sort()))`]);
    const cjs = await node(['-e', `console.log(JSON.stringify(Object.keys(require('${specifier}')).sort()))`]);
    for (const name of names) {
      expect(JSON.parse(esm)).toContain(name);
      expect(JSON.parse(cjs)).toContain(name);
    }
  });

  it('gives ESM and CommonJS the same error class brand, so the guard works across both copies', async () => {
    const out = await node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       const esm = await import('dynamo-session-manager');
       const cjs = createRequire(process.cwd() + '/')('dynamo-session-manager');
       const err = new cjs.SessionManagerError('backend.throttled', 'x');
       console.log(esm.isSessionManagerError(err, 'backend.'), err instanceof esm.SessionManagerError);`,
    ]);
    expect(out).toBe('true false');
  });

  it('runs the dsm binary from the build', async () => {
    expect(await node(['dist/cli.js', '--version'])).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('ships type declarations for both formats and only dist in the tarball', async () => {
    for (const entry of ['index', 'local', 'fastify', 'koa', 'lambda', 'cli']) {
      for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expect(existsSync(`${root}dist/${entry}.${ext}`), `dist/${entry}.${ext}`).toBe(true);
    }
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, timeout: 60_000 });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files.every((path) => path.startsWith('dist/') || ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(path))).toBe(true);
  });
});
