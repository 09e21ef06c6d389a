import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC, METRIC_INFO, type MetricName } from '../names.js';
import { DURATION_BUCKETS_SECONDS, OTEL_METRIC, OTEL_ROUTES, type OtelMetricName } from './names.js';

const NAMES = Object.values(METRIC) as MetricName[];
const INSTRUMENTS = Object.keys(OTEL_METRIC) as OtelMetricName[];

/** The attributes cell of a row, as docs/metrics.md writes it. */
function attributesCell(name: MetricName): string {
  const route = OTEL_ROUTES[name];
  if (route.kind === 'derived') return route.note;
  const fixed = Object.entries(route.attributes).map(([key, value]) => `\`${key}=${value}\``);
  const tagged = (METRIC_INFO[name].tagKeys as readonly string[]).includes('op') ? ['`db.operation.name`'] : [];
  return [...fixed, ...tagged].join(', ');
}

/** The rows of the table under "### Every statsd name in OpenTelemetry" in docs/metrics.md. */
function readDocRows(): string[][] {
  const text = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
  const section = text.split('### Every statsd name in OpenTelemetry')[1]?.split('\n### ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| ?| ?\|$/g, '').trim()));
}

describe('OTEL_ROUTES', () => {
  it('maps every statsd metric onto an instrument that exists', () => {
    expect(Object.keys(OTEL_ROUTES).sort()).toEqual([...NAMES].sort());
    for (const route of Object.values(OTEL_ROUTES)) expect(INSTRUMENTS).toContain(route.metric);
  });

  it('uses every instrument', () => {
    const used = new Set(Object.values(OTEL_ROUTES).map((route) => route.metric));
    expect([...used].sort()).toEqual([...INSTRUMENTS].sort());
  });

  it.each(NAMES)('records %s into an instrument of the matching kind and unit', (name) => {
    const route = OTEL_ROUTES[name];
    const instrument = OTEL_METRIC[route.metric];
    const { kind, unit } = METRIC_INFO[name];
    if (route.kind === 'derived') return; // recorded by the gateway itself
    const expected = kind === 'timer' || kind === 'histogram' ? 'histogram' : kind;
    expect(instrument.kind).toBe(expected);
    if (kind === 'timer') expect(instrument.unit).toBe('s');
    if (unit === 'bytes') expect(instrument.unit).toBe('By');
  });

  it('gives the metrics one instrument shares different attributes', () => {
    const seen = new Set<string>();
    for (const route of Object.values(OTEL_ROUTES)) {
      if (route.kind !== 'record') continue;
      const key = `${route.metric} ${JSON.stringify(route.attributes)}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it.each(INSTRUMENTS)('%s follows the naming rules: lower case, dots, no unit in the name', (name) => {
    expect(name).toMatch(/^(db\.client|dsm)(\.[a-z][a-z_]*)+$/);
    expect(name).not.toMatch(/(_total|_seconds|_bytes|_ms)$/);
  });

  it('keeps the conventions’ advised bounds of db.client.operation.duration among its finer ones', () => {
    for (const bound of [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]) expect(DURATION_BUCKETS_SECONDS).toContain(bound);
    expect([...DURATION_BUCKETS_SECONDS].sort((a, b) => a - b)).toEqual([...DURATION_BUCKETS_SECONDS]);
    expect(DURATION_BUCKETS_SECONDS.filter((bound) => bound <= 0.01).length).toBeGreaterThanOrEqual(6); // resolves milliseconds
  });
});

describe('docs/metrics.md, OpenTelemetry', () => {
  const rows = readDocRows();

  it('maps every statsd name exactly once', () => {
    expect(rows.map((row) => row[0]?.replaceAll('`', '')).sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)('gives %s its instrument, kind, unit and attributes', (name) => {
    const row = rows.find((candidate) => candidate[0] === `\`${name}\``);
    const route = OTEL_ROUTES[name];
    const instrument = OTEL_METRIC[route.metric];
    expect(row).toEqual([`\`${name}\``, `\`${route.metric}\``, instrument.kind, `\`${instrument.unit}\``, attributesCell(name)]);
  });
});
