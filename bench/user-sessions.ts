/**
 * User sessions (issue 14): what the user index costs, on Amazon DynamoDB Local (it reports the
 * write units of a global secondary index, as DynamoDB does; dynalite does not keep indexes added
 * later and reports no index units), TTL mode, default settings, one store at a time:
 * - with the feature off and on: a sign-in (a new session saved with a user), a later changed
 *   save, and a read-only request (a load and the touch express-session makes);
 * - with it on: listing a user's 10 sessions, and revoking them (the revoke's second index pass
 *   included).
 * Calls are counted by operation on the HTTP requests; units are those the server reports.
 */
import { DynamoSessionStore } from 'dynamo-session-manager';
import { createCountingClient, type CallCounts } from './measure.js';
import { createShopSession } from './session-data.js';

/** One measured step. */
export interface UserStep {
  /** Calls by operation. */
  readonly calls: Readonly<Record<string, number>>;
  readonly readUnits: number;
  readonly writeUnits: number;
}

/** The figures of one run of this section. */
export interface UserSessionsResult {
  readonly backend: string;
  /** The user's sessions listed and revoked. */
  readonly sessions: number;
  readonly off: { readonly signIn: UserStep; readonly changedSave: UserStep; readonly readOnly: UserStep };
  readonly on: {
    readonly signIn: UserStep;
    readonly changedSave: UserStep;
    readonly readOnly: UserStep;
    readonly list: UserStep;
    readonly revoke: UserStep;
    /** Sessions listed, and ended by the revoke (both should equal `sessions`). */
    readonly listed: number;
    readonly revoked: number;
  };
}

const SESSIONS = 10;

const stepOf = (c: CallCounts): UserStep => ({
  calls: Object.fromEntries(Object.entries(c.calls).filter(([, n]) => n > 0)),
  readUnits: Math.round(c.readUnits * 100) / 100,
  writeUnits: Math.round(c.writeUnits * 100) / 100,
});

interface Shop {
  readonly user?: string;
  readonly [key: string]: unknown;
}

async function measure(endpoint: string, withIndex: boolean): Promise<{ signIn: UserStep; changedSave: UserStep; readOnly: UserStep; store: DynamoSessionStore; counting: ReturnType<typeof createCountingClient> }> {
  const counting = createCountingClient(endpoint, { askForCapacity: true });
  const store = new DynamoSessionStore({
    client: counting.client,
    tableBaseName: `bench-users-${withIndex ? 'on' : 'off'}-${Date.now()}`,
    maintenanceIntervalSeconds: 0,
    ...(withIndex ? { userIdOf: (session: Shop) => session.user, revokeSecondPassMs: 200 } : {}),
  });
  await store.ready();
  const cookie = { originalMaxAge: null, expires: null, httpOnly: true, path: '/' };
  const id = `users-${withIndex ? 'on' : 'off'}-${Date.now().toString(36)}-0001`;
  // Before sign-in: the visitor's session, then the sign-in request adds the user (the first uid).
  await store.set(id, { cookie, ...createShopSession(1) });
  const visitor = await store.core.get(id);
  if (visitor === null) throw new Error('The visitor session was not stored.');
  counting.reset();
  await store.core.set(id, { ...visitor.session, user: 'alice', device: { userAgent: 'bench', ip: '127.0.0.1' } }, { load: visitor.context });
  await store.flush();
  const signIn = stepOf(counting.snapshot());
  const signedIn = await store.core.get(id);
  if (signedIn === null) throw new Error('The signed-in session was not stored.');
  counting.reset();
  await store.core.set(id, { ...signedIn.session, cart: ['tea'] }, { load: signedIn.context });
  await store.flush();
  const changedSave = stepOf(counting.snapshot());
  counting.reset();
  const loaded = await store.core.get(id);
  if (loaded === null) throw new Error('The session vanished.');
  await store.core.touch(id, loaded.session, { load: loaded.context });
  await store.flush();
  const readOnly = stepOf(counting.snapshot());
  return { signIn, changedSave, readOnly, store, counting };
}

