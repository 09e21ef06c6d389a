/**
 * Period arithmetic of table rotation. Periods are aligned to the Unix epoch: period `n` starts
 * at `n * periodMs`. All times are epoch milliseconds. Pure functions only.
 */

/** The index of the period containing `nowMs`. */
export function periodIndexAt(nowMs: number, periodMs: number): number {
  return Math.floor(nowMs / periodMs);
}

/** The start of period `index`, epoch milliseconds. */
export function periodStartMs(index: number, periodMs: number): number {
  return index * periodMs;
}

/** Milliseconds from `nowMs` to the start of the next period, in (0, periodMs]. */
export function msUntilNextPeriod(nowMs: number, periodMs: number): number {
  return periodStartMs(periodIndexAt(nowMs, periodMs) + 1, periodMs) - nowMs;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Formats epoch ms as UTC `yyyyMMdd_HHmmss`. */
export function formatPeriodStamp(startMs: number): string {
  const d = new Date(startMs);
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

/** The table of period `index`: `<base>_<yyyyMMdd_HHmmss>` of its UTC start. */
export function tableNameFor(base: string, index: number, periodMs: number): string {
  return `${base}_${formatPeriodStamp(periodStartMs(index, periodMs))}`;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/;

/**
 * Parses a rotated table name of `base`. Only names that match `<base>_<yyyyMMdd_HHmmss>` exactly,
 * with a real date, are ours; anything else (other prefixes, extra suffixes, `base-beta_...`) is not.
 *
 * @returns the UTC start of the table's period in epoch ms, or `undefined` when the name is not ours.
 */
export function parseTableName(base: string, name: string): number | undefined {
  if (!name.startsWith(`${base}_`)) return undefined;
  const match = STAMP.exec(name.slice(base.length + 1));
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const startMs = Date.UTC(y, mo - 1, d, h, mi, s);
  return formatPeriodStamp(startMs) === name.slice(base.length + 1) ? startMs : undefined;
}
