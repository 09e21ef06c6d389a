import type { StatsD } from 'hot-shots';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createManualClock } from '../../test/support/manual-clock.js';
import { isSessionManagerError } from '../errors.js';
import { Metrics } from './metrics.js';
import { METRIC, METRIC_TAG, formatTag } from './names.js';
import { SINK_ERROR_LOG_INTERVAL_MS, type MetricsLogger } from './options.js';
import type { MetricsSnapshot } from './snapshot.js';
import type { MetricsSink } from './sink.js';

type SinkMethod = 'increment' | 'timing' | 'gauge' | 'histogram';
type Call = [method: SinkMethod | 'close', ...args: unknown[]];

/** A sink that writes down every call, optionally without `histogram`. */
function createRecordingSink(options: { withHistogram?: boolean } = {}): MetricsSink & { calls: Call[] } {
  const calls: Call[] = [];
  const sink: MetricsSink & { calls: Call[] } = {
    calls,
    increment: (...args) => void calls.push(['increment', ...args]),
    timing: (...args) => void calls.push(['timing', ...args]),
    gauge: (...args) => void calls.push(['gauge', ...args]),
    close: (callback) => {
      calls.push(['close']);
      callback?.();
    },
  };
  if (options.withHistogram ?? true) sink.histogram = (...args) => void calls.push(['histogram', ...args]);
  return sink;
}

/** A sink whose every method throws. */
function createThrowingSink(): MetricsSink {
  const fail = (): never => {
    throw new Error('sink down');
  };
  return { increment: fail, timing: fail, gauge: fail, histogram: fail };
}

function createRecordingLogger(): MetricsLogger & { warnings: Array<[Record<string, unknown>, string | undefined]> } {
  const warnings: Array<[Record<string, unknown>, string | undefined]> = [];
  return { warnings, warn: (context, message) => void warnings.push([context, message]) };
}

const GET_ITEM = formatTag(METRIC_TAG.op, 'GetItem');

interface RecordCase {
  label: string;
  record: (metrics: Metrics) => void;
  /** The call the sink must receive. */
  sent: Call;
  /** The figure the registry must then show. */
  read: (snapshot: MetricsSnapshot) => unknown;
  shows: unknown;
}

const recordCases: RecordCase[] = [
  {
    label: 'increment by 1 by default',
    record: (m) => m.increment(METRIC.sessionSavePut),
    sent: ['increment', 'session.save.put', 1, undefined, undefined],
    read: (s) => s.counters['session.save.put'],
    shows: { total: 1, byTag: {} },
  },
  {
    label: 'increment by a fraction, tagged',
    record: (m) => m.increment(METRIC.capacityRead, 0.5, [GET_ITEM]),
    sent: ['increment', 'capacity.read', 0.5, undefined, ['op:GetItem']],
    read: (s) => s.counters['capacity.read'],
    shows: { total: 0.5, byTag: { 'op:GetItem': 0.5 } },
  },
  {
    label: 'timing',
    record: (m) => m.timing(METRIC.sessionLoad, 12),
    sent: ['timing', 'session.load', 12, undefined, undefined],
    read: (s) => s.timers['session.load'].lastMs,
    shows: 12,
  },
  {
    label: 'tagged timing',
    record: (m) => m.timing(METRIC.dynamodbLatency, 7.5, [GET_ITEM]),
    sent: ['timing', 'dynamodb.latency', 7.5, undefined, ['op:GetItem']],
    read: (s) => s.timers['dynamodb.latency'].byTag['op:GetItem']?.sumMs,
    shows: 7.5,
  },
  {
    label: 'histogram',
    record: (m) => m.histogram(METRIC.sessionSize, 1234),
    sent: ['histogram', 'session.size', 1234, undefined, undefined],
    read: (s) => s.histograms['session.size'].last,
    shows: 1234,
  },
  {
    label: 'gauge',
    record: (m) => m.gauge(METRIC.tablesCount, 3),
    sent: ['gauge', 'tables.count', 3, undefined, undefined],
    read: (s) => s.gauges['tables.count'].value,
    shows: 3,
  },
];

