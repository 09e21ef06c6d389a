import { performance } from 'node:perf_hooks';

/** Awaits `work` and says how long it took, in milliseconds. */
export async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}
