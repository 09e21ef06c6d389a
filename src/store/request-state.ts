import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoadContext } from './load-context.js';

/** What the tracker knows about one request; the store reads it when it loads and saves. */
export interface RequestState {
  /** Set when an ignore rule matched: nothing is written for this request. */
  ignored: 'uri' | 'header' | undefined;
  /** Set when a load failed and `onBackendError` is `'anonymous'`: the fresh session is not saved. */
  degraded: boolean;
  /** Set when the store wrote the session during this request. */
  stored: boolean;
  /** When the tracker saw the request, `performance.now()`. */
  readonly startedAt: number;
  /**
   * What each load of this request learnt, by session id, kept up to date by its saves. A save
   * whose caller lost the load context (@fastify/session rebuilds the object `get` returned) finds it here.
   */
  readonly loads: Map<string, LoadContext>;
}

/** The property under which the tracker keeps its state on the request object. */
export const REQUEST_STATE: unique symbol = Symbol.for('dynamo-session-manager.request-state');

/** The state of the request being handled, for code that has no request object (the store's `get`). */
export const requestScope = new AsyncLocalStorage<RequestState>();

/** Creates the state of a new request. */
export function createRequestState(startedAt: number): RequestState {
  return { ignored: undefined, degraded: false, stored: false, startedAt, loads: new Map() };
}

/** Reads the tracker's state from a request object, if the tracker saw it. */
export function requestStateOf(request: unknown): RequestState | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  return (request as { [REQUEST_STATE]?: RequestState })[REQUEST_STATE];
}
