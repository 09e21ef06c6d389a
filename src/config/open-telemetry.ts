import type { OpenTelemetryOptions, ResolvedOpenTelemetryOptions } from '../metrics/otel/options.js';
import { invalidOption, rejectUnknownKeys } from './validate.js';

const KEYS = ['meterProvider', 'tracerProvider'] as const satisfies readonly (keyof OpenTelemetryOptions)[];

function hasMethod(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[name] === 'function';
}

/**
 * Validates the `openTelemetry` option: the one place its rules live. Pure: it loads nothing
 * (the store loads `@opentelemetry/api` when it is built, see `createTelemetry`).
 *
 * - left out: `auto`, OpenTelemetry is used when `@opentelemetry/api` is installed;
 * - `false`: `off`, nothing is loaded or recorded; `true`: `required`;
 * - an object: `required`, with `meterProvider` (has `getMeter`) and/or `tracerProvider`
 *   (has `getTracer`) used instead of the global providers.
 *
 * @param value - the option as given.
 * @returns the resolved option, frozen.
 * @throws {SessionManagerError} `config.invalidOption` naming `openTelemetry` or the bad provider;
 *   `config.unknownOption` for an unknown key.
 * @example
 * ```ts
 * resolveOpenTelemetryOption(undefined); // { mode: 'auto', meterProvider: undefined, tracerProvider: undefined }
 * resolveOpenTelemetryOption(false);     // { mode: 'off' }
 * ```
 */
export function resolveOpenTelemetryOption(value: unknown): ResolvedOpenTelemetryOptions {
  if (value === false) return Object.freeze({ mode: 'off' });
  if (value === undefined || value === true) {
    return Object.freeze({ mode: value === true ? 'required' : 'auto', meterProvider: undefined, tracerProvider: undefined });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption('openTelemetry', 'true, false or an object with meterProvider and/or tracerProvider', value);
  }
  const given = value as Record<string, unknown>;
  rejectUnknownKeys(given, KEYS, 'openTelemetry');
  const { meterProvider, tracerProvider } = given;
  if (meterProvider !== undefined && !hasMethod(meterProvider, 'getMeter')) {
    throw invalidOption('openTelemetry.meterProvider', 'an OpenTelemetry MeterProvider (with getMeter)', meterProvider);
  }
  if (tracerProvider !== undefined && !hasMethod(tracerProvider, 'getTracer')) {
    throw invalidOption('openTelemetry.tracerProvider', 'an OpenTelemetry TracerProvider (with getTracer)', tracerProvider);
  }
  return Object.freeze({
    mode: 'required',
    meterProvider: meterProvider as OpenTelemetryOptions['meterProvider'],
    tracerProvider: tracerProvider as OpenTelemetryOptions['tracerProvider'],
  });
}