/** Measures the feature off and on against the endpoint (Amazon DynamoDB Local). */
export async function measureUserSessions(endpoint: string, backend: string): Promise<UserSessionsResult> {
  const off = await measure(endpoint, false);
  await off.store.close();
  off.counting.client.destroy();
  const on = await measure(endpoint, true);
  try {
    const cookie = { originalMaxAge: null, expires: null, httpOnly: true, path: '/' };
    for (let i = 0; i < SESSIONS; i += 1) {
      await on.store.set(`users-bob-${Date.now().toString(36)}-${String(i).padStart(4, '0')}`, { cookie, user: 'bob', device: { userAgent: `device ${i}` } });
    }
    on.counting.reset();
    const listed = await on.store.core.listUserSessions('bob');
    const list = stepOf(on.counting.snapshot());
    on.counting.reset();
    const revoked = await on.store.core.revokeUserSessions('bob');
    const revoke = stepOf(on.counting.snapshot());
    return {
      backend,
      sessions: SESSIONS,
      off: { signIn: off.signIn, changedSave: off.changedSave, readOnly: off.readOnly },
      on: { signIn: on.signIn, changedSave: on.changedSave, readOnly: on.readOnly, list, revoke, listed: listed.length, revoked },
    };
  } finally {
    await on.store.close();
    on.counting.client.destroy();
  }
}

const callsText = (step: UserStep): string =>
  Object.entries(step.calls)
    .map(([op, n]) => `${n} ${op}`)
    .join(' + ') || 'none';

/** Renders the user sessions section of docs/benchmarks.md. */
export function renderUserSessions(result: UserSessionsResult | undefined): string {
  if (result === undefined) return '';
  const row = (what: string, off: UserStep | undefined, on: UserStep): string =>
    `| ${what} | ${off === undefined ? '' : `${callsText(off)}; ${off.readUnits} RU, ${off.writeUnits} WU`} | ${callsText(on)}; ${on.readUnits} RU, ${on.writeUnits} WU |`;
  return [
    '## User sessions: what the user index costs',
    '',
    `On ${result.backend} (it reports a global secondary index's write units, as DynamoDB does), TTL mode, default settings; calls counted on the wire, units as reported. ` +
      'A sign-in is the request that first saves a session with a user (`userIdOf` returns an id); docs/user-sessions.md explains each figure.',
    '',
    '| request | feature off | feature on (`userIdOf`, keys-only index) |',
    '|---|---|---|',
    row('sign-in (the session gets its user)', result.off.signIn, result.on.signIn),
    row('later save that changes the session', result.off.changedSave, result.on.changedSave),
    row('read-only request (load, touch)', result.off.readOnly, result.on.readOnly),
    row(`list a user's ${result.sessions} sessions (${result.on.listed} listed)`, undefined, result.on.list),
    row(`revoke a user's ${result.sessions} sessions (${result.on.revoked} ended, second pass included)`, undefined, result.on.revoke),
    '',
  ].join('\n');
}

/** The issue's cost promises: the read-only request unchanged, and the index costing at most one write unit per sign-in. */
export function userSessionsTarget(result: UserSessionsResult | undefined): { target: string; measured: string; status: 'met' | 'missed' | 'not measured' } {
  const target = 'User index: read-only request unchanged (1 GetItem, 0 writes); at most +1 write unit per sign-in, +0 per later save';
  if (result === undefined) return { target, measured: 'not run', status: 'not measured' };
  const writes = (s: UserStep): number => (s.calls.PutItem ?? 0) + (s.calls.UpdateItem ?? 0) + (s.calls.DeleteItem ?? 0);
  const ro = result.on.readOnly;
  const signInExtra = result.on.signIn.writeUnits - result.off.signIn.writeUnits;
  const saveExtra = result.on.changedSave.writeUnits - result.off.changedSave.writeUnits;
  const met = (ro.calls.GetItem ?? 0) === 1 && writes(ro) === 0 && Object.keys(ro.calls).length === 1 && signInExtra <= 1 && saveExtra <= 0;
  return {
    target,
    measured: `read-only ${callsText(ro)}; sign-in +${signInExtra} WU, later save +${saveExtra} WU`,
    status: met ? 'met' : 'missed',
  };
}
