import { access, constants } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { CookieClient } from './http.js';

/** Debian's chromium; `.ci/run` installs it with apt-get when missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for headless chromium on a machine with no network but loopback: no sandbox (tests may
 * run as root), no GPU, and none of chromium's background connections, which would otherwise
 * be refused many at a time.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--mute-audio',
] as const;

/**
 * Starts headless chromium through playwright-core (which never downloads a browser of its own).
 *
 * @throws {Error} when chromium is not installed, saying how to install it.
 */
export async function launchChromium(): Promise<Browser> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`No chromium at ${CHROMIUM_PATH}. Install it with \`apt-get install chromium\` (.ci/run does), or set CHROMIUM_PATH.`);
  }
  return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS], timeout: 30_000 });
}

/**
 * A scripted shopper for the demo over plain HTTP: signs in, changes the cart, looks around.
 * The HTTP tests use it as their user; the browser test uses a few as background traffic.
 */
export class DemoShopper {
  readonly client: CookieClient;
  readonly #cookieName: string;
  /** The User-Agent header of every request: a device of its own. */
  readonly #headers: Record<string, string>;
  #csrfToken: string | undefined;

  constructor(baseUrl: string, cookieName = 'dsm-demo.sid', userAgent?: string) {
    this.client = new CookieClient(baseUrl);
    this.#cookieName = cookieName;
    this.#headers = userAgent === undefined ? {} : { 'user-agent': userAgent };
  }

  /** The session id in the cookie, or undefined before sign-in. */
  get sessionId(): string | undefined {
    return this.client.sessionId(this.#cookieName);
  }

  /** The form token of the last page seen. */
  get csrfToken(): string | undefined {
    return this.#csrfToken;
  }

  /** Loads the shop page (or `path`, such as `/?signedOutOthers=1`), remembering its form token. */
  async view(path = '/'): Promise<{ status: number; body: string; setCookie: string[] }> {
    const page = await this.client.get(path, this.#headers);
    this.#csrfToken = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? this.#csrfToken;
    return page;
  }

  /** Posts a form as a browser does (urlencoded), with the form token unless `csrf` is given. */
  async post(path: string, fields: Record<string, string>, csrf: string | null | undefined = this.#csrfToken) {
    const body = new URLSearchParams(fields);
    if (csrf !== null && csrf !== undefined) body.set('_csrf', csrf);
    return await this.client.request(path, {
      method: 'POST',
      headers: { ...this.#headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }

  async signIn(name: string) {
    const response = await this.post('/signin', { name }, null);
    await this.view();
    return response;
  }

  add(item: string) {
    return this.post('/cart/add', { item });
  }

  remove(item: string) {
    return this.post('/cart/remove', { item });
  }

  signOut() {
    return this.post('/signout', {});
  }

  /** "Sign out other devices" on the account card. */
  signOutOthers() {
    return this.post('/signout-others', {});
  }
}
