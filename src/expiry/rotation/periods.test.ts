import { describe, expect, it } from 'vitest';
import { formatPeriodStamp, msUntilNextPeriod, parseTableName, periodIndexAt, periodStartMs, tableNameFor } from './periods.js';

const HOUR = 3_600_000;
const T = Date.UTC(2013, 3, 11, 15, 27, 10); // 2013-04-11T15:27:10Z, the original's example

describe('period arithmetic', () => {
  it.each([
    [0, HOUR, 0],
    [HOUR - 1, HOUR, 0],
    [HOUR, HOUR, 1],
    [T, HOUR, Math.floor(T / HOUR)],
    [T, 180_000, Math.floor(T / 180_000)],
  ])('periodIndexAt(%i, %i) = %i', (now, period, index) => {
    expect(periodIndexAt(now, period)).toBe(index);
    expect(periodStartMs(index, period)).toBeLessThanOrEqual(now);
    expect(periodStartMs(index + 1, period)).toBeGreaterThan(now);
  });

  it.each([
    [0, 1000, 1000],
    [1, 1000, 999],
    [999, 1000, 1],
  ])('msUntilNextPeriod(%i, %i) = %i', (now, period, ms) => expect(msUntilNextPeriod(now, period)).toBe(ms));
});

describe('table names', () => {
  it('matches the original: current, previous and next of 2013-04-11T15:27:10Z with P = 1 h', () => {
    const index = periodIndexAt(T, HOUR);
    expect(tableNameFor('tomcat-sessions', index, HOUR)).toBe('tomcat-sessions_20130411_150000');
    expect(tableNameFor('tomcat-sessions', index - 1, HOUR)).toBe('tomcat-sessions_20130411_140000');
    expect(tableNameFor('tomcat-sessions', index + 1, HOUR)).toBe('tomcat-sessions_20130411_160000');
  });

  it('names the epoch period like the original test', () => {
    expect(tableNameFor('testTables', 0, 180_000)).toBe('testTables_19700101_000000');
  });

  it('formats UTC, never local time', () => {
    expect(formatPeriodStamp(Date.UTC(2026, 11, 31, 23, 59, 59))).toBe('20261231_235959');
  });

  it.each([
    ['sessions_20130411_150000', Date.UTC(2013, 3, 11, 15)],
    ['sessions_19700101_000000', 0],
    ['sessions-beta_20130411_150000', undefined],
    ['sessions_20130411_150000_x', undefined],
    ['sessions_2013041_1150000', undefined],
    ['sessions_20131341_150000', undefined],
    ['sessions_20130230_150000', undefined],
    ['sessions_abcdefgh_150000', undefined],
    ['sessions', undefined],
    ['other_20130411_150000', undefined],
    ['sessions_x_20130411_150000', undefined],
  ])('parseTableName("sessions", %s) = %s', (name, expected) => {
    expect(parseTableName('sessions', name)).toBe(expected);
  });

  it('round-trips every period of a year at P = 1 day', () => {
    const day = 86_400_000;
    const first = periodIndexAt(Date.UTC(2024, 0, 1), day);
    for (let i = first; i < first + 366; i += 1) {
      expect(parseTableName('s', tableNameFor('s', i, day))).toBe(periodStartMs(i, day));
    }
  });
});
