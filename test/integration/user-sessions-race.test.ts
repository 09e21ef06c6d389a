// Issue 14: a revoke racing sign-ins, on dynalite, under a seeded fast-check scheduler that orders
// every DynamoDB call of three servers: one revokes a user's sessions while another signs in a
// session created before the revoke, and a third signs in a session created after it (beyond the
// clock skew). Whatever the order: the first is ended (by the revoke's index pass or by its own
// sign-in reading the revocation marker), the second survives.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/index.js';
import type { SessionRecord } from '../../src/codec/codec.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createManualClock } from '../support/manual-clock.js';

const RUNS = Number(process.env.USER_RACE_RUNS ?? 30);
const SEED = Number(process.env.USER_RACE_SEED ?? 1414);
const T0 = Date.UTC(2026, 0, 5, 10, 30);
const SKEW_MS = 10_000;
const admin = createTestClient();
afterAll(() => admin.destroy());

type Scheduler = fc.Scheduler;

/** One server's calls: each waits at a scheduler point before it is sent (while the race runs). */
class Actor {
  pending = 0;
  inFlight = 0;
  done = false;
  scheduler: Scheduler | undefined;
  readonly log: string[];
  constructor(readonly label: string, log: string[]) {
    this.log = log;
  }
  /** At rest: finished, or every call it made is waiting for the scheduler. */
  get quiet(): boolean {
    return this.done || (this.inFlight === 0 && this.pending > 0);
  }
}

class ScheduledHandler extends NodeHttpHandler {
  constructor(readonly actor: Actor) {
    super({ requestTimeout: 10_000, connectionTimeout: 2000, throwOnRequestTimeout: true });
  }

  override async handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const actor = this.actor;
    const target = args[0].headers['x-amz-target'] ?? '';
    const operation = target.slice(target.lastIndexOf('.') + 1);
    if (actor.scheduler !== undefined) {
      actor.pending += 1;
      try {
        await actor.scheduler.schedule(Promise.resolve(), `${actor.label} ${operation}`);
      } finally {
        actor.pending -= 1;
      }
      actor.log.push(`${actor.label} ${operation}`);
    }
    actor.inFlight += 1;
    try {
      return await super.handle(...args);
    } finally {
      actor.inFlight -= 1;
    }
  }
}

function clientFor(actor: Actor): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: testEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: new ScheduledHandler(actor),
  });
}

const userOf = (s: SessionRecord): string | undefined => (typeof s.user === 'string' ? s.user : undefined);
const session = (fields: Record<string, unknown> = {}): SessionRecord => ({ cookie: { originalMaxAge: null, expires: null }, ...fields });

/** Releases scheduled calls one at a time, each once every actor is at rest, until `work` settles or `until()`. */
async function drive(s: Scheduler, actors: readonly Actor[], work: Promise<unknown>, until: () => boolean = () => false): Promise<void> {
  let settled = false;
  void work.then(
    () => (settled = true),
    () => (settled = true),
  );
  const started = performance.now();
  while (!settled && !until()) {
    if (performance.now() - started > 20_000) throw new Error('the race did not finish (a hang?)');
    if (actors.every((a) => a.quiet) && s.count() > 0) await s.waitNext(1);
    else await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * One race. `headStart`: how many of the revoke's calls go before the sign-ins start (0: all
 * start together), so that every phase of the revoke (marker, index pass, reads, tombstones, second
 * pass, done) meets a sign-in in some run.
 */
async function race(s: Scheduler, headStart: number): Promise<void> {
  const base = uniqueBaseName('us-race');
  const log: string[] = [];
  const actors = { revoker: new Actor('revoke', log), before: new Actor('signin-before', log), after: new Actor('signin-after', log) };
  const clients = Object.values(actors).map(clientFor);
  const [revokerClient, beforeClient, afterClient] = clients as [DynamoDBClient, DynamoDBClient, DynamoDBClient];
  const common = { tableBaseName: base, maintenanceIntervalSeconds: 0, userIdOf: userOf, revokeSecondPassMs: 0, clockSkewSeconds: SKEW_MS / 1000 } as const;
  // Three servers: the revoker and the first sign-in at T0, the second sign-in's clock past the skew.
  const revoker = new SessionStore({ ...common, client: revokerClient, now: createManualClock(T0) });
  const before = new SessionStore({ ...common, client: beforeClient, now: createManualClock(T0) });
  const after = new SessionStore({ ...common, client: afterClient, now: createManualClock(T0 + 2 * SKEW_MS) });
  try {
    await Promise.all([revoker.ready(), before.ready(), after.ready()]);
    // A visitor's session, stored before the revoke, without a user yet.
    const early = randomBytes(18).toString('base64url');
    await before.set(early, session({ cart: 1 }));
    const loaded = await before.get(early);
    const late = randomBytes(18).toString('base64url');
    for (const actor of Object.values(actors)) actor.scheduler = s;
    const run = (actor: Actor, work: () => Promise<unknown>): Promise<unknown> =>
      work().finally(() => {
        actor.done = true;
      });
    const revoking = run(actors.revoker, () => revoker.revokeUserSessions('alice'));
    await drive(s, [actors.revoker], revoking, () => log.length >= headStart && actors.revoker.quiet);
    const results = Promise.all([
      revoking,
      run(actors.before, () => before.set(early, { ...loaded!.session, user: 'alice' }, { load: loaded!.context })),
      run(actors.after, () => after.set(late, session({ user: 'alice' }))),
    ]);
    await drive(s, Object.values(actors), results);
    const [ended] = (await results) as [number, unknown, unknown];
    for (const actor of Object.values(actors)) actor.scheduler = undefined;
    const signInEnded = before.metrics().counters['user.sign_in_revoked']?.total ?? 0;
    const order = log.join(' | ');
    expect(await revoker.get(early), `the session signed in before the revoke survived: ${order}`).toBeNull();
    expect(await before.get(early), order).toBeNull();
    expect(ended + signInEnded, `nobody ended it: ${order}`).toBeGreaterThanOrEqual(1);
    expect(await after.get(late), `the session created after the revoke was ended: ${order}`).not.toBeNull();
    expect((await after.listUserSessions('alice')).map((x) => x.id), order).toEqual([late]);
  } finally {
    for (const actor of Object.values(actors)) actor.scheduler = undefined;
    await Promise.all([revoker.close(), before.close(), after.close()]);
    for (const client of clients) client.destroy();
    await dropTablesWithPrefix(admin, base);
  }
}

describe('a revoke racing sign-ins (fast-check scheduler over every DynamoDB call)', () => {
  it(`ends the sign-in that started before it and keeps the one after, in ${RUNS} seeded orders`, { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.nat({ max: 6 }), async (s, headStart) => {
        await race(s, headStart);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});
