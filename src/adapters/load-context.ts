import type { LoadContext } from '../store/session-store.js';

/** The hidden property that carries a session's load context from `get` to `set` and `touch`. */
export const LOAD_CONTEXT: unique symbol = Symbol.for('dynamo-session-manager.load-context');

/** Attaches a load context to a session object, invisible to JSON and to `for...in`. */
export function attachLoadContext(session: object, context: LoadContext | undefined): void {
  if (context === undefined) return;
  Object.defineProperty(session, LOAD_CONTEXT, { value: context, writable: true, configurable: true, enumerable: false });
}

/** Reads the load context of a session object, if it came from this store. */
export function loadContextOf(session: unknown): LoadContext | undefined {
  if (typeof session !== 'object' || session === null) return undefined;
  return (session as { [LOAD_CONTEXT]?: LoadContext })[LOAD_CONTEXT];
}
