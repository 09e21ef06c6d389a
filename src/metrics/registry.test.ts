import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../test/support/manual-clock.js';
import { METRIC, METRIC_INFO, SESSION_SIZE_BUCKETS_BYTES, type CounterName, type TimerName } from './names.js';
import { MAX_TAGS_PER_METRIC, OVERFLOW_TAG, TIMER_WINDOW_SIZE, nearestRank } from './cells.js';
import { MetricsRegistry } from './registry.js';

const START_MS = Date.UTC(2025, 0, 1);

function newRegistry(): MetricsRegistry {
  return new MetricsRegistry({ now: createManualClock(START_MS) });
}

describe('MetricsRegistry counters', () => {
  it.each<[string, CounterName, number[], number]>([
    ['whole increments', METRIC.sessionSavePut, [1, 1, 1], 3],
    ['fractional capacity units', METRIC.capacityRead, [0.5, 0.5, 1.5], 2.5],
    ['half units', METRIC.capacityWrite, [0.5], 0.5],
    ['a negative increment', METRIC.requestCount, [5, -2], 3],
    ['no increment', METRIC.sessionDestroy, [], 0],
  ])('adds up %s', (_label, name, values, expected) => {
    const registry = newRegistry();
    for (const value of values) registry.increment(name, value);
    expect(registry.snapshot().counters[name].total).toBeCloseTo(expected, 10);
  });

  it('keeps a sub-total per tag, and the tagged increments in the total', () => {
    const registry = newRegistry();
    registry.increment(METRIC.dynamodbCalls, 1, ['op:GetItem']);
    registry.increment(METRIC.dynamodbCalls, 1, ['op:GetItem']);
    registry.increment(METRIC.dynamodbCalls, 1, ['op:PutItem']);
    registry.increment(METRIC.dynamodbCalls, 1);
    registry.increment(METRIC.capacityRead, 0.5, ['op:GetItem']);
    const { counters } = registry.snapshot();
    expect(counters['dynamodb.calls']).toEqual({ total: 4, byTag: { 'op:GetItem': 2, 'op:PutItem': 1 } });
    expect(counters['capacity.read']).toEqual({ total: 0.5, byTag: { 'op:GetItem': 0.5 } });
  });

  it('counts a call with two tags under each tag', () => {
    const registry = newRegistry();
    registry.increment(METRIC.dynamodbError, 2, ['op:Query', 'kind:timeout']);
    expect(registry.snapshot().counters['dynamodb.error'].byTag).toEqual({ 'op:Query': 2, 'kind:timeout': 2 });
  });

  it(`keeps at most ${MAX_TAGS_PER_METRIC} tags per metric and adds the rest under ${OVERFLOW_TAG}`, () => {
    const registry = newRegistry();
    for (let index = 0; index < MAX_TAGS_PER_METRIC + 10; index += 1) {
      registry.increment(METRIC.dynamodbCalls, 1, [`op:Op${index}`]);
    }
    registry.increment(METRIC.dynamodbCalls, 1, ['op:Op0']);
    const { byTag, total } = registry.snapshot().counters['dynamodb.calls'];
    expect(Object.keys(byTag)).toHaveLength(MAX_TAGS_PER_METRIC + 1);
    expect(byTag[OVERFLOW_TAG]).toBe(10);
    expect(byTag['op:Op0']).toBe(2);
    expect(total).toBe(MAX_TAGS_PER_METRIC + 11);
  });
});

