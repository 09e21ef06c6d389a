import { invalidOption } from '../config/validate.js';
import { SessionStore } from '../store/index.js';

/** Anything that wraps the core store: `DynamoSessionStore`, the Koa store, or the core itself. */
export type TrackedStore = SessionStore | { readonly core: SessionStore };

/**
 * The core store behind what the user passed: a `SessionStore`, or anything with a `core` that is
 * one (`DynamoSessionStore`, the Koa store). The one lookup of the tracker and every adapter.
 *
 * @param expected - what the caller should have passed, for the error message.
 * @throws {SessionManagerError} `config.invalidOption` naming `store`.
 */
export function coreOf(store: unknown, expected = 'a DynamoSessionStore (or the core SessionStore)'): SessionStore {
  const core = findCore(store);
  if (core === undefined) throw invalidOption('store', expected, store);
  return core;
}

/** Like {@link coreOf}, but `undefined` instead of an error. */
export function findCore(store: unknown): SessionStore | undefined {
  if (store instanceof SessionStore) return store;
  const core = typeof store === 'object' && store !== null ? (store as { core?: unknown }).core : undefined;
  return core instanceof SessionStore ? core : undefined;
}
