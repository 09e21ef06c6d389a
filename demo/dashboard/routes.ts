import express, { type ErrorRequestHandler, type Router } from 'express';
import { isSessionManagerError, type DynamoSessionStore, type TableInfo } from 'dynamo-session-manager';
import { shortenId, type RecentSessions } from '../recent-sessions.js';
import { buildDashboardFigures, summarizeCounters, pickSeriesValues, type DashboardFigures, type RotationFigures } from './figures.js';
import type { MetricsHistory } from './history.js';
import { renderDashboardPage } from './page.js';
import { lookUpUser } from './user-lookup.js';

/** What the dashboard reads. */
export interface DashboardSources {
  readonly store: DynamoSessionStore;
  readonly history: MetricsHistory;
  readonly recent: RecentSessions;
  /** How often the page refreshes, in milliseconds. */
  readonly refreshMs: number;
  /** Clock, epoch ms: the store's. */
  readonly now: () => number;
}

/**
 * The tables that exist, as the store knows them. The store also remembers periods it looked
 * for and did not find (status MISSING, such as the period before the very first table); those
 * are not tables and are left out.
 */
export function listExistingTables(store: DynamoSessionStore): TableInfo[] {
  return store.tables().filter((table) => table.status !== 'MISSING');
}

/**
 * Rotation facts from the store. The store answers "milliseconds until the next rotation" at
 * its own reading of the clock, a moment after `nowMs`; adding it to a clock read afterwards and
 * rounding to the second (periods are whole seconds) gives the boundary itself, not 1 ms before.
 */
export function readRotationFigures(store: DynamoSessionStore, nowMs: number): RotationFigures {
  const msUntil = store.core.msUntilRotation();
  const nextRotationAtMs = msUntil === undefined ? null : Math.round((store.core.options.now() + msUntil) / 1000) * 1000;
  return {
    mode: store.core.expiry,
    periodMs: store.core.options.rotationPeriodMs,
    msUntilRotation: nextRotationAtMs === null ? null : Math.max(0, nextRotationAtMs - nowMs),
    nextRotationAtMs,
    createAheadMs: store.core.options.createAheadMs,
  };
}

/** The figures now: what `/dashboard/metrics.json` serves. History after `sinceMs` only, when given. */
export function readDashboardFigures(sources: DashboardSources, sinceMs?: number): DashboardFigures {
  const nowMs = sources.now();
  const tables = listExistingTables(sources.store);
  sources.history.noteTables(tables, nowMs);
  return buildDashboardFigures({
    nowMs,
    refreshMs: sources.refreshMs,
    snapshot: sources.store.metrics(),
    tables,
    rotation: readRotationFigures(sources.store, nowMs),
    deleted: sources.history.deleted(),
    history: sources.history.series(sinceMs),
    recentSessions: sources.recent.list(),
  });
}

/** Takes one sample of the counters and the tables into the history. */
export function sampleDashboard(sources: Pick<DashboardSources, 'store' | 'history' | 'now'>): void {
  const atMs = sources.now();
  sources.history.noteTables(listExistingTables(sources.store), atMs);
  sources.history.record(atMs, pickSeriesValues(summarizeCounters(sources.store.metrics())));
}

const ID_INPUT = /^[A-Za-z0-9_\-+/=.:~]{4,256}$/;

/**
 * The inspector's answer for what an operator typed: a full id, or the start of a recent one.
 * Values under secret-looking keys are masked by the store; the answer names the session by its
 * first characters only.
 */
export async function inspectSession(sources: Pick<DashboardSources, 'store' | 'recent'>, input: unknown): Promise<{ status: number; body: object }> {
  if (typeof input !== 'string' || !ID_INPUT.test(input)) {
    return { status: 400, body: { error: 'Give a session id, or at least 4 characters of a recent one (letters, digits and _-+/=.:~).' } };
  }
  const id = sources.recent.resolve(input);
  try {
    const found = await sources.store.inspect(id);
    if (found === null) return { status: 404, body: { found: false, idPrefix: shortenId(id) } };
    const role = sources.store.tables().find((table) => table.name === found.table)?.role ?? 'unknown';
    return { status: 200, body: { found: true, idPrefix: shortenId(id), tableRole: role, ...found } };
  } catch (error) {
    const code = isSessionManagerError(error) ? error.code : 'unknown';
    return { status: 503, body: { error: `The store could not read the session (${code}).` } };
  }
}

/**
 * The dashboard: the page, its figures as JSON, and the inspector. Mounted before the session
 * middleware, so watching the dashboard reads and writes no session and costs no DynamoDB call
 * (the inspector costs one read per lookup; a user lookup one Query per live table and a read per session).
 */
export function createDashboardRouter(sources: DashboardSources): Router {
  const router = express.Router();

  router.get('/', (_req, res) => {
    res.type('html').send(renderDashboardPage());
  });

  router.get('/metrics.json', (req, res) => {
    const since = typeof req.query.since === 'string' && /^\d{1,15}$/.test(req.query.since) ? Number(req.query.since) : undefined;
    res.set('cache-control', 'no-store').json(readDashboardFigures(sources, since));
  });

  router.post('/inspect', express.json({ limit: '1kb' }), (req, res, next) => {
    inspectSession(sources, (req.body as { id?: unknown } | undefined)?.id).then(({ status, body }) => res.status(status).json(body), next);
  });

  router.post('/user', express.json({ limit: '1kb' }), (req, res, next) => {
    lookUpUser(sources.store, (req.body as { user?: unknown } | undefined)?.user).then(({ status, body }) => res.status(status).json(body), next);
  });

  // The dashboard's callers read JSON, also when the body parser refuses a request.
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    res.status(status).json({ error: status === 413 ? 'The request is too large.' : status < 500 ? 'The request was malformed.' : 'The dashboard could not answer.' });
  };
  router.use(onError);

  return router;
}
