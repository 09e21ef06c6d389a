import { createRequire } from 'node:module';
import type * as OpenTelemetryApiModule from '@opentelemetry/api';

/** The `@opentelemetry/api` module, as the package uses it. */
export type OpenTelemetryApi = typeof OpenTelemetryApiModule;

/** The API once looked for: the module, `null` when it is not installed, `undefined` before the first look. */
let loaded: OpenTelemetryApi | null | undefined;

/**
 * Loads `@opentelemetry/api`, an optional peer dependency, the first time a store asks for it
 * (at its construction), and never before: importing the package loads nothing. Resolved with
 * the application's own module resolution (a CommonJS `require`, from ESM and CommonJS builds
 * alike), so the store and the application's SDK share the API's global providers.
 *
 * @internal
 * @returns the API, or `undefined` when it is not installed (or fails to load).
 */
export function loadOpenTelemetryApi(): OpenTelemetryApi | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@opentelemetry/api') as OpenTelemetryApi;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
