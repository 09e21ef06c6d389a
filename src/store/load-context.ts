import type { SessionRecord } from '../codec/codec.js';
import type { TableRef } from '../expiry/strategy.js';

/** What a load knew about the stored session; saves are conditional on it. */
export interface LoadContext {
  /** The table the session was found in. */
  readonly table: TableRef;
  /** The stored version: the condition of the next write. */
  readonly version: number;
  /** The loaded session without its cookie, as JSON (`sessionBodyText`): the base of change detection and merges. */
  readonly bodyJson: string;
  /** When the session was last written, epoch ms. */
  readonly lastAccessedMs: number;
  /** When the session expires unless refreshed, epoch ms. */
  readonly expiresAtMs: number;
  /** When the session was first stored, epoch ms. */
  readonly createdAtMs: number;
  /** The user index key the stored copy carries (`uid`), if any: a write that sets another one is a sign-in. */
  readonly uid?: string | undefined;
  /**
   * Set when the copy loaded was fenced by a move whose copy in the later table was not found
   * (the move was cut short): the next write completes the move into this table.
   */
  readonly movingTo?: TableRef | undefined;
  /**
   * Set after a merge: `bodyJson` is the caller's session, while the stored copy (at `version`) is
   * the merged one. A move must then copy what is stored, not the caller's session.
   */
  readonly merged?: boolean;
  /**
   * Set when the stored item is not in the form this store writes (see `Found.stale`: another
   * key, or plaintext while it encrypts; or a user index key other than `userIdOf` gives, as for
   * a session stored before the index was on): a refresh rewrites the session instead of updating
   * its expiry, at the same cost.
   */
  readonly reseal?: boolean;
}

/** A session read from the store, with what the load learnt. */
export interface LoadedSession {
  readonly session: SessionRecord;
  readonly context: LoadContext;
}
