/** What the store does with a session at the end of a request. */
export type SaveAction = 'save' | 'touch' | 'skip';

/** Why; reused by metrics and debug logs. */
export type SaveReason =
  | 'ignored'
  | 'degraded'
  | 'new'
  | 'changed'
  | 'moved-forward'
  | 'refresh'
  | 'unchanged';

/** The facts the decision is made from; all plain data. */
export interface SaveFacts {
  /** The request matched an ignore rule. */
  readonly ignored: boolean;
  /** The backend failed when the session was loaded; the request runs on an unsaved fresh session. */
  readonly degraded: boolean;
  /** The session was loaded from the store (else it is new). */
  readonly loaded: boolean;
  /** The encoded session (without its cookie) differs from what was loaded. */
  readonly changed: boolean;
  /** The session was found in an older table than the one writes go to now. */
  readonly inOlderTable: boolean;
  /** How much later the session would expire if it were refreshed now, in milliseconds. */
  readonly expiryGainMs: number;
  /** Refresh an unchanged session once its expiry would gain this much (`refreshIntervalMs`). */
  readonly refreshIntervalMs: number;
}

/** The decision and its reason. */
export interface SaveDecision {
  readonly action: SaveAction;
  readonly reason: SaveReason;
}

/**
 * Decides whether a session is written at the end of a request. Pure.
 *
 * - ignored or degraded requests write nothing;
 * - a new or changed session is saved whole;
 * - an unchanged session found in an older table moves forward (rotation keeps it alive);
 * - an unchanged session is refreshed (expiry only) once refreshing would extend its expiry by
 *   at least `refreshIntervalMs` (a tenth of its lifetime, at most `touchAfterSeconds`): never
 *   when its expiry does not move;
 * - anything else is skipped: a read-only request costs no write.
 *
 * @example
 * ```ts
 * decideSave({ ignored: false, degraded: false, loaded: true, changed: false, inOlderTable: false,
 *   expiryGainMs: 1000, refreshIntervalMs: 360_000 }); // { action: 'skip', reason: 'unchanged' }
 * ```
 */
export function decideSave(facts: SaveFacts): SaveDecision {
  if (facts.ignored) return { action: 'skip', reason: 'ignored' };
  if (facts.degraded) return { action: 'skip', reason: 'degraded' };
  if (!facts.loaded) return { action: 'save', reason: 'new' };
  if (facts.changed) return { action: 'save', reason: 'changed' };
  if (facts.inOlderTable) return { action: 'touch', reason: 'moved-forward' };
  if (facts.expiryGainMs > 0 && facts.expiryGainMs >= facts.refreshIntervalMs) {
    return { action: 'touch', reason: 'refresh' };
  }
  return { action: 'skip', reason: 'unchanged' };
}
