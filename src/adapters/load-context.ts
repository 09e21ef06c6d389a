import type { LoadContext } from '../store/index.js';

/** The hidden property that carries a session's load context from `get` to `set` and `touch`. */
const LOAD_CONTEXT: unique symbol = Symbol.for('dynamo-session-manager.load-context');

/** What the hidden property holds: the context, and the id it was loaded or saved under. */
interface Attached {
  readonly id: string;
  readonly context: LoadContext;
}

/** Attaches the load context of session `id` to a session object, invisible to JSON and to `for...in`. */
export function attachLoadContext(session: object, id: string, context: LoadContext | undefined): void {
  if (context === undefined) return;
  const attached: Attached = { id, context };
  Object.defineProperty(session, LOAD_CONTEXT, { value: attached, writable: true, configurable: true, enumerable: false });
}

/**
 * The load context of a session object, if it came from this store under the same `id`. An
 * object saved under another id (a session copied to a new id) carries no context for it: it is
 * then saved as a new session, not as a version of the one it was loaded as.
 */
export function loadContextOf(session: unknown, id: string): LoadContext | undefined {
  const attached = attachedTo(session);
  return attached !== undefined && attached.id === id ? attached.context : undefined;
}

/** Copies whatever load context `from` carries onto `to` (express-session's Session object). */
export function copyLoadContext(from: unknown, to: object): void {
  const attached = attachedTo(from);
  if (attached !== undefined) attachLoadContext(to, attached.id, attached.context);
}

function attachedTo(session: unknown): Attached | undefined {
  if (typeof session !== 'object' || session === null) return undefined;
  return (session as { [LOAD_CONTEXT]?: Attached })[LOAD_CONTEXT];
}
