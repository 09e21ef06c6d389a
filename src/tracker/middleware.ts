import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import onHeaders from 'on-headers';
import type { IgnorePattern } from '../config/options.js';
import { validateKnownKeys } from './options.js';
import { METRIC } from '../metrics/names.js';
import { attachRequestState, createRequestState, internalsOf, requestScope, type SessionStore } from '../store/index.js';
import { coreOf, type TrackedStore } from './core-of.js';
import { carriesSessionId, dropSetCookies } from './set-cookie.js';
import { resolveIgnoreOptions } from '../config/ignore-rules.js';
import { matchIgnoreRules, pathOf, type IgnoreRules } from './rules.js';

/** Options of {@link sessionTracker}; by default the store's own ignore rules apply. */
export interface SessionTrackerOptions {
  /** Requests whose whole path matches are never written. @default the store's `ignoreUris` */
  ignoreUris?: IgnorePattern;
  /** Requests with a header whose whole name matches (case-insensitive) are never written. @default the store's `ignoreHeaders` */
  ignoreHeaders?: IgnorePattern;
  /** Alias of `ignoreUris`. */
  ignoreUri?: IgnorePattern;
  /** Alias of `ignoreHeaders`. */
  ignoreHeader?: IgnorePattern;
}

export type { TrackedStore } from './core-of.js';

type NextFunction = (error?: unknown) => void;
type TrackedRequest = IncomingMessage & { originalUrl?: string; sessionID?: string };

/**
 * The request tracker, the Tomcat original's valve: an Express/Connect middleware mounted
 * **before** express-session. It decides per request whether anything may be written:
 * a request that matches an ignore rule can read its session, but nothing is stored for it
 * (no set, no touch, no new session) and no cookie is issued for a session that was not stored.
 * It also records request timing and counts.
 *
 * @param store - the `DynamoSessionStore` the session middleware uses.
 * @param options - ignore rules overriding the store's.
 * @throws {SessionManagerError} `config.invalidOption` for an invalid pattern or a `store` that is not one of ours.
 * @example
 * ```ts
 * app.use(sessionTracker(store, { ignoreUris: '/(static|health)/.*', ignoreHeaders: 'x-no-session' }));
 * app.use(session({ store, secret, resave: false, saveUninitialized: false }));
 * ```
 */
export function sessionTracker(store: TrackedStore, options: SessionTrackerOptions = {}) {
  const core = coreOf(store);
  const rules = resolveRules(core, options);
  const { metrics } = internalsOf(core);

  return function trackSession(req: TrackedRequest, res: ServerResponse, next: NextFunction): void {
    const state = createRequestState(performance.now());
    state.ignored = matchIgnoreRules(rules, { path: pathOf(req.originalUrl ?? req.url ?? '/'), headerNames: headerNamesOf(req) });
    attachRequestState(req, state);
    metrics.increment(METRIC.requestCount);
    if (state.ignored !== undefined) metrics.increment(METRIC.requestIgnored);
    onHeaders(res, function dropUnstoredSessionCookie(this: ServerResponse) {
      if ((state.ignored !== undefined || state.degraded) && !state.stored) dropSetCookies(this, carriesSessionId(req.sessionID));
    });
    res.once('finish', () => metrics.timing(METRIC.requestDuration, performance.now() - state.startedAt));
    requestScope.run(state, next);
  };
}

function resolveRules(core: SessionStore, options: SessionTrackerOptions): IgnoreRules {
  validateKnownKeys(options);
  // The same validation as the store's options (aliases included); unset rules fall back to the store's.
  const own = resolveIgnoreOptions(options as Record<string, unknown>);
  const uri = own.ignoreUris ?? core.options.ignoreUris;
  const header = own.ignoreHeaders ?? core.options.ignoreHeaders;
  return { ...(uri === undefined ? {} : { uri }), ...(header === undefined ? {} : { header }) };
}

function headerNamesOf(req: IncomingMessage): string[] {
  const names: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) names.push(req.rawHeaders[i] ?? '');
  return names;
}
