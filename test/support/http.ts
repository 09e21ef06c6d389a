import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running HTTP server on 127.0.0.1 and a random port. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `handler` (an Express app, say) on 127.0.0.1, port 0. */
export async function serve(handler: RequestListener): Promise<RunningServer> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser-like client: keeps the cookies the server sets. */
export class CookieClient {
  readonly #base: string;
  readonly cookies = new Map<string, string>();

  constructor(base: string) {
    this.#base = base;
  }

  async request(path: string, init: RequestInit = {}): Promise<{ status: number; body: string; json: unknown; setCookie: string[] }> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(`${this.#base}${path}`, { ...init, headers, redirect: 'manual' });
    const setCookie = response.headers.getSetCookie();
    for (const entry of setCookie) {
      const [pair] = entry.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair !== undefined && eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const body = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    return { status: response.status, body, json, setCookie };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request(path, headers === undefined ? {} : { headers });
  }

  post(path: string, body?: unknown) {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  }

  /** The session id inside the signed express-session cookie, or undefined. */
  sessionId(name = 'connect.sid'): string | undefined {
    const raw = this.cookies.get(name);
    if (raw === undefined) return undefined;
    const decoded = decodeURIComponent(raw);
    return decoded.startsWith('s:') ? decoded.slice(2, decoded.lastIndexOf('.')) : decoded;
  }
}
