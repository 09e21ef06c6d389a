/**
 * The workloads: which request each connection sends next. Every store sees the same sequence
 * (a seeded PRNG picks reads and writes; sessions are taken round-robin), so a store is never
 * favoured by its request mix.
 */
import { createRandom } from './session-data.js';

/** Every workload, in report order. */
export const WORKLOADS = ['read-mostly', 'write-heavy', 'rotation'] as const;

/** One of {@link WORKLOADS}. */
export type WorkloadName = (typeof WORKLOADS)[number];

/** What a workload is. */
export interface WorkloadSpec {
  readonly name: WorkloadName;
  readonly label: string;
  /** Share of requests that change their session. */
  readonly writeFraction: number;
  /** A table rotation falls in the middle of the measured window. */
  readonly rotation: boolean;
}

/** The workloads' definitions. */
export const WORKLOAD_SPECS: Readonly<Record<WorkloadName, WorkloadSpec>> = {
  'read-mostly': { name: 'read-mostly', label: 'read-mostly (95 % unchanged)', writeFraction: 0.05, rotation: false },
  'write-heavy': { name: 'write-heavy', label: 'write-heavy (50 % changed)', writeFraction: 0.5, rotation: false },
  rotation: { name: 'rotation', label: 'read-mostly across a rotation', writeFraction: 0.05, rotation: true },
};

/** One HTTP request of the workload. */
export interface PlannedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
}

/**
 * A request source: call it for the next request. Sessions are used round-robin over `cookies`;
 * each request changes its session with probability `writeFraction` (seeded, so repeatable).
 */
export function createRequestPlan(cookies: readonly string[], writeFraction: number, seed = 42): () => PlannedRequest {
  if (cookies.length === 0) throw new Error('A request plan needs at least one session cookie.');
  const random = createRandom(seed);
  let sequence = 0;
  return () => {
    const index = sequence;
    sequence += 1;
    const cookie = cookies[index % cookies.length] as string;
    const write = random() < writeFraction;
    return write
      ? { method: 'POST', path: `/cart?n=${index}`, headers: { cookie } }
      : { method: 'GET', path: '/account', headers: { cookie } };
  };
}
