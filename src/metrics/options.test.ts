import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isSessionManagerError } from '../errors.js';
import { DEFAULT_STATSD_PORT, defaultStatsdPrefixFor, resolveMetricsOptions, type MetricsOptions } from './options.js';
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
    ['port 0', { statsdHost: 'h', statsdPort: 0 }, 'config.invalidOption', /`statsdPort` must be a whole number from 1 to 65535; got 0\./],
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
