/**
 * Text formatting for the CLI's human output. Pure; `--json` output bypasses all of this.
 */

/** A column of {@link formatTable}. */
export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Right-align (numbers). @default false */
  readonly right?: boolean;
}

/** Lays out rows as a plain-text table with a header line, columns two spaces apart, no trailing spaces. */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values
      .map((value, i) => (columns[i]?.right === true ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** Lays out label/value pairs, labels padded to the longest. */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`.trimEnd()).join('\n');
}

/**
 * A duration for people, two units at most: `850 ms`, `42 s`, `39 min 59 s`, `2 h 5 min`, `3 d 4 h`.
 * Negative durations are shown as their absolute value.
 */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  const totalSeconds = Math.floor(abs / 1000);
  const units: [number, string][] = [
    [Math.floor(totalSeconds / 86_400), 'd'],
    [Math.floor(totalSeconds / 3600) % 24, 'h'],
    [Math.floor(totalSeconds / 60) % 60, 'min'],
    [totalSeconds % 60, 's'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  const shown = units.slice(first, first + 2).filter(([n], i) => i === 0 || n > 0);
  return shown.map(([n, unit]) => `${n} ${unit}`).join(' ');
}

/** A time relative to now: `in 5 min`, `5 min ago`. */
export function formatRelative(atMs: number, nowMs: number): string {
  const delta = atMs - nowMs;
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(delta)} ago`;
}

/** Bytes for people, 1 KB = 1024 bytes as DynamoDB counts: `512 B`, `3.1 KB`, `2.0 MB`, `1.5 GB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** An ISO 8601 UTC time without milliseconds and with a space: `2026-11-24 10:00:00Z`. */
export function formatUtc(iso: string | number): string {
  return new Date(iso).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** A number with thousands separators and at most `digits` decimals: `1,234.5`. */
export function formatNumber(value: number, digits = 2): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(value);
}
