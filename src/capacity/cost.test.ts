import { describe, expect, it } from 'vitest';
import { isSessionManagerError } from '../errors.js';
import { COST_STRATEGIES, estimateCost, formatUsd, resolveCostInput, type CostInput } from './cost.js';
import { US_EAST_1_STANDARD_PRICES } from './pricing.js';

function caught(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('estimateCost: a hand-computed case', () => {
  // 10 rps, 1 KB (1 read unit, 1 write unit), strong reads, 1 h interval, 50 % read-only, 10 % new.
  // new = 1/s, returning = 9/s (GetItem), saves = 5/s (PutItem), live sessions = 1 × 3600.
  const estimate = estimateCost({
    requestsPerSecond: 10,
    sessionSizeKb: 1,
    intervalSeconds: 3600,
    readOnlyFraction: 0.5,
    newSessionFraction: 0.1,
  });
  const month = 2_628_000 / 1e6; // million seconds per month

  it('counts live sessions and monthly requests', () => {
    expect(estimate.liveSessions).toBe(3600);
    expect(estimate.requestsPerMonth).toBe(26_280_000);
  });

  it.each([
    // strategy, reads/s, writes/s, stored items, tables, provisioned $, on-demand $
    // rotation: 9 reads + 1 miss per move; 5 saves + 1 move write; 2 × 3600 items; 2 tables.
    ['rotation', 10, 6, 7200, 2, 2 * 730 * (10 * 0.00013 + 6 * 0.00065), 10 * month * 0.125 + 6 * month * 0.625],
    // ttl: 9 reads; 5 saves + min(3600 × 10 / 3600, 5 read-only) = 5 refreshes.
    ['ttl', 9, 10, 3600, 1, 730 * (9 * 0.00013 + 10 * 0.00065), 9 * month * 0.125 + 10 * month * 0.625],
    // scanReaper: 9 reads + Scan of 1 × (3600 + 300) items × 1 KB / 4 KB × 0.5 every 600 s = 0.8125;
    // 10 touches/saves + 1 DeleteItem per second.
    ['scanReaper', 9.8125, 11, 3900, 1, 730 * (10 * 0.00013 + 11 * 0.00065), 9.8125 * month * 0.125 + 11 * month * 0.625],
  ] as const)('%s: %d reads/s, %d writes/s, %d items, %d tables', (name, reads, writes, items, tables, provisioned, onDemand) => {
    const strategy = estimate.strategies[name];
    expect(strategy.total.readUnitsPerSecond).toBeCloseTo(reads, 10);
    expect(strategy.total.writeUnitsPerSecond).toBeCloseTo(writes, 10);
    expect(strategy.storedItems).toBeCloseTo(items, 10);
    expect(strategy.provisionedTables).toBe(tables);
    expect(strategy.monthlyUsd.provisionedThroughput).toBeCloseTo(provisioned, 10);
    expect(strategy.monthlyUsd.onDemandThroughput).toBeCloseTo(onDemand, 10);
    const storage = (items * (1024 + 100)) / 2 ** 30 * 0.25;
    expect(strategy.monthlyUsd.storage).toBeCloseTo(storage, 12);
    expect(strategy.monthlyUsd.provisionedTotal).toBeCloseTo(provisioned + storage, 10);
    expect(strategy.monthlyUsd.onDemandTotal).toBeCloseTo(onDemand + storage, 10);
    expect(strategy.usdPerMillionRequests.onDemand).toBeCloseTo((onDemand + storage) / 26.28, 10);
    expect(strategy.usdPerMillionRequests.provisioned).toBeCloseTo((provisioned + storage) / 26.28, 10);
  });

  it('gives the dollars in round figures', () => {
    expect(estimate.strategies.rotation.monthlyUsd.provisionedThroughput).toBeCloseTo(7.592, 10);
    expect(estimate.strategies.rotation.monthlyUsd.onDemandThroughput).toBeCloseTo(13.14, 10);
    expect(estimate.strategies.ttl.monthlyUsd.onDemandThroughput).toBeCloseTo(19.3815, 10);
  });

  it('provisions each table at the average rate rounded up', () => {
    expect(estimate.strategies.scanReaper.provisionedCapacityPerTable).toEqual({ readCapacityUnits: 10, writeCapacityUnits: 11 });
    expect(estimate.strategies.rotation.provisionedCapacityPerTable).toEqual({ readCapacityUnits: 10, writeCapacityUnits: 6 });
  });

  it('splits units into requests, upkeep and expiry that add up to the total', () => {
    for (const name of COST_STRATEGIES) {
      const { requests, upkeep, expiry, total } = estimate.strategies[name];
      expect(requests.readUnitsPerSecond + upkeep.readUnitsPerSecond + expiry.readUnitsPerSecond).toBeCloseTo(total.readUnitsPerSecond, 12);
      expect(requests.writeUnitsPerSecond + upkeep.writeUnitsPerSecond + expiry.writeUnitsPerSecond).toBeCloseTo(total.writeUnitsPerSecond, 12);
    }
  });
});

describe('estimateCost: ordering and expiry cost', () => {
  const realistic: CostInput[] = [
    { requestsPerSecond: 100, sessionSizeKb: 2 },
    { requestsPerSecond: 10, sessionSizeKb: 1 },
    { requestsPerSecond: 1000, sessionSizeKb: 1, eventualConsistency: true },
    { requestsPerSecond: 50, sessionSizeKb: 8, intervalSeconds: 86_400 },
    { requestsPerSecond: 200, sessionSizeKb: 4, intervalSeconds: 1800, readOnlyFraction: 0.8, newSessionFraction: 0.05 },
    { requestsPerSecond: 5, sessionSizeKb: 0.5, intervalSeconds: 900, readOnlyFraction: 0.95, newSessionFraction: 0.01 },
  ];

  it.each(realistic)('rotation costs less than the scan reaper: %o', (input) => {
    const { strategies } = estimateCost(input);
    expect(strategies.rotation.monthlyUsd.onDemandTotal).toBeLessThan(strategies.scanReaper.monthlyUsd.onDemandTotal);
    expect(strategies.rotation.monthlyUsd.provisionedTotal).toBeLessThan(strategies.scanReaper.monthlyUsd.provisionedTotal);
    expect(strategies.rotation.total.writeUnitsPerSecond).toBeLessThan(strategies.scanReaper.total.writeUnitsPerSecond);
  });

  it.each(realistic)('rotation and ttl spend nothing on expiry; the scan reaper does: %o', (input) => {
    const { strategies } = estimateCost(input);
    for (const name of ['rotation', 'ttl'] as const) {
      expect(strategies[name].expiry).toEqual({ readUnitsPerSecond: 0, writeUnitsPerSecond: 0 });
    }
    expect(strategies.scanReaper.expiry.readUnitsPerSecond).toBeGreaterThan(0);
    expect(strategies.scanReaper.expiry.writeUnitsPerSecond).toBeGreaterThan(0);
  });

  it.each([
    [false, 1],
    [true, 0.5],
  ])('eventual consistency %s halves request reads (per-read %d units)', (eventualConsistency, perRead) => {
    const { strategies } = estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, eventualConsistency });
    expect(strategies.ttl.requests.readUnitsPerSecond).toBeCloseTo(98 * perRead, 10);
  });

  it('grows the scan reaper’s read cost with the table, and rotation’s not at all', () => {
    const short = estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, intervalSeconds: 3600 });
    const long = estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, intervalSeconds: 86_400 });
    expect(long.strategies.scanReaper.expiry.readUnitsPerSecond).toBeGreaterThan(10 * short.strategies.scanReaper.expiry.readUnitsPerSecond);
    expect(long.strategies.rotation.total).toEqual(short.strategies.rotation.total);
  });

  it('accepts other prices', () => {
    const doubled = { ...US_EAST_1_STANDARD_PRICES, onDemandUsdPerMillionReadUnits: 0.25, onDemandUsdPerMillionWriteUnits: 1.25 };
    const base = estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2 });
    const other = estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2 }, doubled);
    expect(other.strategies.ttl.monthlyUsd.onDemandThroughput).toBeCloseTo(2 * base.strategies.ttl.monthlyUsd.onDemandThroughput, 10);
    expect(other.prices).toBe(doubled);
  });

  it('lists its assumptions, naming each strategy', () => {
    const { assumptions } = estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2 });
    for (const name of COST_STRATEGIES) expect(assumptions.some((line) => line.startsWith(`${name}:`))).toBe(true);
    expect(assumptions.join('\n')).toContain(US_EAST_1_STANDARD_PRICES.asOf);
    expect(assumptions.join('\n')).toContain('average');
  });
});

