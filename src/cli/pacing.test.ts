import { describe, expect, it } from 'vitest';
import { createPacer, paceDelayMs } from './pacing.js';

describe('paceDelayMs', () => {
  it.each([
    ['no budget: never waits', { readUnits: 1000, writeUnits: 1000 }, {}, 0, 0],
    ['50 read units at 25/s are due at 2 s: waits the rest', { readUnits: 50, writeUnits: 0 }, { readUnitsPerSecond: 25 }, 500, 1500],
    ['already behind the budget: no wait', { readUnits: 50, writeUnits: 0 }, { readUnitsPerSecond: 25 }, 3000, 0],
    ['the later of reads and writes counts', { readUnits: 10, writeUnits: 30 }, { readUnitsPerSecond: 100, writeUnitsPerSecond: 10 }, 0, 3000],
    ['fractions of units count', { readUnits: 0.5, writeUnits: 0 }, { readUnitsPerSecond: 1 }, 0, 500],
  ])('%s', (_label, used, budget, elapsedMs, expected) => {
    expect(paceDelayMs(used, budget, elapsedMs)).toBe(expected);
  });
});

describe('createPacer', () => {
  it('waits only as long as needed, on its clock, and adds up what it waited', async () => {
    let nowMs = 1000;
    const slept: number[] = [];
    const pacer = createPacer({ writeUnitsPerSecond: 10 }, () => nowMs, async (ms) => {
      slept.push(ms);
      nowMs += ms;
    });
    await pacer.pace({ readUnits: 0, writeUnits: 5 }); // due at 500 ms
    nowMs += 200;
    await pacer.pace({ readUnits: 0, writeUnits: 10 }); // due at 1000 ms, now at 700
    nowMs += 2000;
    await pacer.pace({ readUnits: 0, writeUnits: 12 }); // due at 1200 ms, now at 2700: no wait
    expect(slept).toEqual([500, 300]);
    expect(pacer.waitedMs).toBe(800);
  });
});