describe('MetricsRegistry timers', () => {
  it('summarises count, sum, min, max, last and mean', () => {
    const registry = newRegistry();
    for (const ms of [12, 3, 40, 7]) registry.timing(METRIC.sessionLoad, ms);
    expect(registry.snapshot().timers['session.load']).toEqual({
      count: 4,
      sumMs: 62,
      minMs: 3,
      maxMs: 40,
      lastMs: 7,
      meanMs: 15.5,
      p50Ms: 7,
      p99Ms: 40,
      byTag: {},
    });
  });

  it('reports nulls before the first value', () => {
    const registry = newRegistry();
    expect(registry.snapshot().timers['session.save']).toEqual({
      count: 0,
      sumMs: 0,
      minMs: null,
      maxMs: null,
      lastMs: null,
      meanMs: null,
      p50Ms: null,
      p99Ms: null,
      byTag: {},
    });
  });

  it('computes p50 and p99 of 1..100 by nearest rank', () => {
    const registry = newRegistry();
    // Recorded in a scrambled order: the percentiles must not depend on it.
    for (let index = 0; index < 100; index += 1) registry.timing(METRIC.requestDuration, ((index * 37) % 100) + 1);
    const timer = registry.snapshot().timers['request.duration'];
    expect(timer.p50Ms).toBe(50);
    expect(timer.p99Ms).toBe(99);
    expect(timer.minMs).toBe(1);
    expect(timer.maxMs).toBe(100);
  });

  it(`takes percentiles over the last ${TIMER_WINDOW_SIZE} values, min and max over all`, () => {
    const registry = newRegistry();
    for (let index = 0; index < TIMER_WINDOW_SIZE; index += 1) registry.timing(METRIC.sessionSave, 1000);
    for (let index = 0; index < TIMER_WINDOW_SIZE; index += 1) registry.timing(METRIC.sessionSave, 5);
    const timer = registry.snapshot().timers['session.save'];
    expect(timer.p50Ms).toBe(5);
    expect(timer.p99Ms).toBe(5);
    expect(timer.maxMs).toBe(1000);
    expect(timer.count).toBe(2 * TIMER_WINDOW_SIZE);
  });

  it('keeps a summary per tag', () => {
    const registry = newRegistry();
    registry.timing(METRIC.dynamodbLatency, 4, ['op:GetItem']);
    registry.timing(METRIC.dynamodbLatency, 6, ['op:GetItem']);
    registry.timing(METRIC.dynamodbLatency, 20, ['op:PutItem']);
    const timer = registry.snapshot().timers['dynamodb.latency'];
    expect(timer.count).toBe(3);
    expect(timer.byTag['op:GetItem']).toMatchObject({ count: 2, sumMs: 10, minMs: 4, maxMs: 6, p50Ms: 4, p99Ms: 6 });
    expect(timer.byTag['op:PutItem']).toMatchObject({ count: 1, p50Ms: 20, p99Ms: 20 });
  });

  it.each([
    [[], 0.5, null],
    [[7], 0.5, 7],
    [[7], 0.99, 7],
    [[1, 2], 0.5, 1],
    [[1, 2, 3, 4], 0.5, 2],
    [[1, 2, 3, 4], 0.99, 4],
    [[1, 2, 3, 4], 0.25, 1],
  ])('nearestRank(%j, %d) is %j', (sorted, fraction, expected) => {
    expect(nearestRank(sorted, fraction)).toBe(expected);
  });
});

describe('MetricsRegistry session-size histogram', () => {
  const bucketCases: Array<[number, number | null]> = [
    [0, 256],
    [256, 256],
    [257, 512],
    [1024, 1024],
    [1025, 2048],
    [16_384, 16_384],
    [16_385, 32_768],
    [65_537, 131_072],
    [409_600, 409_600],
    [409_601, null],
    [2_000_000, null],
  ];

  it.each(bucketCases)('puts %d bytes in the bucket up to %j', (bytes, upTo) => {
    const registry = newRegistry();
    registry.histogram(METRIC.sessionSize, bytes);
    const { buckets } = registry.snapshot().histograms['session.size'];
    expect(buckets.filter((bucket) => bucket.count > 0)).toEqual([{ upTo, count: 1 }]);
  });

  it('has one bucket per bound plus an unbounded one, and summarises in bytes', () => {
    const registry = newRegistry();
    for (const bytes of [100, 300, 300, 5000]) registry.histogram(METRIC.sessionSize, bytes);
    const histogram = registry.snapshot().histograms['session.size'];
    expect(histogram.buckets.map((bucket) => bucket.upTo)).toEqual([...SESSION_SIZE_BUCKETS_BYTES, null]);
    expect(histogram).toMatchObject({ unit: 'bytes', count: 4, sum: 5700, min: 100, max: 5000, last: 5000 });
    expect(histogram.buckets.map((bucket) => bucket.count).reduce((a, b) => a + b)).toBe(4);
  });
});

describe('MetricsRegistry gauges', () => {
  it('keeps the latest value and when it was set, from the clock', () => {
    const clock = createManualClock(START_MS);
    const registry = new MetricsRegistry({ now: clock });
    expect(registry.snapshot().gauges['tables.count']).toEqual({ value: null, updatedAtMs: null, byTag: {} });
    registry.gauge(METRIC.tablesCount, 2);
    clock.advance(500);
    registry.gauge(METRIC.tablesCount, 3);
    expect(registry.snapshot().gauges['tables.count']).toEqual({ value: 3, updatedAtMs: START_MS + 500, byTag: {} });
  });
});

