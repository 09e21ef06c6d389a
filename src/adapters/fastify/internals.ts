import { invalidOption } from '../../config/validate.js';
import { SessionStore } from '../../store/session-store.js';

/**
 * The core store behind what the user passed: a `DynamoSessionStore` (or anything with a `core`)
 * or a `SessionStore`.
 *
 * @throws {SessionManagerError} `config.invalidOption` naming `store`.
 */
export function coreOf(store: unknown): SessionStore {
  if (store instanceof SessionStore) return store;
  const core = typeof store === 'object' && store !== null ? (store as { core?: unknown }).core : undefined;
  if (core instanceof SessionStore) return core;
  throw invalidOption('store', 'the DynamoSessionStore given to @fastify/session (or a SessionStore)', store);
}
