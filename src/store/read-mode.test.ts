import { describe, expect, it } from 'vitest';
import { PreviousTableReads } from './read-mode.js';

describe('PreviousTableReads', () => {
  it('reads both tables at once right after a rotation, and the current one first once most sessions have moved', () => {
    const reads = new PreviousTableReads();
    expect(reads.together(7)).toBe(true);
    let loads = 0;
    while (reads.together(7)) {
      reads.record(7, true);
      loads += 1;
    }
    // With a weight of 1/32, 22 current-table hits in a row take the share past one half.
    expect(loads).toBe(22);
    expect(reads.currentShare).toBeGreaterThan(0.5);
  });

  it('goes back to reading both when loads keep finding sessions in the previous table', () => {
    const reads = new PreviousTableReads();
    for (let i = 0; i < 200; i += 1) reads.record(3, true);
    expect(reads.together(3)).toBe(false);
    let misses = 0;
    while (!reads.together(3)) {
      reads.record(3, false);
      misses += 1;
    }
    expect(misses).toBeGreaterThan(15);
    expect(misses).toBeLessThan(30);
  });

  it('starts over when the current table changes', () => {
    const reads = new PreviousTableReads();
    for (let i = 0; i < 200; i += 1) reads.record(1, true);
    expect(reads.together(1)).toBe(false);
    expect(reads.together(2)).toBe(true);
    expect(reads.currentShare).toBe(0);
  });

  it('a steady mix settles at its share of current-table hits', () => {
    const reads = new PreviousTableReads();
    for (let i = 0; i < 2000; i += 1) reads.record(5, i % 4 !== 0); // 75 % in the current table
    expect(reads.currentShare).toBeGreaterThan(0.65);
    expect(reads.currentShare).toBeLessThan(0.85);
    expect(reads.together(5)).toBe(false);
  });
});
