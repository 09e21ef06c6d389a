// The store's public face: the facade and the types its callers use.
export { SessionStore } from './session-store.js';
export type { LoadContext, LoadedSession } from './load-context.js';
export type { SaveHints, SaveResult } from './save.js';
export type { InspectedSession } from './scan.js';
export type { KeyUsage } from './key-usage.js';
export type { RequestState } from './request-state.js';
export { attachRequestState, createRequestState, ensureRequestState, requestScope, requestStateFor } from './request-state.js';
export { internalsOf } from './internals.js';
export type { UserSession, RevokeOptions } from './user-sessions.js';
export type { UserIndexAdded } from './user-index.js';
