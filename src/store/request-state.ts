import { AsyncLocalStorage } from 'node:async_hooks';
import type { SessionRecord } from '../codec/codec.js';
import type { LoadContext } from './load-context.js';

/**
 * The one record of what happens to sessions during one request. The tracker creates it (with
 * its ignore decision); without the tracker an adapter creates it when the framework hands it the
 * request. Every adapter and the store reach it one way: {@link requestStateFor}.
 */
export interface RequestState {
  /** Set when an ignore rule matched: nothing is written for this request. */
  ignored: 'uri' | 'header' | undefined;
  /** Set when a load failed and `onBackendError` is `'anonymous'`: the fresh session is not saved. */
  degraded: boolean;
  /** Set when the store wrote the session during this request. */
  stored: boolean;
  /** When the request was first seen, `performance.now()`. */
  readonly startedAt: number;
  /** What each load of this request learnt, by session id, kept up to date by its saves: the base of every conditional write. */
  readonly loads: Map<string, LoadContext>;
  /** Sessions loaded in this request, by id, for a refresh the framework does not ask for (koa-session, @fastify/session). */
  readonly sessions: Map<string, SessionRecord>;
  /** Ids saved or destroyed during this request. */
  readonly written: Set<string>;
}

const REQUEST_STATE: unique symbol = Symbol.for('dynamo-session-manager.request-state');

/** The record of the request being handled, for code that has no request object (the store's `get`). */
export const requestScope = new AsyncLocalStorage<RequestState>();

/** Creates the record of a new request. */
export function createRequestState(startedAt: number): RequestState {
  return { ignored: undefined, degraded: false, stored: false, startedAt, loads: new Map(), sessions: new Map(), written: new Set() };
}

/** Attaches `state` to a request object (the tracker does, as soon as it sees the request). */
export function attachRequestState(request: object, state: RequestState): void {
  Object.defineProperty(request, REQUEST_STATE, { value: state, configurable: true, enumerable: false, writable: true });
}

/**
 * The record of a request: the one attached to `request` (a Node request object, or a session
 * object whose `req` is one), else the one of the request being handled (the async scope the
 * tracker opened), else none.
 */
export function requestStateFor(request?: unknown): RequestState | undefined {
  return attachedTo(request) ?? attachedTo((request as { req?: unknown } | undefined)?.req) ?? requestScope.getStore();
}

/** The record of `request`, created and attached when the tracker did not see the request. */
export function ensureRequestState(request: object, startedAt: number): RequestState {
  const existing = requestStateFor(request);
  if (existing !== undefined) return existing;
  const state = createRequestState(startedAt);
  attachRequestState(request, state);
  return state;
}

function attachedTo(value: unknown): RequestState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as { [REQUEST_STATE]?: RequestState })[REQUEST_STATE];
}
