import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/**
 * The integration tests that serve an Express app (those that use test/support/express-app.ts):
 * the `integration` project runs them on Express 5, `integration-express4` again on Express 4.
 */
const expressTests = readdirSync('test', { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts') && !file.startsWith('soak/'))
  .filter((file) => readFileSync(`test/${file}`, 'utf8').includes('/express-app.js'))
  .map((file) => `test/${file}`);

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
