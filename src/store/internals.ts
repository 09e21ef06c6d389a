import type { Metrics } from '../metrics/metrics.js';
import type { LegacyCopier } from './legacy/copy.js';

/** What the tracker, adapters and CLI of this package reach inside a store; not public API. */
export interface StoreInternals {
  readonly metrics: Metrics;
  /** With `migrateFrom`: the bulk copy of `dsm migrate`. */
  readonly legacy?: LegacyCopier | undefined;
}

const internals = new WeakMap<object, StoreInternals>();

/** @internal Records the internals of a store, at its construction. */
export function registerInternals(store: object, value: StoreInternals): void {
  internals.set(store, value);
}

/**
 * @internal The internals of a store built by this package.
 * @throws {TypeError} for anything else (a bug: callers check the store first).
 */
export function internalsOf(store: object): StoreInternals {
  const value = internals.get(store);
  if (value === undefined) throw new TypeError('Not a SessionStore of dynamo-session-manager');
  return value;
}
