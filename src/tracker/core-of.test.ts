import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../store/index.js';
import { coreOf } from './core-of.js';

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

describe('sessionTracker', () => {
  it('refuses something that is not a store with config.invalidOption, not a TypeError', async () => {
    const { sessionTracker } = await import('./middleware.js');
    expect(() => sessionTracker({} as never)).toThrow(expect.objectContaining({ code: 'config.invalidOption' }));
  });
});
