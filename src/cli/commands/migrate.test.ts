import { describe, expect, it } from 'vitest';
import { emptyTotals } from '../migrate-checkpoint.js';
import { formatMigrate, tally, type MigrateResult } from './migrate.js';

describe('tally', () => {
  it('counts outcomes, plans a fence there and a put here per copied session, keeps the last expiry of what is left there', () => {
    const totals = emptyTotals();
    tally(totals, { outcome: 'would-copy', legacyBytes: 500, storedBytes: 400, servableUntilMs: 2000 });
    tally(totals, { outcome: 'would-copy', legacyBytes: 1000, storedBytes: 1500, servableUntilMs: 1000 });
    tally(totals, { outcome: 'expired', legacyBytes: 300 });
    tally(totals, { outcome: 'changed', legacyBytes: 300, servableUntilMs: 5000 });
    expect(totals.counts).toMatchObject({ 'would-copy': 2, expired: 1, changed: 1 });
    // 500 + 300 → 1 unit, 400 → 1; 1000 + 300 → 2 units, 1500 → 2.
    expect(totals.plannedWriteUnits).toBe(6);
    expect(totals.lastExpiresAtMs).toBe(5000);
  });
});

describe('formatMigrate', () => {
  const base: MigrateResult = {
    ...emptyTotals(),
    from: 'connect-dynamodb',
    table: 'sessions',
    dryRun: true,
    done: true,
    checkpoint: null,
    budget: { readUnitsPerSecond: 50, writeUnitsPerSecond: 50 },
    waitedMs: 0,
    estimatedSeconds: 2.4,
    lastExpiresAt: '2026-12-01T10:00:00.000Z',
    pages: 2,
    scanned: 120,
    readUnits: 3.5,
    plannedWriteUnits: 120,
  };

  it('a dry run: what the copy would do, cost and take, and until when the option is needed', () => {
    const text = formatMigrate({ ...base, counts: { ...base.counts, 'would-copy': 60, expired: 55, corrupt: 3, foreign: 2 } });
    expect(text).toContain('Dry run (nothing written) from connect-dynamodb table sessions: 120 items in 2 pages; the whole table is done.');
    expect(text).toMatch(/^\s+60\s+would-copy: live sessions a copy would move here$/m);
    expect(text).toMatch(/^\s+3\s+corrupt: cannot be served: skipped$/m);
    expect(text).not.toMatch(/gone:/);
    expect(text).toContain('The copy would use about 120 write units');
    expect(text).toContain('about 2 s at 50 RCU/s and 50 WCU/s');
    expect(text).toContain('60 live sessions are only in connect-dynamodb; the last expires at 2026-12-01T10:00:00.000Z. Keep migrateFrom on until then, or run the copy');
  });

  it('a copy stopped before the end says how to go on; a finished one that the option can go', () => {
    const stopped = formatMigrate({ ...base, dryRun: false, done: false, checkpoint: 'cp.json', lastExpiresAt: null, estimatedSeconds: null, counts: { ...base.counts, copied: 20 } });
    expect(stopped).toContain('stopped before the end: run again with --checkpoint cp.json to go on.');
    expect(stopped).toContain('No live session is left only in connect-dynamodb so far: migrateFrom can be turned off once the whole table is done');
    const done = formatMigrate({ ...base, dryRun: false, lastExpiresAt: null, estimatedSeconds: null, counts: { ...base.counts, copied: 60 } });
    expect(done).toContain('No live session is left only in connect-dynamodb: migrateFrom can be turned off (docs/migration.md).');
  });
});
