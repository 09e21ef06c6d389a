import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../test/support/manual-clock.js';
import { createCachedLookup, DNS_MAX_WAITERS, type LookupCallback, type Resolver } from './cached-lookup.js';

interface Answer {
  error: string | null;
  address: string;
  family: number;
}

/** A resolver whose answers the test gives by hand, recording every lookup it is asked for. */
function createHandResolver() {
  const pending: Array<{ hostname: string; family: number; callback: LookupCallback }> = [];
  const resolve: Resolver = (hostname, options, callback) => {
    pending.push({ hostname, family: options.family, callback });
  };
  return {
    resolve,
    pending,
    succeed(address: string) {
      pending.shift()?.callback(null, address, 4);
    },
    fail(code = 'ENOTFOUND') {
      pending.shift()?.callback(Object.assign(new Error(code), { code }), '', 0);
    },
  };
}

function collect(): { answers: Answer[]; callback: LookupCallback } {
  const answers: Answer[] = [];
  return {
    answers,
    callback: (error, address, family) => answers.push({ error: error?.message ?? null, address, family }),
  };
}

describe('createCachedLookup', () => {
  it.each([
    ['127.0.0.1', 4],
    ['::1', 6],
  ])('answers IP address %s at once, without a lookup', (ip, family) => {
    const resolver = createHandResolver();
    const lookup = createCachedLookup({ resolve: resolver.resolve });
    const { answers, callback } = collect();
    lookup(ip, 4, callback);
    expect(answers).toEqual([{ error: null, address: ip, family }]);
    expect(resolver.pending).toHaveLength(0);
  });

  it('looks a host name up once, and answers from memory afterwards', () => {
    const resolver = createHandResolver();
    const lookup = createCachedLookup({ resolve: resolver.resolve, now: createManualClock(0) });
    const { answers, callback } = collect();
    lookup('statsd.local', 4, callback);
    lookup('statsd.local', 4, callback);
    expect(resolver.pending).toHaveLength(1);
    expect(resolver.pending[0]).toMatchObject({ hostname: 'statsd.local', family: 4 });
    expect(answers).toHaveLength(0);
    resolver.succeed('10.1.2.3');
    lookup('statsd.local', { family: 4 }, callback);
    expect(answers).toEqual(Array(3).fill({ error: null, address: '10.1.2.3', family: 4 }));
    expect(resolver.pending).toHaveLength(0);
  });

  it('refreshes a stale address in the background and keeps serving it meanwhile', () => {
    const clock = createManualClock(0);
    const resolver = createHandResolver();
    const lookup = createCachedLookup({ resolve: resolver.resolve, now: clock, ttlMs: 1000 });
    const { answers, callback } = collect();
    lookup('statsd.local', 4, callback);
    resolver.succeed('10.0.0.1');
    clock.advance(1000);
    lookup('statsd.local', 4, callback);
    lookup('statsd.local', 4, callback);
    expect(resolver.pending).toHaveLength(1);
    expect(answers.map((answer) => answer.address)).toEqual(['10.0.0.1', '10.0.0.1', '10.0.0.1']);
    resolver.fail();
    lookup('statsd.local', 4, callback);
    expect(answers.at(-1)?.address).toBe('10.0.0.1');
    clock.advance(1000);
    lookup('statsd.local', 4, callback);
    resolver.succeed('10.0.0.2');
    lookup('statsd.local', 4, callback);
    expect(answers.at(-1)?.address).toBe('10.0.0.2');
  });

  it('remembers a failure for failureTtlMs, then tries again', () => {
    const clock = createManualClock(0);
    const resolver = createHandResolver();
    const lookup = createCachedLookup({ resolve: resolver.resolve, now: clock, failureTtlMs: 10_000 });
    const { answers, callback } = collect();
    lookup('nowhere.invalid', 4, callback);
    resolver.fail('ENOTFOUND');
    for (let index = 0; index < 100; index += 1) lookup('nowhere.invalid', 4, callback);
    expect(resolver.pending).toHaveLength(0);
    expect(answers).toHaveLength(101);
    expect(answers.every((answer) => answer.error === 'ENOTFOUND')).toBe(true);
    clock.advance(10_000);
    lookup('nowhere.invalid', 4, callback);
    expect(resolver.pending).toHaveLength(1);
    resolver.succeed('10.9.9.9');
    expect(answers.at(-1)).toEqual({ error: null, address: '10.9.9.9', family: 4 });
  });

  it(`lets at most ${DNS_MAX_WAITERS} sends wait for a lookup in flight; the rest fail at once`, () => {
    const resolver = createHandResolver();
    const lookup = createCachedLookup({ resolve: resolver.resolve });
    const { answers, callback } = collect();
    for (let index = 0; index < DNS_MAX_WAITERS + 5; index += 1) lookup('slow.local', 4, callback);
    expect(answers).toHaveLength(5);
    expect(answers.every((answer) => answer.error?.includes('still pending'))).toBe(true);
    resolver.succeed('10.0.0.7');
    expect(answers).toHaveLength(DNS_MAX_WAITERS + 5);
  });

  it('keys the cache by address family', () => {
    const resolver = createHandResolver();
    const lookup = createCachedLookup({ resolve: resolver.resolve });
    lookup('dual.local', 4, () => {});
    lookup('dual.local', 6, () => {});
    expect(resolver.pending.map((entry) => entry.family)).toEqual([4, 6]);
  });

  it('turns a resolver that throws into a failed answer', () => {
    const lookup = createCachedLookup({
      resolve: () => {
        throw new Error('bad hostname');
      },
    });
    const { answers, callback } = collect();
    lookup('x.local', 4, callback);
    expect(answers).toEqual([{ error: 'bad hostname', address: '', family: 0 }]);
  });

  it('works with a resolver that answers synchronously', () => {
    const lookup = createCachedLookup({ resolve: (_host, _options, callback) => callback(null, '10.3.3.3', 4) });
    const { answers, callback } = collect();
    lookup('sync.local', 4, callback);
    lookup('sync.local', 4, callback);
    expect(answers).toEqual(Array(2).fill({ error: null, address: '10.3.3.3', family: 4 }));
  });
});