describe('Metrics', () => {
  it.each(recordCases)('forwards $label to the sink in hot-shots order', ({ record, sent }) => {
    const sink = createRecordingSink();
    record(new Metrics({ sink }));
    expect(sink.calls).toEqual([sent]);
  });

  it.each(recordCases)('records $label in the registry too', ({ record, read, shows }) => {
    const metrics = new Metrics({ sink: createRecordingSink() });
    record(metrics);
    expect(read(metrics.snapshot())).toEqual(shows);
  });

  it('sends histograms with timing when the sink has no histogram method', () => {
    const sink = createRecordingSink({ withHistogram: false });
    new Metrics({ sink }).histogram(METRIC.sessionSize, 2048);
    expect(sink.calls).toEqual([['timing', 'session.size', 2048, undefined, undefined]]);
  });

  it('forwards nothing for a refused value', () => {
    const sink = createRecordingSink();
    const metrics = new Metrics({ sink });
    metrics.increment(METRIC.capacityRead, Number.NaN);
    metrics.timing(METRIC.sessionLoad, -3);
    metrics.histogram(METRIC.sessionSize, Infinity);
    expect(sink.calls).toEqual([]);
    expect(metrics.snapshot().meta.invalidValues).toBe(3);
  });

  it('records without a sink (statsd off)', () => {
    const metrics = new Metrics();
    metrics.increment(METRIC.requestCount);
    expect(metrics.snapshot().counters['request.count'].total).toBe(1);
  });

  it.each(recordCases)('never lets a throwing sink reach the caller: $label', ({ record, read, shows }) => {
    const metrics = new Metrics({ sink: createThrowingSink() });
    expect(() => record(metrics)).not.toThrow();
    expect(metrics.snapshot().meta.sinkErrors).toBe(1);
    expect(read(metrics.snapshot())).toEqual(shows);
  });

  it(`logs sink failures at warn, at most once per ${SINK_ERROR_LOG_INTERVAL_MS} ms, counting the ones it held back`, () => {
    const clock = createManualClock(1_000_000);
    const logger = createRecordingLogger();
    const metrics = new Metrics({ sink: createThrowingSink(), logger, now: clock });
    metrics.increment(METRIC.requestCount);
    metrics.increment(METRIC.requestCount);
    clock.advance(SINK_ERROR_LOG_INTERVAL_MS - 1);
    metrics.increment(METRIC.requestCount);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]?.[0]).toMatchObject({ suppressed: 0, err: new Error('sink down') });
    expect(logger.warnings[0]?.[1]).toMatch(/Sending metrics failed/);
    clock.advance(1);
    metrics.increment(METRIC.requestCount);
    expect(logger.warnings).toHaveLength(2);
    expect(logger.warnings[1]?.[0]).toMatchObject({ suppressed: 2 });
    expect(metrics.snapshot().meta.sinkErrors).toBe(4);
  });

  it('survives a logger that throws too', () => {
    const logger: MetricsLogger = {
      warn: () => {
        throw new Error('logger down');
      },
    };
    const metrics = new Metrics({ sink: createThrowingSink(), logger });
    expect(() => metrics.increment(METRIC.requestCount)).not.toThrow();
  });

  it('times with the injected clock', () => {
    const clock = createManualClock(0);
    const sink = createRecordingSink();
    const metrics = new Metrics({ sink, now: clock });
    const stop = metrics.startTimer(METRIC.dynamodbLatency, [GET_ITEM]);
    clock.advance(25);
    expect(stop()).toBe(25);
    expect(sink.calls).toEqual([['timing', 'dynamodb.latency', 25, undefined, ['op:GetItem']]]);
    expect(metrics.snapshot().timers['dynamodb.latency'].byTag['op:GetItem']?.lastMs).toBe(25);
  });

  it('records 0 ms rather than a negative time when the clock steps back', () => {
    const clock = createManualClock(100);
    const metrics = new Metrics({ now: clock });
    const stop = metrics.startTimer(METRIC.sessionLoad);
    clock.set(50);
    expect(stop()).toBe(0);
    expect(metrics.snapshot().timers['session.load'].count).toBe(1);
  });

  it('returns a new snapshot each time, and reset() clears it', () => {
    const metrics = new Metrics();
    metrics.increment(METRIC.sessionDestroy);
    const first = metrics.snapshot();
    expect(metrics.snapshot()).not.toBe(first);
    metrics.reset();
    expect(metrics.snapshot().counters['session.destroy'].total).toBe(0);
    expect(first.counters['session.destroy'].total).toBe(1);
  });

  describe('close', () => {
    it('stops forwarding, keeps recording, and leaves a sink it was given open', async () => {
      const sink = createRecordingSink();
      const metrics = new Metrics({ sink });
      await metrics.close();
      metrics.increment(METRIC.sessionDestroy);
      expect(sink.calls).toEqual([]);
      expect(metrics.snapshot().counters['session.destroy'].total).toBe(1);
    });

    it('is idempotent', async () => {
      const metrics = new Metrics();
      const first = metrics.close();
      expect(metrics.close()).toBe(first);
      await expect(first).resolves.toBeUndefined();
    });
  });

  it('rejects bad options at construction', () => {
    expect(() => new Metrics({ statsdHost: 'h', statsdPort: -1 })).toThrowError(/`statsdPort`/);
    expect(() => new Metrics({ statsdport: 1 } as never)).toThrow(
      expect.toSatisfy((error: unknown) => isSessionManagerError(error, 'config.unknownOption')),
    );
  });

  it('has types that accept a hot-shots client as sink and names only of the right kind', () => {
    expectTypeOf<StatsD>().toMatchTypeOf<MetricsSink>();
    const metrics = new Metrics();
    // @ts-expect-error a counter is not a timer
    metrics.timing(METRIC.sessionSavePut, 1);
    // @ts-expect-error a timer is not a counter
    metrics.increment(METRIC.sessionLoad);
    // @ts-expect-error not a metric name
    metrics.increment('session.saved');
    expect(metrics.snapshot().meta.invalidValues).toBe(3);
  });
});
