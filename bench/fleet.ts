/**
 * Fleets (issue 17): control-plane calls per rotation period with 1, 10, 100 and 200 store
 * instances sharing one set of tables on one dynalite, default settings but a short period (4 s,
 * so the maintenance timer ticks every 0.4 s), over several periods. The instances run in this
 * process on one counting client (the calls are counted by operation; which instance sent one does
 * not matter here): each instance has its own maintenance timer and its own lease owner id, as a
 * process of its own would. Periods are measured boundary to boundary, after every instance is
 * ready; nothing serves sessions meanwhile, so the data-plane calls are the lease's.
 */
import { DynamoSessionStore } from 'dynamo-session-manager';
import { createCountingClient, type CallCounts } from './measure.js';

/** DynamoDB's control-plane operations the store may call. */
export const CONTROL_PLANE_OPERATIONS = ['CreateTable', 'DescribeTable', 'DeleteTable', 'ListTables', 'UpdateTable', 'DescribeTimeToLive', 'UpdateTimeToLive'] as const;

/** One fleet size. */
export interface FleetResult {
  readonly instances: number;
  readonly periodSeconds: number;
  /** Control-plane calls of the whole fleet in each measured period. */
  readonly controlPerPeriod: readonly number[];
  /** Lease reads and writes (GetItem, UpdateItem) of the whole fleet per period, on average. */
  readonly leaseCallsPerPeriod: number;
  /** Control-plane calls over every measured period, by operation. */
  readonly controlByOperation: Readonly<Record<string, number>>;
}

const PERIOD_SECONDS = 4;
const PERIODS = 3;
const WARMUP_PERIODS = 3;
export const FLEET_SIZES = [1, 10, 100, 200] as const;

const controlOf = (c: CallCounts): Record<string, number> =>
  Object.fromEntries(CONTROL_PLANE_OPERATIONS.filter((op) => (c.calls[op] ?? 0) > 0).map((op) => [op, c.calls[op] ?? 0]));
