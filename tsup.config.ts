import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

/** One entry per public subpath; see the `exports` map in package.json. */
const entries: Record<string, string> = {
  index: 'src/index.ts',
  local: 'src/local/index.ts',
  fastify: 'src/adapters/fastify.ts',
  koa: 'src/adapters/koa.ts',
  lambda: 'src/lambda/index.ts',
  cli: 'src/cli/main.ts',
};

export default defineConfig({
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node22',
  splitting: true,
});
