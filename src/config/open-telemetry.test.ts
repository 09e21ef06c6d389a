import { describe, expect, it } from 'vitest';
import { resolveOpenTelemetryOption } from './open-telemetry.js';

const meterProvider = { getMeter: () => ({}) };
const tracerProvider = { getTracer: () => ({}) };

describe('resolveOpenTelemetryOption', () => {
  it.each([
    [undefined, { mode: 'auto', meterProvider: undefined, tracerProvider: undefined }],
    [false, { mode: 'off' }],
    [true, { mode: 'required', meterProvider: undefined, tracerProvider: undefined }],
    [{}, { mode: 'required', meterProvider: undefined, tracerProvider: undefined }],
    [{ meterProvider }, { mode: 'required', meterProvider, tracerProvider: undefined }],
    [{ meterProvider, tracerProvider }, { mode: 'required', meterProvider, tracerProvider }],
  ])('resolves %j', (value, expected) => {
    const resolved = resolveOpenTelemetryOption(value);
    expect(resolved).toEqual(expected);
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it.each([
    ['yes', 'config.invalidOption', /Option `openTelemetry` must be true, false or an object/],
    [[], 'config.invalidOption', /Option `openTelemetry` must be/],
    [{ meterProvider: {} }, 'config.invalidOption', /Option `openTelemetry.meterProvider` must be an OpenTelemetry MeterProvider/],
    [{ tracerProvider: 'x' }, 'config.invalidOption', /Option `openTelemetry.tracerProvider` must be an OpenTelemetry TracerProvider/],
    [{ meterprovider: meterProvider }, 'config.unknownOption', /Unknown option `meterprovider` for openTelemetry. Did you mean `meterProvider`\?/],
  ])('refuses %j, naming the option', (value, code, message) => {
    expect(() => resolveOpenTelemetryOption(value)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});
