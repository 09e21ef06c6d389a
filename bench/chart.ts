/**
 * The chart of docs/benchmarks.svg, written by hand (no library, no network): throughput and
 * on-demand dollars per million requests for each store and workload on dynalite, and p99
 * latency over time around a table rotation.
 */
import type { CellResult } from './cell.js';
import { findCell, perRequest, type BenchRun } from './results.js';
import { STORE_LABELS, type StoreKind } from './stores.js';

const WIDTH = 960;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const COLORS: Readonly<Record<StoreKind, string>> = {
  none: '#b0b0b0',
  memory: '#7f7f7f',
  'connect-dynamodb': '#d62728',
  'rotation-strong': '#1f77b4',
  'rotation-eventual': '#17becf',
  ttl: '#2ca02c',
  'rotation-sdk': '#9467bd',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(x: number, y: number, content: string, attrs = ''): string {
  const size = attrs.includes('font-size=') ? '' : ' font-size="12"';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT}${size} ${attrs}>${escapeXml(content)}</text>`;
}

interface Bar {
  readonly store: StoreKind;
  readonly value: number;
  readonly label: string;
}

/** Horizontal bars, one group per workload. Returns the SVG and its height. */
function barPanel(top: number, title: string, groups: readonly { name: string; bars: readonly Bar[] }[]): { svg: string; height: number } {
  const left = 330;
  const right = WIDTH - 270; // room for the value label after the longest bar
  const barHeight = 14;
  const gap = 4;
  const max = Math.max(1e-12, ...groups.flatMap((g) => g.bars.map((b) => b.value)));
  const parts: string[] = [text(20, top + 16, title, 'font-size="15" font-weight="bold"')];
  let y = top + 32;
  for (const group of groups) {
    parts.push(text(20, y + 12, group.name, 'font-weight="bold"'));
    y += 18;
    for (const bar of group.bars) {
      const width = Number.isFinite(bar.value) ? ((right - left) * bar.value) / max : 0;
      parts.push(text(left - 8, y + barHeight - 3, STORE_LABELS[bar.store], 'text-anchor="end"'));
      parts.push(`<rect x="${left}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" fill="${COLORS[bar.store]}"/>`);
      parts.push(text(left + width + 6, y + barHeight - 3, bar.label));
      y += barHeight + gap;
    }
    y += 8;
  }
  return { svg: parts.join('\n'), height: y - top };
}

/** p99 per 250 ms bucket around the boundary, one line per rotation cell. */
function timelinePanel(top: number, cells: readonly CellResult[]): { svg: string; height: number } {
  const height = 220;
  const left = 70;
  const right = WIDTH - 40;
  const plotTop = top + 40;
  const plotBottom = top + height - 30;
  const parts: string[] = [text(20, top + 16, 'p99 latency per 250 ms around a table rotation (first window, boundary at 0 s; shaded: the window counted as "during")', 'font-size="15" font-weight="bold"')];
  const series = cells.filter((c) => c.rotation !== undefined);
  const points = series.flatMap((c) => c.rotation?.timeline ?? []);
  if (points.length === 0) return { svg: parts.concat(text(20, top + 40, 'no rotation cell in this run')).join('\n'), height: 60 };
  const minX = Math.min(...points.map((p) => p.atMs));
  const maxX = Math.max(...points.map((p) => p.atMs)) + 250;
  const maxY = Math.max(...points.map((p) => (Number.isFinite(p.p99Ms) ? p.p99Ms : 0))) * 1.1;
  const sx = (ms: number): number => left + ((ms - minX) / Math.max(1, maxX - minX)) * (right - left);
  const sy = (value: number): number => plotBottom - (value / Math.max(1e-9, maxY)) * (plotBottom - plotTop);
  const first = series[0]?.rotation;
  if (first !== undefined) {
    parts.push(`<rect x="${sx(first.windowFromMs).toFixed(1)}" y="${plotTop}" width="${(sx(first.windowToMs) - sx(first.windowFromMs)).toFixed(1)}" height="${plotBottom - plotTop}" fill="#f2e6c9"/>`);
  }
  parts.push(`<line x1="${left}" y1="${plotBottom}" x2="${right}" y2="${plotBottom}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" y1="${plotTop}" x2="${left}" y2="${plotBottom}" stroke="#333"/>`);
  parts.push(`<line x1="${sx(0).toFixed(1)}" y1="${plotTop}" x2="${sx(0).toFixed(1)}" y2="${plotBottom}" stroke="#333" stroke-dasharray="4 3"/>`);
  for (let s = Math.ceil(minX / 1000); s * 1000 <= maxX; s += 1) parts.push(text(sx(s * 1000), plotBottom + 16, `${s} s`, 'text-anchor="middle" font-size="11"'));
  for (const fraction of [0, 0.5, 1]) parts.push(text(left - 6, sy(maxY * fraction) + 4, `${Math.round(maxY * fraction)} ms`, 'text-anchor="end" font-size="11"'));
  let legendX = left + 10;
  for (const cell of series) {
    const line = (cell.rotation?.timeline ?? [])
      .filter((p) => Number.isFinite(p.p99Ms))
      .map((p) => `${sx(p.atMs + 125).toFixed(1)},${sy(p.p99Ms).toFixed(1)}`)
      .join(' ');
    parts.push(`<polyline points="${line}" fill="none" stroke="${COLORS[cell.spec.store]}" stroke-width="2"/>`);
    parts.push(`<rect x="${legendX}" y="${plotTop - 14}" width="12" height="4" fill="${COLORS[cell.spec.store]}"/>`);
    parts.push(text(legendX + 16, plotTop - 9, `${STORE_LABELS[cell.spec.store]} (${Math.round(cell.spec.rate ?? 0)} req/s offered)`, 'font-size="11"'));
    legendX += 380;
  }
  return { svg: parts.join('\n'), height };
}

/** Renders the whole chart. */
export function renderChart(run: BenchRun): string {
  const backend = 'dynalite';
  const stores: StoreKind[] = ['connect-dynamodb', 'rotation-strong', 'rotation-eventual', 'ttl', 'memory', 'none'];
  const workloads = [
    { name: 'Read-mostly (95 % of requests leave the session unchanged)', key: 'read-mostly' },
    { name: 'Write-heavy (50 % change it)', key: 'write-heavy' },
  ] as const;
  const throughputOf = (on: string) =>
    workloads.map((w) => ({
      name: w.name,
      bars: stores.flatMap((store) => {
        const cell = findCell(run.cells, on, store, w.key);
        if (cell === undefined) return [];
        const base = findCell(run.cells, on, 'connect-dynamodb', w.key);
        const ratio = base === undefined || store === 'connect-dynamodb' ? '' : `  (${(cell.requestsPerSecond / base.requestsPerSecond).toFixed(2)}× connect-dynamodb)`;
        return [{ store, value: cell.requestsPerSecond, label: `${Math.round(cell.requestsPerSecond)} req/s${ratio}` }];
      }),
    }));
  const dollars = workloads.map((w) => ({
    name: w.name,
    bars: stores
      .filter((s) => s !== 'none' && s !== 'memory')
      .flatMap((store) => {
        const cell = findCell(run.cells, backend, store, w.key);
        if (cell === undefined) return [];
        const usd = perRequest(cell.collected, run.prices).usdPerMillion;
        return [{ store, value: usd, label: `$${usd.toFixed(3)} per million requests` }];
      }),
  }));
  const panels: { svg: string; height: number }[] = [];
  let top = 50;
  for (const build of [
    (t: number) => barPanel(t, `Throughput on dynalite, ${run.settings.connections} connections, CPU-bound (higher is better)`, throughputOf(backend)),
    (t: number) =>
      barPanel(
        t,
        `Throughput on dynalite + ${run.settings.addedLatencyMs} ms per call, ${run.settings.latencyConnections} connections, round-trip-bound (higher is better)`,
        throughputOf('dynalite-latency'),
      ),
    (t: number) => barPanel(t, `DynamoDB on-demand dollars per million requests, ${run.prices.region} prices of ${run.prices.asOf} (lower is better)`, dollars),
    (t: number) => timelinePanel(t, run.cells.filter((c) => c.spec.workload === 'rotation')),
  ]) {
    const panel = build(top);
    panels.push(panel);
    top += panel.height + 20;
  }
  const title = text(20, 28, `dynamo-session-manager benchmarks, ${run.startedAt.slice(0, 10)}: ${run.machine.cpuCount} × ${run.machine.cpuModel}, Node ${run.machine.node}`, 'font-size="17" font-weight="bold"');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" viewBox="0 0 ${WIDTH} ${top}">`,
    `<rect width="${WIDTH}" height="${top}" fill="#ffffff"/>`,
    title,
    ...panels.map((p) => p.svg),
    '</svg>',
    '',
  ].join('\n');
}