describe('resolveCostInput', () => {
  it('applies the defaults without touching the input', () => {
    const input = Object.freeze({ requestsPerSecond: 100, sessionSizeKb: 2 });
    const resolved = resolveCostInput(input);
    expect(resolved).toEqual({
      requestsPerSecond: 100,
      sessionSizeKb: 2,
      intervalSeconds: 3600,
      readOnlyFraction: 0.9,
      newSessionFraction: 0.02,
      eventualConsistency: false,
      scanIntervalSeconds: 600,
    });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(input).toEqual({ requestsPerSecond: 100, sessionSizeKb: 2 });
  });

  it.each([
    ['requestsPerSecond', -5, 'Option `requestsPerSecond` must be a positive number; got -5.'],
    ['sessionSizeKb', 0, 'Option `sessionSizeKb` must be a positive number; got 0.'],
    ['intervalSeconds', Number.NaN, 'Option `intervalSeconds` must be a positive number; got NaN.'],
    ['readOnlyFraction', 1.2, 'Option `readOnlyFraction` must be a number from 0 to 1; got 1.2.'],
    ['newSessionFraction', -0.5, 'Option `newSessionFraction` must be a number from 0 to 1; got -0.5.'],
    ['eventualConsistency', 1, 'Option `eventualConsistency` must be true or false; got 1.'],
    ['scanIntervalSeconds', 0, 'Option `scanIntervalSeconds` must be a positive number; got 0.'],
  ])('rejects %s = %s', (option, value, message) => {
    const error = caught(() => estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, [option]: value } as CostInput));
    expect(isSessionManagerError(error, 'config.invalidOption')).toBe(true);
    expect((error as Error).message).toBe(message);
  });

  it('rejects fractions that add up to more than 1', () => {
    const error = caught(() => estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, readOnlyFraction: 0.9, newSessionFraction: 0.2 }));
    expect(isSessionManagerError(error, 'config.conflictingOptions')).toBe(true);
    expect((error as Error).message).toMatch(/`readOnlyFraction` \(0\.9\) and `newSessionFraction` \(0\.2\)/);
  });

  it('accepts fractions that add up to exactly 1', () => {
    expect(() => estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, readOnlyFraction: 0.7, newSessionFraction: 0.3 })).not.toThrow();
  });

  it('rejects an unknown key', () => {
    const error = caught(() => estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, interval: 60 } as unknown as CostInput));
    expect(isSessionManagerError(error, 'config.unknownOption')).toBe(true);
    expect((error as Error).message).toMatch(/`interval`/);
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [1, '$1.00'],
    [1234.5, '$1,234.50'],
    [41.756, '$41.76'],
    [0.01, '$0.01'],
    [0.00421, '$0.0042'],
    [0.0000123, '$0.000012'],
    [-1.5, '-$1.50'],
    [Number.NaN, 'NaN'],
  ])('formatUsd(%d) = %s', (usd, text) => expect(formatUsd(usd)).toBe(text));
});
