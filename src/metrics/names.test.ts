import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HISTOGRAM_BUCKETS,
  METRIC,
  METRIC_INFO,
  METRIC_KINDS,
  METRIC_TAG,
  METRIC_UNITS,
  SESSION_SIZE_BUCKETS_BYTES,
  formatTag,
  type MetricName,
} from './names.js';

const NAMES = Object.values(METRIC) as MetricName[];

interface DocRow {
  name: string;
  kind: string;
  unit: string;
  tags: string;
}

/** The rows of the table under "## Every metric" in docs/metrics.md. */
function readDocRows(): DocRow[] {
  const text = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const section = text.split('## Every metric')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      return {
        name: (cells[1] ?? '').replaceAll('`', ''),
        kind: cells[2] ?? '',
        unit: cells[3] ?? '',
        tags: (cells[5] ?? '').replaceAll('`', ''),
      };
    });
}

describe('METRIC', () => {
  it('has no duplicate names', () => {
    expect(new Set(NAMES).size).toBe(NAMES.length);
  });

  it.each(NAMES)('%s is a lower-case, dot-separated statsd name', (name) => {
    expect(name).toMatch(/^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/);
  });

  it('describes every name in METRIC_INFO, and nothing else', () => {
    expect(Object.keys(METRIC_INFO).sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)('%s has a known kind and unit', (name) => {
    expect(METRIC_KINDS).toContain(METRIC_INFO[name].kind);
    expect(METRIC_UNITS).toContain(METRIC_INFO[name].unit);
  });

  it.each(NAMES.filter((name) => METRIC_INFO[name].kind === 'timer'))('timer %s is in milliseconds', (name) => {
    expect(METRIC_INFO[name].unit).toBe('ms');
  });

  it('gives every histogram its buckets, in increasing order', () => {
    const histograms = NAMES.filter((name) => METRIC_INFO[name].kind === 'histogram');
    expect(Object.keys(HISTOGRAM_BUCKETS).sort()).toEqual(histograms.sort());
    for (const bounds of Object.values(HISTOGRAM_BUCKETS)) {
      expect([...bounds].sort((a, b) => a - b)).toEqual([...bounds]);
    }
  });

  it('ends the session-size buckets at DynamoDB item limit, 400 KiB', () => {
    expect(SESSION_SIZE_BUCKETS_BYTES.at(-1)).toBe(400 * 1024);
  });
});

describe('docs/metrics.md', () => {
  const rows = readDocRows();

  it('lists every metric exactly once, and no other', () => {
    expect(rows.map((row) => row.name).sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)('gives %s the kind, unit and tags of METRIC_INFO', (name) => {
    const row = rows.find((candidate) => candidate.name === name);
    const info = METRIC_INFO[name];
    expect(row).toEqual({ name, kind: info.kind, unit: info.unit, tags: info.tagKeys.join(', ') });
  });
});

describe('formatTag', () => {
  it.each([
    ['GetItem', 'op:GetItem'],
    ['Batch|Get', 'op:Batch_Get'],
    ['a,b#c', 'op:a_b_c'],
    ['line\nbreak\r', 'op:line_break_'],
    ['with:colon', 'op:with:colon'],
  ])('formats %j as %j', (value, expected) => {
    expect(formatTag(METRIC_TAG.op, value)).toBe(expected);
  });
});
