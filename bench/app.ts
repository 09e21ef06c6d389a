/**
 * The one Express application every store is measured with. Three routes:
 * - `POST /login?u=<n>` signs user n in: the whole ~1.5 KB session is created (warm-up only);
 * - `GET /account` reads the session and answers a small summary: the session is unchanged;
 * - `POST /cart?n=<seq>` changes the session (cart revision, a quantity, recently viewed).
 * With no store (`none`) the same routes answer the same shapes without a session.
 */
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { changeShopSession, createShopSession, summarize, type ShopSession } from './session-data.js';
import { SESSION_MAX_AGE_SECONDS, type BuiltStore } from './stores.js';

declare module 'express-session' {
  interface SessionData {
    shop?: ShopSession;
  }
}

/** The cookie secret; the benchmark is local and throwaway. */
const SECRET = 'benchmark secret, long enough, never used for anything real';

/** Errors the app met: answered with a 500, or raised after the answer was sent (a failed touch or save). */
export interface AppErrors {
  answered: number;
  afterResponse: number;
  /** The first error message seen, for the report. */
  first: string | undefined;
}

/** Builds the app around one store; `errors` counts what went wrong in it. */
export function createBenchApp(built: BuiltStore, errors: AppErrors): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (built.kind === 'none') {
    const fixed = createShopSession(0);
    app.post('/login', (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/account', (_req, res) => {
      res.json(summarize(fixed));
    });
    app.post('/cart', (req, res) => {
      changeShopSession(fixed, Number(req.query.n ?? 0));
      res.json(summarize(fixed));
    });
    return app;
  }
  if (built.tracker !== undefined) app.use(built.tracker);
  app.use(
    session({
      ...(built.store === undefined ? {} : { store: built.store }),
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: SESSION_MAX_AGE_SECONDS * 1000, httpOnly: true },
    }),
  );
  app.post('/login', (req, res) => {
    req.session.shop = createShopSession(Number(req.query.u ?? 0));
    res.json({ ok: true });
  });
  // A request whose session was lost answers 410, so the benchmark counts it as an error.
  app.get('/account', (req, res) => {
    const shop = req.session.shop;
    if (shop === undefined) res.status(410).json({ error: 'session lost' });
    else res.json(summarize(shop));
  });
  app.post('/cart', (req, res) => {
    const shop = req.session.shop;
    if (shop === undefined) {
      res.status(410).json({ error: 'session lost' });
      return;
    }
    changeShopSession(shop, Number(req.query.n ?? 0));
    res.json(summarize(shop));
  });
  const onError: ErrorRequestHandler = (err: { code?: string; message?: string }, _req, res, _next) => {
    errors.first ??= `${err.code ?? 'unknown'}: ${err.message ?? ''}`;
    if (res.headersSent) {
      errors.afterResponse += 1;
      return;
    }
    errors.answered += 1;
    res.status(500).json({ code: err.code ?? 'unknown', message: err.message });
  };
  app.use(onError);
  return app;
}
