import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { listMySessions, signOutOtherDevices } from 'dynamo-session-manager';
import { shortenId, type RecentSessions } from '../recent-sessions.js';
import { SHOP_LIMITS, addToCart, cleanText, removeFromCart, type ShopSession } from './cart.js';
import { createCsrfToken, isValidCsrfToken } from './csrf.js';
import { deviceAddress, describeDevice, deviceFacts } from './device.js';
import { renderShopPage, type DeviceRow } from './pages.js';

/** What the shop's routes need from the application. */
export interface ShopRouterOptions {
  readonly recent: RecentSessions;
  readonly rotationSeconds: number;
  readonly idleSeconds: number;
  /** "Remember me" at sign-in: the cookie's `maxAge`, in seconds (the store's longest lifetime). */
  readonly rememberSeconds: number;
  /** The name of the session cookie, cleared on sign-out. */
  readonly cookieName: string;
  /** Clock, epoch ms. */
  readonly now: () => number;
}

/** The shop's view of `req.session`: express-session's object with the shop's fields. */
function asShopSession(req: Request): ShopSession {
  return req.session as unknown as ShopSession;
}

/**
 * The shop: sign in with a name, a cart, sign out. Forms post and redirect (303), so the page
 * works without JavaScript and a reload never re-posts. Every form but sign-in carries the
 * session's CSRF token.
 */
export function createShopRouter(options: ShopRouterOptions): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 }));

  /** Where the signed-in user is signed in, this browser first; undefined when the store could not say. */
  const listDevices = async (req: Request): Promise<DeviceRow[] | undefined> => {
    try {
      const sessions = await listMySessions(req);
      return sessions
        .map((session) => ({
          label: describeDevice(session.device),
          ip: deviceAddress(session.device),
          createdAtMs: session.createdAt.getTime(),
          lastSeenAtMs: session.lastSeenAt.getTime(),
          current: session.current,
        }))
        .sort((a, b) => Number(b.current) - Number(a.current));
    } catch {
      return undefined; // the page still works; the card says the list could not be read
    }
  };

  const render = async (req: Request, res: Response, status = 200, error?: string): Promise<void> => {
    const data = asShopSession(req);
    const devices = data.user === undefined ? [] : await listDevices(req);
    const ended = typeof req.query.signedOutOthers === 'string' && /^\d{1,4}$/.test(req.query.signedOutOthers) ? Number(req.query.signedOutOthers) : undefined;
    res.status(status).type('html').send(
      renderShopPage({
        user: data.user,
        cart: data.cart ?? [],
        csrfToken: data.csrfToken,
        cardLast4: data.paymentCardLast4,
        sessionIdPrefix: data.user === undefined ? undefined : shortenId(req.sessionID),
        rotationSeconds: options.rotationSeconds,
        idleSeconds: options.idleSeconds,
        rememberSeconds: options.rememberSeconds,
        error,
        devices,
        othersSignedOut: ended,
        nowMs: options.now(),
      }),
    );
  };

  /**
   * Redirects once the session is stored. express-session sends a response's headers before its own
   * save at the end of the request has finished, so a browser following a 303 at once can load the
   * session before the change is stored and show the page without it (a stale read, not a lost
   * write); saving first, as express-session's README advises for redirects, closes that.
   */
  const saveThenRedirect = (req: Request, res: Response, next: NextFunction, location: string): void => {
    req.session.save((err: unknown) => (err ? next(err) : res.redirect(303, location)));
  };

  router.get('/', (req, res, next) => {
    render(req, res).catch(next);
  });

  router.post('/signin', (req, res, next) => {
    const name = cleanText((req.body as Record<string, unknown>).name, 'The name', SHOP_LIMITS.nameChars);
    if (!name.ok) return void render(req, res, 400, name.error).catch(next);
    const remember = (req.body as Record<string, unknown>).remember === '1';
    const start = (): void => {
      // Remember me: a cookie with an expiry, which the store takes as the session's lifetime;
      // without it, a browser-session cookie and the idle timeout.
      if (remember) req.session.cookie.maxAge = options.rememberSeconds * 1000;
      const data = asShopSession(req);
      data.user = { name: name.value, signedInAtMs: options.now() };
      // For "Signed in on": the store lists `device` (its default deviceOf) with the user's sessions.
      data.device = deviceFacts({ userAgent: req.get('user-agent'), ip: req.ip });
      data.csrfToken = createCsrfToken();
      data.paymentCardLast4 = '4242';
      data.cart = [];
      options.recent.add(req.sessionID, name.value, options.now());
      saveThenRedirect(req, res, next, '/');
    };
    // A stored session gets a new id on sign-in (no session fixation); a fresh one has never
    // been stored, so regenerating it would only cost a delete.
    if (asShopSession(req).user === undefined) return start();
    options.recent.remove(req.sessionID);
    req.session.regenerate((err: unknown) => (err ? next(err) : start()));
  });

  /** Lets a form through only for a signed-in session with the right token; writes nothing otherwise. */
  const guard = (req: Request, res: Response, next: NextFunction): void => {
    const data = asShopSession(req);
    if (data.user === undefined) return res.redirect(303, '/');
    if (!isValidCsrfToken(data.csrfToken, (req.body as Record<string, unknown>)._csrf)) {
      return void render(req, res, 403, 'The form had expired or came from elsewhere; please try again.').catch(next);
    }
    next();
  };

  router.post('/cart/add', guard, (req, res, next) => {
    const item = cleanText((req.body as Record<string, unknown>).item, 'The item', SHOP_LIMITS.itemChars);
    if (!item.ok) return void render(req, res, 400, item.error).catch(next);
    const data = asShopSession(req);
    const added = addToCart(data.cart ?? [], item.value);
    if (!added.ok) return void render(req, res, 400, added.error).catch(next);
    data.cart = added.lines;
    saveThenRedirect(req, res, next, '/');
  });

  router.post('/cart/remove', guard, (req, res, next) => {
    const item = cleanText((req.body as Record<string, unknown>).item, 'The item', SHOP_LIMITS.itemChars);
    if (!item.ok) return void render(req, res, 400, item.error).catch(next);
    const data = asShopSession(req);
    data.cart = removeFromCart(data.cart ?? [], item.value);
    saveThenRedirect(req, res, next, '/');
  });

  // Ends the user's other sessions, keeping this one; says how many on the page it redirects to.
  router.post('/signout-others', guard, (req, res, next) => {
    signOutOtherDevices(req).then((ended) => {
      const user = asShopSession(req).user;
      if (user !== undefined) options.recent.removeUser(user.name, req.sessionID);
      res.redirect(303, `/?signedOutOthers=${ended}`);
    }, next);
  });

  router.post('/signout', guard, (req, res, next) => {
    options.recent.remove(req.sessionID);
    req.session.destroy((err: unknown) => {
      if (err) return next(err);
      res.clearCookie(options.cookieName, { path: '/' });
      res.redirect(303, '/');
    });
  });

  return router;
}
