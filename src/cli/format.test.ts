import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatFields, formatNumber, formatRelative, formatTable, formatUtc } from './format.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [42_000, '42 s'],
    [60_000, '1 min'],
    [2_399_000, '39 min 59 s'],
    [3_600_000, '1 h'],
    [7_500_000, '2 h 5 min'],
    [7_505_000, '2 h 5 min'],
    [273_600_000, '3 d 4 h'],
    [-42_000, '42 s'],
  ])('%d ms -> %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('formatRelative', () => {
  it('says in or ago', () => {
    expect(formatRelative(10_000, 5_000)).toBe('in 5 s');
    expect(formatRelative(5_000, 65_000)).toBe('1 min ago');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [3174, '3.1 KB'],
    [2 * 1024 ** 2, '2.0 MB'],
    [1.5 * 1024 ** 3, '1.5 GB'],
  ])('%d -> %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});

describe('formatUtc and formatNumber', () => {
  it('formats', () => {
    expect(formatUtc('2026-11-24T10:00:00.000Z')).toBe('2026-11-24 10:00:00Z');
    expect(formatUtc(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05Z');
    expect(formatNumber(1234.567)).toBe('1,234.57');
    expect(formatNumber(7200, 0)).toBe('7,200');
  });
});

describe('formatTable', () => {
  it('pads columns, right-aligns numbers and trims line ends', () => {
    const text = formatTable(
      [
        { name: 'a', n: 1 },
        { name: 'longer', n: 1000 },
      ],
      [
        { header: 'NAME', value: (r) => r.name },
        { header: 'N', value: (r) => String(r.n), right: true },
      ],
    );
    expect(text).toBe(['NAME       N', 'a          1', 'longer  1000'].join('\n'));
  });

  it('prints the header alone for no rows', () => {
    expect(formatTable([], [{ header: 'X', value: () => '' }])).toBe('X');
  });
});

describe('formatFields', () => {
  it('pads labels', () => {
    expect(formatFields([['Mode', 'ttl'], ['Endpoint', 'x']])).toBe('Mode      ttl\nEndpoint  x');
  });
});
