import { SessionManagerError } from '../../errors.js';
import { loadOpenTelemetryApi } from './api.js';
import { OpenTelemetryTelemetry } from './open-telemetry.js';
import type { ResolvedOpenTelemetryOptions } from './options.js';
import { noopTelemetry, type Telemetry } from './telemetry.js';

/**
 * Builds the store's telemetry from its `openTelemetry` option: {@link noopTelemetry} when it is
 * `false`, or when `@opentelemetry/api` is not installed and the option was left out; otherwise
 * telemetry through the API (see {@link loadOpenTelemetryApi}: this is where it is loaded).
 *
 * @internal
 * @param options - the resolved option.
 * @param tableBaseName - the tables' logical name, for `db.collection.name`.
 * @throws {SessionManagerError} `config.invalidOption` when OpenTelemetry was asked for
 *   (`openTelemetry: true` or providers given) and `@opentelemetry/api` is not installed.
 */
export function createTelemetry(options: ResolvedOpenTelemetryOptions, tableBaseName: string): Telemetry {
  if (options.mode === 'off') return noopTelemetry;
  const api = loadOpenTelemetryApi();
  if (api === undefined) {
    if (options.mode === 'auto') return noopTelemetry;
    throw new SessionManagerError(
      'config.invalidOption',
      'Option `openTelemetry` asks for OpenTelemetry, but `@opentelemetry/api` is not installed: install it (npm install @opentelemetry/api), or leave the option out.',
      { details: { option: 'openTelemetry' } },
    );
  }
  return new OpenTelemetryTelemetry(api, options, tableBaseName);
}
