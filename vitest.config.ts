import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/**
 * The integration tests that serve an Express app (those that use test/support/express-app.ts):
 * the `integration` project runs them on Express 5, `integration-express4` again on Express 4.
 */
const testDir = fileURLToPath(new URL('./test/', import.meta.url));
const expressTests = readdirSync(testDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts') && !file.startsWith('soak/'))
  .filter((file) => readFileSync(`${testDir}${file}`, 'utf8').includes('/express-app.js'))
  .map((file) => `test/${file}`);
if (!expressTests.includes('test/integration/express-store.test.ts')) throw new Error('vitest.config.ts: found no Express test files for integration-express4');

// Node 20 is past its end of life and no longer supported (package.json engines: >=22). The tests
// still run on it, but every process that makes an AWS SDK client would print the SDK's
// NodeVersionSupportWarning (dozens per run): say it once here instead.
if (Number(process.versions.node.split('.')[0]) < 22 && process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.warn(`Node ${process.version} is not supported (engines: >=22); CI tests on 22, 24 and 26: \`.ci/with-node 24 npm test\`.`);
}

const integration = {
  globalSetup: ['test/support/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  resolve: {
    // Tests import the package by name, as users do; these point the names at the sources, so
    // tests never run against a stale build. The packaging test checks the built exports map.
    alias: [
      { find: /^dynamo-session-manager\/local$/, replacement: src('local/index.ts') },
      { find: /^dynamo-session-manager\/fastify$/, replacement: src('adapters/fastify.ts') },
      { find: /^dynamo-session-manager\/koa$/, replacement: src('adapters/koa.ts') },
      { find: /^dynamo-session-manager\/lambda$/, replacement: src('lambda/index.ts') },
      { find: /^dynamo-session-manager$/, replacement: src('index.ts') },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/soak/**'],
          provide: { expressMajor: 5 },
          ...integration,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-express4',
          include: expressTests,
          provide: { expressMajor: 4 },
          ...integration,
        },
      },
      {
        // Many processes and a JVM for minutes: run alone, after the other suites, so that neither
        // the soak nor the suites next to it are starved of CPU on a small machine.
        extends: true,
        test: {
          name: 'soak',
          include: ['test/soak/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
