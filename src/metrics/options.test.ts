import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isSessionManagerError } from '../errors.js';
import {
  DEFAULT_STATSD_PORT,
  defaultStatsdPrefixFor,
  resolveMetricsOptions,
  resolveStatsdOptions,
  type MetricsOptions,
  type StatsdOptionsInput,
} from './options.js';
import { noopSink } from './sink.js';

describe('defaultStatsdPrefixFor', () => {
  it.each([
    ['web-1', 'dynamo.web-1'],
    ['web-1.eu-west-1.compute.internal', 'dynamo.web-1_eu-west-1_compute_internal'],
    ['Host_Name', 'dynamo.Host_Name'],
    ['odd host:name|x#y', 'dynamo.odd_host_name_x_y'],
    ['  padded  ', 'dynamo.padded'],
    ['', 'dynamo'],
  ])('turns host name %j into %j', (host, expected) => {
    expect(defaultStatsdPrefixFor(host)).toBe(expected);
  });

  it("uses this machine's host name by default", () => {
    expect(defaultStatsdPrefixFor()).toBe(defaultStatsdPrefixFor(hostname()));
    expect(defaultStatsdPrefixFor()).toMatch(/^dynamo(\.[A-Za-z0-9_-]+)?$/);
  });
});

/** The error `run` throws, or undefined. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('resolveStatsdOptions', () => {
  it('is off (undefined) without statsdHost', () => {
    expect(resolveStatsdOptions({})).toBeUndefined();
  });

  it.each<[string, StatsdOptionsInput, { host: string; port: number; prefix: string | undefined }]>([
    ['defaults the port and leaves the prefix to the sink', { statsdHost: 'statsd.local' }, { host: 'statsd.local', port: DEFAULT_STATSD_PORT, prefix: undefined }],
    ["keeps '' as no prefix", { statsdHost: '127.0.0.1', statsdPrefix: '' }, { host: '127.0.0.1', port: DEFAULT_STATSD_PORT, prefix: '' }],
    ['keeps a one-segment prefix', { statsdHost: 'h', statsdPrefix: 'app' }, { host: 'h', port: DEFAULT_STATSD_PORT, prefix: 'app' }],
    ['keeps a dotted prefix', { statsdHost: 'h', statsdPrefix: 'app.web-1_eu' }, { host: 'h', port: DEFAULT_STATSD_PORT, prefix: 'app.web-1_eu' }],
    ['keeps port 1', { statsdHost: '::1', statsdPort: 1 }, { host: '::1', port: 1, prefix: undefined }],
    ['keeps port 65535', { statsdHost: 'h', statsdPort: 65_535 }, { host: 'h', port: 65_535, prefix: undefined }],
  ])('%s', (_label, input, expected) => {
    const resolved = resolveStatsdOptions(input);
    expect(resolved).toEqual(expected);
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('ignores keys other than the three statsd options (the caller checks those)', () => {
    expect(resolveStatsdOptions({ statsdHost: 'h', tableBaseName: 'x' } as StatsdOptionsInput)).toEqual({
      host: 'h',
      port: DEFAULT_STATSD_PORT,
      prefix: undefined,
    });
  });

  it.each<[string, StatsdOptionsInput, string, RegExp]>([
    ["'app.' (a trailing dot: the dot is added)", { statsdHost: 'h', statsdPrefix: 'app.' }, 'statsdPrefix', /`statsdPrefix` must be '' \(no prefix\) or dot-separated segments .*without a trailing dot; got "app\."\./],
    ["'.app' (a leading dot)", { statsdHost: 'h', statsdPrefix: '.app' }, 'statsdPrefix', /got "\.app"/],
    ["'a..b' (an empty segment)", { statsdHost: 'h', statsdPrefix: 'a..b' }, 'statsdPrefix', /got "a\.\.b"/],
    ["'a:b' (a colon would break the line)", { statsdHost: 'h', statsdPrefix: 'a:b' }, 'statsdPrefix', /got "a:b"/],
    ["'a b' (a space)", { statsdHost: 'h', statsdPrefix: 'a b' }, 'statsdPrefix', /got "a b"/],
    ['a prefix that is not a string', { statsdHost: 'h', statsdPrefix: 5 }, 'statsdPrefix', /got 5\./],
    ['an empty host', { statsdHost: '' }, 'statsdHost', /`statsdHost` must be a host name or IP address without spaces; got ""\./],
    ['a blank host', { statsdHost: '  ' }, 'statsdHost', /got " {2}"/],
    ['a host with a space', { statsdHost: 'a b' }, 'statsdHost', /got "a b"/],
    ['a host that is not a string', { statsdHost: 8125 }, 'statsdHost', /got 8125\./],
    ['port 0', { statsdHost: 'h', statsdPort: 0 }, 'statsdPort', /`statsdPort` must be a whole number ≥ 1 and ≤ 65535; got 0\./],
    ['port 65536', { statsdHost: 'h', statsdPort: 65_536 }, 'statsdPort', /got 65536\./],
    ['a fractional port', { statsdHost: 'h', statsdPort: 81.5 }, 'statsdPort', /got 81\.5\./],
    ['NaN as port', { statsdHost: 'h', statsdPort: Number.NaN }, 'statsdPort', /got NaN\./],
    ['a port as string', { statsdHost: 'h', statsdPort: '8125' }, 'statsdPort', /got "8125"\./],
  ])('rejects %s with config.invalidOption naming the option', (_label, input, option, message) => {
    const error = thrownBy(() => resolveStatsdOptions(input));
    expect(isSessionManagerError(error, 'config.invalidOption')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as { details?: unknown }).details).toEqual({ option });
  });

  it.each<[string, StatsdOptionsInput, string]>([
    ['a port', { statsdPort: 8125 }, 'statsdPort'],
    ['a prefix', { statsdPrefix: '' }, 'statsdPrefix'],
  ])('rejects %s without statsdHost with config.conflictingOptions', (_label, input, option) => {
    const error = thrownBy(() => resolveStatsdOptions(input));
    expect(isSessionManagerError(error, 'config.conflictingOptions')).toBe(true);
    expect((error as Error).message).toBe(`Option \`${option}\` needs \`statsdHost\`, which turns statsd on.`);
    expect((error as { details?: unknown }).details).toEqual({ options: ['statsdHost', option] });
  });
});

describe('resolveMetricsOptions', () => {
  it('leaves statsd off and the sink unset by default', () => {
    const resolved = resolveMetricsOptions();
    expect(resolved).toMatchObject({ sink: undefined, statsd: undefined, logger: undefined });
    expect(typeof resolved.now()).toBe('number');
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it.each<[string, MetricsOptions, { host: string; port: number; prefix: string }]>([
    ['defaults port and prefix', { statsdHost: 'statsd.local' }, { host: 'statsd.local', port: DEFAULT_STATSD_PORT, prefix: defaultStatsdPrefixFor() }],
    ['keeps a port and a prefix', { statsdHost: '10.0.0.5', statsdPort: 9125, statsdPrefix: 'app.sessions' }, { host: '10.0.0.5', port: 9125, prefix: 'app.sessions' }],
    ['accepts an empty prefix', { statsdHost: '::1', statsdPrefix: '' }, { host: '::1', port: DEFAULT_STATSD_PORT, prefix: '' }],
  ])('statsd: %s', (_label, input, expected) => {
    expect(resolveMetricsOptions(input).statsd).toEqual(expected);
  });

  it('keeps a given sink, clock and logger', () => {
    const now = (): number => 42;
    const logger = { warn: (): void => {} };
    expect(resolveMetricsOptions({ sink: noopSink, now, logger })).toMatchObject({ sink: noopSink, now, logger, statsd: undefined });
  });

  it('never writes into the caller object', () => {
    const input: MetricsOptions = Object.freeze({ statsdHost: 'h' });
    resolveMetricsOptions(input);
    expect(input).toEqual({ statsdHost: 'h' });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a misspelt key', { statsdhost: 'h' }, 'config.unknownOption', /Unknown metrics option `statsdhost`/],
    ['an empty host', { statsdHost: '' }, 'config.invalidOption', /`statsdHost` must be .*; got ""/],
    ['a host with spaces', { statsdHost: 'a b' }, 'config.invalidOption', /`statsdHost`/],
    ['a number as host', { statsdHost: 8125 }, 'config.invalidOption', /`statsdHost`.*got 8125/],
    ['port 0', { statsdHost: 'h', statsdPort: 0 }, 'config.invalidOption', /`statsdPort` must be a whole number ≥ 1 and ≤ 65535; got 0\./],
    ['port 70000', { statsdHost: 'h', statsdPort: 70_000 }, 'config.invalidOption', /got 70000/],
    ['a fractional port', { statsdHost: 'h', statsdPort: 81.5 }, 'config.invalidOption', /`statsdPort`/],
    ['a port as string', { statsdHost: 'h', statsdPort: '8125' }, 'config.invalidOption', /got "8125"/],
    ['a prefix ending in a dot', { statsdHost: 'h', statsdPrefix: 'app.' }, 'config.invalidOption', /`statsdPrefix`.*got "app\."/],
    ['a prefix with a colon', { statsdHost: 'h', statsdPrefix: 'a:b' }, 'config.invalidOption', /`statsdPrefix`/],
    ['a sink without gauge', { sink: { increment() {}, timing() {} } }, 'config.invalidOption', /`sink` must be/],
    ['a clock that is a number', { now: 5 }, 'config.invalidOption', /`now`/],
    ['a logger without warn', { logger: { info() {} } }, 'config.invalidOption', /`logger`/],
    ['both sink and statsdHost', { sink: noopSink, statsdHost: 'h' }, 'config.conflictingOptions', /`sink` and `statsdHost` exclude each other/],
    ['a port without host', { statsdPort: 8125 }, 'config.conflictingOptions', /`statsdPort` needs `statsdHost`/],
    ['a prefix without host', { statsdPrefix: 'x' }, 'config.conflictingOptions', /`statsdPrefix` needs `statsdHost`/],
  ])('rejects %s', (_label, input, code, message) => {
    let thrown: unknown;
    try {
      resolveMetricsOptions(input as MetricsOptions);
    } catch (error) {
      thrown = error;
    }
    expect(isSessionManagerError(thrown, code)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  });
});