const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Resolves just after the next period boundary of the wall clock (the stores' clock). */
const nextBoundary = (periodMs: number): Promise<void> => sleep(periodMs - (Date.now() % periodMs) + 50);

async function readyWithRetry(store: DynamoSessionStore, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await store.ready();
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

async function measureFleet(endpoint: string, instances: number, periods: number): Promise<FleetResult> {
  const counting = createCountingClient(endpoint);
  const options = {
    client: counting.client,
    tableBaseName: `bench-fleet${instances}-${Date.now()}`,
    expiry: 'rotation' as const,
    tableRotationSeconds: PERIOD_SECONDS,
    maxInactiveInterval: 2 * PERIOD_SECONDS,
    longestLifetimeSeconds: 2 * PERIOD_SECONDS,
    clockSkewSeconds: 0.2,
  };
  const stores: DynamoSessionStore[] = [];
  try {
    // The deployment's first process creates the tables; the rest start together.
    const first = new DynamoSessionStore(options);
    stores.push(first);
    await readyWithRetry(first);
    for (let i = 1; i < instances; i += 1) stores.push(new DynamoSessionStore(options));
    // Started in waves of 25, as a fleet scales out, and a start that timed out is tried again
    // (one dynalite on a shared machine answers 200 lease reads at once slowly).
    for (let i = 1; i < stores.length; i += 25) await Promise.all(stores.slice(i, i + 25).map((store) => readyWithRetry(store)));
    const periodMs = PERIOD_SECONDS * 1000;
    // Warm-up: the steady state (one table created and one dropped per period) starts once the
    // first tables are past the longest lifetime.
    for (let p = 0; p < WARMUP_PERIODS; p += 1) await nextBoundary(periodMs);
    counting.reset();
    const controlPerPeriod: number[] = [];
    let lease = 0;
    const byOperation: Record<string, number> = {};
    for (let p = 0; p < periods; p += 1) {
      await nextBoundary(periodMs);
      const counts = counting.snapshot();
      counting.reset();
      const control = controlOf(counts);
      controlPerPeriod.push(sum(Object.values(control)));
      for (const [op, n] of Object.entries(control)) byOperation[op] = (byOperation[op] ?? 0) + n;
      lease += (counts.calls.GetItem ?? 0) + (counts.calls.UpdateItem ?? 0);
    }
    return { instances, periodSeconds: PERIOD_SECONDS, controlPerPeriod, leaseCallsPerPeriod: lease / periods, controlByOperation: byOperation };
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    counting.client.destroy();
  }
}

/** Measures each fleet size in turn on the dynalite at `endpoint`. */
export async function measureFleets(endpoint: string, sizes: readonly number[] = FLEET_SIZES, periods = PERIODS): Promise<FleetResult[]> {
  const results: FleetResult[] = [];
  for (const size of sizes) results.push(await measureFleet(endpoint, size, periods));
  return results;
}

/** Mean control-plane calls per period of one result. */
export function meanControlPerPeriod(result: FleetResult): number {
  return result.controlPerPeriod.length === 0 ? 0 : sum(result.controlPerPeriod) / result.controlPerPeriod.length;
}

/** Renders the fleets section of docs/benchmarks.md. */
export function renderFleets(results: readonly FleetResult[]): string {
  if (results.length === 0) return '';
  const first = results[0]!;
  const lines = [
    '## Fleets: control-plane calls per period',
    '',
    `Store instances sharing one set of rotated tables on one dynalite, default settings with a ${first.periodSeconds} s period (maintenance ticks every ${first.periodSeconds / 10} s), ` +
      `measured over ${first.controlPerPeriod.length} whole periods (boundary to boundary) after every instance was ready and ${WARMUP_PERIODS} periods of warm-up (the steady state: a table created and one dropped each period). Each instance runs its own maintenance timer and contends for the maintainer lease (a \`#maintainer\` item taken by a conditional write); ` +
      'only the holder makes control-plane calls (describe, create, list, delete tables), the others read the lease (one eventually consistent GetItem, half a read unit, per tick). ' +
      'The instances share one process and one counting client. Before the lease (issue 17), every process maintained: 5 instances made about 45 control-plane calls per 4 s period, 100 about 880.',
    '',
    '| instances | control-plane calls per period (each period) | mean | by operation (all periods) | lease GetItem + UpdateItem per period |',
    '|--:|---|--:|---|--:|',
  ];
  for (const r of results) {
    const ops = Object.entries(r.controlByOperation)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    lines.push(`| ${r.instances} | ${r.controlPerPeriod.join(', ')} | ${meanControlPerPeriod(r).toFixed(1)} | ${ops || 'none'} | ${r.leaseCallsPerPeriod.toFixed(0)} |`);
  }
  lines.push(
    '',
    'Control-plane calls per period stay those of one maintainer whatever the number of instances; what grows with the fleet is the lease read, a data-plane call (half a read unit each). A serverless deployment (AWS Lambda) makes neither from its web functions: only the scheduled maintenance function calls the control plane (docs/deployment.md).',
    '',
  );
  return lines.join('\n');
}

/** The target of issue 17: 200 instances make no more control-plane calls per period than 10. */
export function fleetTarget(results: readonly FleetResult[]): { target: string; measured: string; status: 'met' | 'missed' | 'not measured' } {
  const ten = results.find((r) => r.instances === 10);
  const twoHundred = results.find((r) => r.instances === 200);
  const target = 'A fleet of 200 store instances makes no more control-plane calls per period than 10 instances';
  if (ten === undefined || twoHundred === undefined) return { target, measured: 'not run', status: 'not measured' };
  const [a, b] = [meanControlPerPeriod(twoHundred), meanControlPerPeriod(ten)];
  return { target, measured: `${a.toFixed(1)} with 200 vs ${b.toFixed(1)} with 10 (mean per ${ten.periodSeconds} s period)`, status: a <= b ? 'met' : 'missed' };
}
