import { createRequire } from 'node:module';
import express5 from 'express';
import express4 from 'express4';

/** The `express` function with its helpers (`express.json`...), typed by Express 5's declarations. */
export type ExpressModule = typeof express5;

/** One Express major the integration tests run on. */
export interface ExpressVersion {
  /** The major version, as test names show it. */
  readonly major: 4 | 5;
  /** The installed version, read from its package.json. */
  readonly version: string;
  /** The module itself. */
  readonly express: ExpressModule;
}

const require = createRequire(import.meta.url);
const installedVersion = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;

/**
 * Both Express majors, from the devDependencies `express` (5) and `express4` (an npm alias of
 * express@4). Express 4 is typed here by Express 5's declarations: the test apps use only what
 * both share (`express()`, `express.json`, routes with plain paths, `res.json`, error handlers),
 * and the README's code is type-checked against each major's own declarations
 * (test/integration/readme-code.test.ts).
 */
export const EXPRESS_VERSIONS: readonly ExpressVersion[] = [
  { major: 5, version: installedVersion('express'), express: express5 },
  { major: 4, version: installedVersion('express4'), express: express4 as unknown as ExpressModule },
];

/**
 * The Express version of a major, for worker processes that are told which one to run.
 *
 * @throws {Error} for a major that is not installed.
 */
export function expressVersion(major: string | number | undefined): ExpressVersion {
  const found = EXPRESS_VERSIONS.find((v) => String(v.major) === String(major));
  if (found === undefined) throw new Error(`No Express ${String(major)} installed; the tests run on ${EXPRESS_VERSIONS.map((v) => v.major).join(' and ')}`);
  return found;
}
