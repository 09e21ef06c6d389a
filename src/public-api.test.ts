import { inspect } from 'node:util';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DynamoSessionStore,
  type SessionManagerError,
  isSessionManagerError,
  type sessionTracker,
  type DynamoSessionStoreOptions,
  type ErrorCode,
  type MetricsSnapshot,
  type EncryptionAdapter,
  type EncryptionOptions,
  type MySession,
  type UserSession,
  type RevokeOptions,
  listMySessions,
  signOutOtherDevices,
} from './index.js';
import { startLocalDynamo, type LocalDynamo } from './local/index.js';
import type { Store } from 'express-session';

// Type tests of the public surface: checked by `tsc --noEmit` (part of `npm test`); the runtime
// part only makes vitest count them.
describe('public types', () => {
  it('DynamoSessionStore is an express-session Store built from optional, typed options', () => {
    expectTypeOf(DynamoSessionStore).constructorParameters.toEqualTypeOf<[options?: DynamoSessionStoreOptions]>();
    expectTypeOf<DynamoSessionStore>().toMatchTypeOf<Store>();
    expectTypeOf<DynamoSessionStoreOptions['maxInactiveInterval']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<DynamoSessionStoreOptions['expiry']>().toEqualTypeOf<'rotation' | 'ttl' | undefined>();
    expectTypeOf<DynamoSessionStoreOptions['onBackendError']>().toEqualTypeOf<'fail' | 'anonymous' | undefined>();
    expectTypeOf<DynamoSessionStoreOptions['encryption']>().toEqualTypeOf<EncryptionOptions | undefined>();
    expectTypeOf<EncryptionAdapter['decrypt']>().returns.toEqualTypeOf<Promise<Uint8Array | undefined>>();
  });

  it('store methods return promises without a callback', () => {
    expectTypeOf<DynamoSessionStore['ready']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<DynamoSessionStore['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<DynamoSessionStore['metrics']>().returns.toEqualTypeOf<MetricsSnapshot>();
  });

  it('user sessions: the store lists, revokes and adds the index; the request helpers never show a session id', () => {
    expectTypeOf<DynamoSessionStore['listUserSessions']>().returns.toEqualTypeOf<Promise<UserSession[]>>();
    expectTypeOf<DynamoSessionStore['revokeUserSessions']>().parameters.toEqualTypeOf<[userId: string, options?: RevokeOptions]>();
    expectTypeOf<DynamoSessionStore['revokeUserSessions']>().returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(listMySessions).returns.toEqualTypeOf<Promise<MySession[]>>();
    expectTypeOf(signOutOtherDevices).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf<MySession>().not.toHaveProperty('id');
    expectTypeOf<MySession['ref']>().toEqualTypeOf<string>();
  });

  it('errors carry a code union and the guard narrows', () => {
    expectTypeOf<SessionManagerError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<'backend.throttled'>().toMatchTypeOf<ErrorCode>();
    const unknownError: unknown = new Error('x');
    if (isSessionManagerError(unknownError)) expectTypeOf(unknownError).toEqualTypeOf<SessionManagerError>();
  });

  it('the tracker is a named middleware factory and the local server resolves a handle', () => {
    expectTypeOf<DynamoSessionStore>().toMatchTypeOf<Parameters<typeof sessionTracker>[0]>();
    expectTypeOf<ReturnType<typeof sessionTracker>>().parameters.toMatchTypeOf<[unknown, unknown, (error?: unknown) => void]>();
    expectTypeOf(startLocalDynamo).returns.resolves.toEqualTypeOf<LocalDynamo>();
  });
});

describe('what the package root does not expose', () => {
  it('exports no internal helper, and a store shows no credentials', async () => {
    const root = (await import('./index.js')) as Record<string, unknown>;
    for (const name of ['resolveOptions', 'DEFAULTS', 'metricsRecorder']) expect(root).not.toHaveProperty(name);
    const key = 'q'.repeat(43) + '=';
    const userIdKey = 'user-id-hmac-key-' + 'z'.repeat(24);
    const store = new DynamoSessionStore({ dynamoEndpoint: 'http://127.0.0.1:9', awsAccessKey: 'AKIAEXAMPLE', awsSecretKey: 'very-secret-key', maintenanceIntervalSeconds: 0, encryption: { keys: [{ id: 'k1', key }] }, userIdOf: () => undefined, userIdKey });
    try {
      expect(JSON.stringify(store.core.options)).not.toContain('very-secret-key');
      expect(JSON.stringify(store.core.options.userIndex)).toBe('{"revokeSecondPassMs":2000,"ids":{"hashed":true}}');
      expect(inspect(store, { depth: 20, showHidden: true })).not.toContain('zzzzzzzz');
      expect(JSON.stringify(store.core.options.encryption)).toBe('{"keyIds":["k1"],"adapter":false,"acceptPlaintext":false,"write":"encrypted"}');
      expect(inspect(store, { depth: 20, showHidden: true })).not.toContain(key.slice(0, 20));
      expect(store.core).not.toHaveProperty('metricsRecorder');
    } finally {
      await store.close();
    }
  });
});
