import express, { type Router } from 'express';
import { isSessionManagerError, type DynamoSessionStore } from 'dynamo-session-manager';
import { idPrefix, type RecentSessions } from '../recent-sessions.js';
import { buildDashboardFigures, counterFigures, seriesValues, type DashboardFigures, type RotationFigures } from './figures.js';
import type { MetricsHistory } from './history.js';
import { renderDashboardPage } from './page.js';

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

/** Rotation facts from the store. */
export function rotationFigures(store: DynamoSessionStore, nowMs: number): RotationFigures {
  const msUntil = store.core.msUntilRotation();
  return {
    mode: store.core.expiry,
    periodMs: store.core.options.rotationPeriodMs,
    msUntilRotation: msUntil ?? null,
    nextRotationAtMs: msUntil === undefined ? null : nowMs + msUntil,
    createAheadMs: store.core.options.createAheadMs,
  };
}

/** The figures now: what `/dashboard/metrics.json` serves. History after `sinceMs` only, when given. */
export function readDashboardFigures(sources: DashboardSources, sinceMs?: number): DashboardFigures {
  const nowMs = sources.now();
  const tables = sources.store.tables();
  sources.history.noteTables(tables, nowMs);
  return buildDashboardFigures({
    nowMs,
    refreshMs: sources.refreshMs,
    snapshot: sources.store.metrics(),
    tables,
    rotation: rotationFigures(sources.store, nowMs),
    deleted: sources.history.deleted(),
    history: sources.history.series(sinceMs),
    recentSessions: sources.recent.list(),
  });
}

/** Takes one sample of the counters and the tables into the history. */
export function sampleDashboard(sources: Pick<DashboardSources, 'store' | 'history' | 'now'>): void {
  const atMs = sources.now();
  sources.history.noteTables(sources.store.tables(), atMs);
  sources.history.record(atMs, seriesValues(counterFigures(sources.store.metrics())));
}

const ID_INPUT = /^[A-Za-z0-9_\-+/=.:~]{4,256}$/;

/**
 * The dashboard: the page, its figures as JSON, and the inspector. Mounted before the session
 * middleware, so watching the dashboard reads and writes no session and costs no DynamoDB call
 * (the inspector costs one read per lookup).
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

  router.post('/inspect', express.json({ limit: '1kb' }), async (req, res) => {
    const input = (req.body as { id?: unknown } | undefined)?.id;
    if (typeof input !== 'string' || !ID_INPUT.test(input)) {
      res.status(400).json({ error: 'Give a session id, or at least 4 characters of a recent one (letters, digits and _-+/=.:~).' });
      return;
    }
    const id = sources.recent.resolve(input);
    try {
      const found = await sources.store.inspect(id);
      if (found === null) {
        res.status(404).json({ found: false, idPrefix: idPrefix(id) });
        return;
      }
      const role = sources.store.tables().find((table) => table.name === found.table)?.role ?? 'unknown';
      res.json({ found: true, idPrefix: idPrefix(id), tableRole: role, ...found });
    } catch (error) {
      const code = isSessionManagerError(error) ? error.code : 'unknown';
      res.status(503).json({ error: `The store could not read the session (${code}).` });
    }
  });

  return router;
}
