import { describe, expect, it } from 'vitest';
import { HOURS_PER_MONTH, PRICES_AS_OF, SECONDS_PER_MONTH, US_EAST_1_STANDARD_PRICES } from './pricing.js';

describe('prices', () => {
  it.each([
    ['onDemandUsdPerMillionWriteUnits', 0.625],
    ['onDemandUsdPerMillionReadUnits', 0.125],
    ['provisionedUsdPerWcuHour', 0.00065],
    ['provisionedUsdPerRcuHour', 0.00013],
    ['storageUsdPerGbMonth', 0.25],
    ['storageFreeGbPerMonth', 25],
    ['ttlDeleteUsd', 0],
    ['deleteTableUsd', 0],
    ['controlPlaneCallUsd', 0],
  ] as const)('%s is %d (us-east-1, Standard)', (key, value) => {
    expect(US_EAST_1_STANDARD_PRICES[key]).toBe(value);
  });

  it('carries its date and sources', () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(US_EAST_1_STANDARD_PRICES.asOf).toBe(PRICES_AS_OF);
    expect(US_EAST_1_STANDARD_PRICES.sources.some((source) => source.startsWith('https://aws.amazon.com/dynamodb/pricing/'))).toBe(true);
  });

  it('counts 730 hours in a month', () => {
    expect(HOURS_PER_MONTH).toBe(730);
    expect(SECONDS_PER_MONTH).toBe(2_628_000);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(US_EAST_1_STANDARD_PRICES)).toBe(true);
    expect(Object.isFrozen(US_EAST_1_STANDARD_PRICES.sources)).toBe(true);
  });
});
