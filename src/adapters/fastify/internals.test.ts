import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../../store/session-store.js';
import { coreOf } from './internals.js';

describe('coreOf', () => {
  const core = new SessionStore({ dynamoEndpoint: 'http://127.0.0.1:9', maintenanceIntervalSeconds: 0 });
  afterAll(() => core.close());

  it('accepts the core itself and anything that wraps it', () => {
    expect(coreOf(core)).toBe(core);
    expect(coreOf({ core })).toBe(core);
  });

  it.each([
    ['undefined', undefined],
    ['an options object', { tableBaseName: 'x' }],
    ['an object with a foreign core', { core: {} }],
    ['a string', 'store'],
  ])('refuses %s, naming the option', (_name, value) => {
    expect(() => coreOf(value)).toThrow(/Option `store` must be/);
  });
});