describe('MetricsRegistry refusals', () => {
  it.each<[string, (registry: MetricsRegistry) => boolean]>([
    ['a NaN increment', (r) => r.increment(METRIC.sessionSavePut, Number.NaN)],
    ['an infinite increment', (r) => r.increment(METRIC.capacityRead, Infinity)],
    ['a negative duration', (r) => r.timing(METRIC.sessionLoad, -1)],
    ['a NaN duration', (r) => r.timing(METRIC.sessionLoad, Number.NaN)],
    ['a negative size', (r) => r.histogram(METRIC.sessionSize, -5)],
    ['an infinite gauge', (r) => r.gauge(METRIC.tablesCount, -Infinity)],
    ['an unknown counter', (r) => r.increment('no.such.metric' as CounterName, 1)],
    ['a timer name given as a counter', (r) => r.increment(METRIC.sessionLoad as unknown as CounterName, 1)],
    ['a counter name given as a timer', (r) => r.timing(METRIC.sessionSavePut as unknown as TimerName, 1)],
  ])('refuses %s and counts it in meta.invalidValues', (_label, record) => {
    const registry = newRegistry();
    const before = JSON.stringify({ ...registry.snapshot(), meta: undefined });
    expect(record(registry)).toBe(false);
    const after = registry.snapshot();
    expect(after.meta.invalidValues).toBe(1);
    expect(JSON.stringify({ ...after, meta: undefined })).toBe(before);
    expect(Object.keys(after.counters)).not.toContain('no.such.metric');
  });

  it('accepts a zero duration', () => {
    const registry = newRegistry();
    expect(registry.timing(METRIC.sessionLoad, 0)).toBe(true);
    expect(registry.snapshot().timers['session.load'].count).toBe(1);
  });
});

describe('MetricsRegistry snapshot', () => {
  it('lists every metric of METRIC_INFO under its kind', () => {
    const snapshot = newRegistry().snapshot();
    const listed = {
      counter: Object.keys(snapshot.counters),
      timer: Object.keys(snapshot.timers),
      histogram: Object.keys(snapshot.histograms),
      gauge: Object.keys(snapshot.gauges),
    };
    for (const [name, info] of Object.entries(METRIC_INFO)) expect(listed[info.kind]).toContain(name);
    expect(Object.values(listed).flat()).toHaveLength(Object.keys(METRIC_INFO).length);
  });

  it('stamps startedAtMs and takenAtMs from the clock', () => {
    const clock = createManualClock(START_MS);
    const registry = new MetricsRegistry({ now: clock });
    clock.advance(1234);
    expect(registry.snapshot()).toMatchObject({ startedAtMs: START_MS, takenAtMs: START_MS + 1234 });
  });

  it('is a copy: changing it changes nothing, and later records do not change it', () => {
    const registry = newRegistry();
    registry.increment(METRIC.dynamodbCalls, 1, ['op:GetItem']);
    registry.timing(METRIC.sessionLoad, 5);
    const first = registry.snapshot();

    (first.counters['dynamodb.calls'] as { total: number }).total = 99;
    (first.counters['dynamodb.calls'].byTag as Record<string, number>)['op:GetItem'] = 99;
    (first.timers['session.load'] as { count: number }).count = 99;
    expect(registry.snapshot().counters['dynamodb.calls']).toEqual({ total: 1, byTag: { 'op:GetItem': 1 } });
    expect(registry.snapshot().timers['session.load'].count).toBe(1);

    const second = registry.snapshot();
    const secondJson = JSON.stringify(second);
    registry.increment(METRIC.dynamodbCalls, 1, ['op:GetItem']);
    registry.timing(METRIC.sessionLoad, 9);
    registry.histogram(METRIC.sessionSize, 300);
    expect(JSON.stringify(second)).toBe(secondJson);
    expect(JSON.stringify(registry.snapshot())).not.toBe(secondJson);
  });

  it('survives a JSON round trip unchanged', () => {
    const registry = newRegistry();
    registry.increment(METRIC.capacityWrite, 1.5, ['op:PutItem']);
    registry.timing(METRIC.dynamodbLatency, 8, ['op:PutItem']);
    registry.histogram(METRIC.sessionSize, 2_000_000);
    registry.gauge(METRIC.tablesCount, 3);
    const snapshot = registry.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('reset() forgets every figure and restarts startedAtMs', () => {
    const clock = createManualClock(START_MS);
    const registry = new MetricsRegistry({ now: clock });
    const empty = registry.snapshot();
    registry.increment(METRIC.dynamodbCalls, 1, ['op:GetItem']);
    registry.timing(METRIC.sessionLoad, 5);
    registry.histogram(METRIC.sessionSize, 10);
    registry.gauge(METRIC.tablesCount, 1);
    registry.increment(METRIC.sessionSavePut, Number.NaN);
    registry.noteSinkError();
    clock.advance(60_000);
    registry.reset();
    const after = registry.snapshot();
    expect(after.startedAtMs).toBe(START_MS + 60_000);
    expect({ ...after, startedAtMs: 0, takenAtMs: 0 }).toEqual({ ...empty, startedAtMs: 0, takenAtMs: 0 });
  });
});
