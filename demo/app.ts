import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import session from 'express-session';
import { isSessionManagerError, sessionTracker, type DynamoSessionStore } from 'dynamo-session-manager';
import { createDashboardRouter, sampleDashboard } from './dashboard/routes.js';
import { MetricsHistory, sampleEvery } from './dashboard/history.js';
import { html } from './html.js';
import { renderLayout } from './layout.js';
import { RecentSessions } from './recent-sessions.js';
import { createShopRouter } from './shop/routes.js';

/** Options of {@link createDemoApp}. */
export interface DemoAppOptions {
  /** Signs the session cookie. */
  sessionSecret: string;
  /** Name of the session cookie. @default 'dsm-demo.sid' */
  cookieName?: string;
  /** How often the dashboard's history samples the counters, in milliseconds. @default 1000 */
  sampleIntervalMs?: number;
  /** Samples the history keeps. @default 300 */
  historySize?: number;
  /** How often the dashboard page refreshes, in milliseconds. @default 1000 */
  refreshMs?: number;
}

/** The demo's Express application, with the dashboard's history and a way to stop its sampling. */
export type DemoApp = Express & {
  readonly history: MetricsHistory;
  readonly recent: RecentSessions;
  /** Stops the dashboard's sampling timer. The store is the caller's to close. */
  close(): void;
};

/** Where the style sheets, the dashboard script and the icon are. */
export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** Allows only this origin's own files: no inline script or style, no framing. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
  next();
};

/**
 * The demo application: the shop (sign in, cart, sign out) on sessions kept by `store`, the
 * live dashboard under `/dashboard`, and static files under `/static/`. The store must be ready;
 * the caller listens, and closes the store and then this app.
 *
 * Order matters and is part of the demonstration:
 * 1. the dashboard comes first, so watching it touches no session;
 * 2. then the request tracker, then express-session;
 * 3. then `/static/`, which the tracker ignores: those requests may read the session but never
 *    write it (a production app would serve them before the session middleware, or from a CDN);
 * 4. then the shop.
 */
export function createDemoApp(store: DynamoSessionStore, options: DemoAppOptions): DemoApp {
  const now = store.core.options.now;
  const cookieName = options.cookieName ?? 'dsm-demo.sid';
  const sampleIntervalMs = options.sampleIntervalMs ?? 1000;
  const history = new MetricsHistory({ intervalMs: sampleIntervalMs, capacity: options.historySize ?? 300 });
  const recent = new RecentSessions();

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));
  app.use('/dashboard', createDashboardRouter({ store, history, recent, refreshMs: options.refreshMs ?? 1000, now }));

  app.use(sessionTracker(store));
  app.use(
    session({
      store,
      name: cookieName,
      secret: options.sessionSecret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', path: '/' },
    }),
  );
  app.use('/static', express.static(PUBLIC_DIR, { index: false, fallthrough: false, maxAge: 0 }));
  app.use(
    createShopRouter({
      recent,
      cookieName,
      rotationSeconds: store.core.options.rotationPeriodMs / 1000,
      idleSeconds: store.core.options.maxInactiveMs / 1000,
      rememberSeconds: store.core.options.longestLifetimeMs / 1000,
      now,
    }),
  );

  app.use((_req, res) => {
    res.status(404).type('html').send(renderMessagePage('Not found', 'There is nothing at this address.'));
  });
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    const code = isSessionManagerError(error) ? error.code : undefined;
    const message =
      status === 404
        ? 'There is nothing at this address.'
        : code === undefined
          ? 'Something went wrong while handling this request.'
          : `The session store failed (${code}). If DynamoDB is down, try again in a moment.`;
    res.status(status).type('html').send(renderMessagePage(status === 404 ? 'Not found' : 'Error', message));
  };
  app.use(onError);

  const stopSampling = sampleEvery(sampleIntervalMs, () => sampleDashboard({ store, history, now }));
  return Object.assign(app, { history, recent, close: stopSampling });
}

function renderMessagePage(title: string, message: string): string {
  return renderLayout({
    title,
    page: 'error',
    body: html`<main class="shop"><section class="card"><h1>${title}</h1><p>${message}</p><p><a href="/">Back to the shop</a></p></section></main>`,
  });
}
