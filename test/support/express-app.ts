import type { ErrorRequestHandler, Express } from 'express';
import session, { type SessionOptions } from 'express-session';
import { sessionTracker, type DynamoSessionStore, type SessionTrackerOptions } from '../../src/index.js';
import type { ExpressVersion } from './express-versions.js';

declare module 'express-session' {
  interface SessionData {
    views?: number;
    cart?: { items: { sku: string; qty: number }[] };
    blob?: string;
    [key: string]: unknown;
  }
}

/** Options of the test application. */
export interface TestAppOptions {
  /** Mount the tracker before express-session, with these options. @default true with the store's rules */
  tracker?: boolean | SessionTrackerOptions;
  /** Extra express-session options. */
  session?: Partial<SessionOptions>;
}

/**
 * An Express app using the store, with routes that exercise sessions the ways apps do, on the
 * Express major given (tests run on each of EXPRESS_VERSIONS).
 */
export function createTestApp(on: ExpressVersion, store: DynamoSessionStore, options: TestAppOptions = {}): Express {
  const { express } = on;
  const app = express();
  app.use(express.json({ limit: '2mb' }));
  if (options.tracker !== false) app.use(sessionTracker(store, options.tracker === true || options.tracker === undefined ? {} : options.tracker));
  app.use(
    session({
      store,
      secret: 'test secret that is long enough to be fine',
      resave: false,
      saveUninitialized: false,
      ...options.session,
    }),
  );
  app.get('/peek', (req, res) => {
    res.json({ id: req.sessionID, session: { ...req.session, cookie: undefined } });
  });
  app.get('/count', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.json({ views: req.session.views });
  });
  app.post('/set', (req, res, next) => {
    const { key, value } = req.body as { key: string; value: unknown };
    req.session[key] = value;
    req.session.save((err) => (err ? next(err) : res.json({ ok: true })));
  });
  app.post('/unset', (req, res) => {
    delete req.session[(req.body as { key: string }).key];
    res.json({ ok: true });
  });
  app.post('/cart/add', (req, res) => {
    req.session.cart ??= { items: [] };
    const { sku } = req.body as { sku: string };
    const item = req.session.cart.items.find((i) => i.sku === sku);
    if (item === undefined) req.session.cart.items.push({ sku, qty: 1 });
    else item.qty += 1;
    res.json(req.session.cart);
  });
  app.post('/big', (req, res) => {
    req.session.blob = 'x'.repeat((req.body as { bytes: number }).bytes);
    res.json({ ok: true });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
  });
  app.get('/static/app.css', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1000; // must never be stored
    res.type('css').send('body{}');
  });
  app.get('/slow-set', (req, res) => {
    const { key, value, delayMs } = req.query as Record<string, string>;
    setTimeout(() => {
      req.session[key ?? 'k'] = value;
      res.json({ ok: true });
    }, Number(delayMs ?? 0));
  });
  const onError: ErrorRequestHandler = (err: { code?: string; message?: string }, _req, res, _next) => {
    res.status(500).json({ code: err.code ?? 'unknown', message: err.message });
  };
  app.use(onError);
  return app;
}
