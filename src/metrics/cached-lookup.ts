import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { systemClock, type Clock } from '../clock.js';

/** How long a resolved address is used before it is looked up again (in the background). */
export const DNS_CACHE_TTL_MS = 60_000;
/** How long a failed lookup is remembered, so an unresolvable host costs one lookup per period. */
export const DNS_FAILURE_TTL_MS = 10_000;
/** Most sends that may wait for one lookup in flight; further sends fail at once. */
export const DNS_MAX_WAITERS = 64;

/** The callback of a `lookup` function, as `dgram` calls it. */
export type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** A `lookup` function for `dgram.createSocket`: resolves one host name to one address. */
export type LookupFunction = (hostname: string, options: number | { family?: number | string | undefined }, callback: LookupCallback) => void;

/** Resolves one host name, as `dns.lookup(hostname, { family }, callback)` does. */
export type Resolver = (hostname: string, options: { family: number }, callback: LookupCallback) => void;

/** Options of {@link createCachedLookup}. */
export interface CachedLookupOptions {
  /** Clock for the cache's ages, epoch ms. @default Date.now */
  now?: Clock;
  /** How long an address is fresh. @default {@link DNS_CACHE_TTL_MS} */
  ttlMs?: number;
  /** How long a failure is remembered. @default {@link DNS_FAILURE_TTL_MS} */
  failureTtlMs?: number;
  /** The resolver behind the cache. @default `dns.lookup` */
  resolve?: Resolver;
}

interface Entry {
  address?: string;
  family?: number;
  error?: NodeJS.ErrnoException;
  atMs: number;
  waiters: LookupCallback[] | undefined;
}

function familyOf(options: number | { family?: number | string | undefined }): number {
  const family = typeof options === 'number' ? options : options.family;
  if (family === 6 || family === 'IPv6') return 6;
  if (family === 4 || family === 'IPv4') return 4;
  return 0;
}

function defaultResolve(hostname: string, options: { family: number }, callback: LookupCallback): void {
  dnsLookup(hostname, options, callback);
}

/**
 * Builds a `lookup` function for a UDP socket that keeps DNS off the metrics hot path. An IP
 * address is answered at once. A host name is looked up once; its address is then answered from
 * memory, and refreshed in the background once older than `ttlMs` (the stale address keeps
 * serving meanwhile). A failure is remembered for `failureTtlMs` and answered at once, so an
 * unresolvable statsd host costs one lookup per period instead of one per packet. Sends that
 * arrive while the first lookup is in flight wait for it (at most {@link DNS_MAX_WAITERS}).
 *
 * hot-shots' own `cacheDns` looks the host up again on every packet while it does not resolve,
 * filling libuv's thread pool (shared with `fs` and the AWS SDK's own lookups); this replaces it.
 *
 * @internal
 * @param options - clock, lifetimes and resolver.
 * @returns the lookup function, to pass as `udpSocketOptions.lookup`.
 */
export function createCachedLookup(options: CachedLookupOptions = {}): LookupFunction {
  const now = options.now ?? systemClock;
  const ttlMs = options.ttlMs ?? DNS_CACHE_TTL_MS;
  const failureTtlMs = options.failureTtlMs ?? DNS_FAILURE_TTL_MS;
  const resolve = options.resolve ?? defaultResolve;
  const cache = new Map<string, Entry>();

  function start(hostname: string, family: number, entry: Entry, waiter?: LookupCallback): void {
    entry.waiters = waiter === undefined ? [] : [waiter];
    const settle: LookupCallback = (error, address, resolvedFamily) => {
      const waiters = entry.waiters ?? [];
      entry.waiters = undefined;
      entry.atMs = now();
      if (error) {
        // Keep a stale address if there is one: a failed refresh should not stop sending.
        if (entry.address === undefined) entry.error = error;
      } else {
        entry.address = address;
        entry.family = resolvedFamily;
        delete entry.error;
      }
      for (const each of waiters) answer(entry, each);
    };
    try {
      resolve(hostname, { family }, settle);
    } catch (error) {
      settle(error as NodeJS.ErrnoException, '', 0);
    }
  }

  function answer(entry: Entry, callback: LookupCallback): void {
    if (entry.address !== undefined) callback(null, entry.address, entry.family ?? 4);
    else callback(entry.error ?? Object.assign(new Error('DNS lookup failed'), { code: 'ENOTFOUND' }), '', 0);
  }

  return function cachedLookup(hostname, lookupOptions, callback) {
    const ipFamily = isIP(hostname);
    if (ipFamily !== 0) {
      callback(null, hostname, ipFamily);
      return;
    }
    const family = familyOf(lookupOptions);
    const key = `${family}/${hostname}`;
    let entry = cache.get(key);
    if (entry === undefined) {
      entry = { atMs: now(), waiters: undefined };
      cache.set(key, entry);
      start(hostname, family, entry, callback);
      return;
    }
    const inFlight = entry.waiters !== undefined;
    if (entry.address !== undefined) {
      if (!inFlight && now() - entry.atMs >= ttlMs) start(hostname, family, entry);
      answer(entry, callback);
      return;
    }
    if (inFlight) {
      if (entry.waiters !== undefined && entry.waiters.length < DNS_MAX_WAITERS) entry.waiters.push(callback);
      else callback(Object.assign(new Error(`DNS lookup of ${hostname} still pending`), { code: 'EAI_AGAIN' }), '', 0);
      return;
    }
    if (now() - entry.atMs >= failureTtlMs) {
      start(hostname, family, entry, callback);
      return;
    }
    answer(entry, callback);
  };
}
