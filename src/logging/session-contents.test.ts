import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../config/defaults.js';
import { MASK, isSecretKey, maskSession } from './session-contents.js';
import { redactId } from './logger.js';

const patterns = [...DEFAULTS.secretKeyPatterns, 'ssn'];

describe('maskSession', () => {
  it('masks secret-looking keys at any depth and keeps the rest', () => {
    const session = {
      user: 'ada',
      password: 'hunter2',
      profile: { apiToken: 'abc', cards: [{ cardNumber: '4111', label: 'work' }], nested: { AuthHeader: 'x' } },
      cart: [{ sku: 'a', qty: 1 }],
    };
    expect(maskSession(session, patterns)).toEqual({
      user: 'ada',
      password: MASK,
      profile: { apiToken: MASK, cards: MASK, nested: { AuthHeader: MASK } },
      cart: [{ sku: 'a', qty: 1 }],
    });
    expect(session.password).toBe('hunter2');
  });

  it('cuts long strings', () => {
    expect((maskSession({ note: 'x'.repeat(500) }, patterns) as { note: string }).note).toHaveLength(201);
  });

  it.each([
    ['password', true],
    ['userPassword', true],
    ['SECRET', true],
    ['monkey', true],
    ['name', false],
    ['cart', false],
  ])('isSecretKey(%s) = %s', (key, secret) => expect(isSecretKey(key, patterns)).toBe(secret));
});

describe('redactId', () => {
  it('is short, stable and does not contain the id', () => {
    const id = 'bAxL7W0zVbVHyMvR3kWq4xwT4u3m5c1E';
    expect(redactId(id)).toMatch(/^id#[0-9a-f]{8}$/);
    expect(redactId(id)).toBe(redactId(id));
    expect(redactId(id)).not.toContain(id.slice(0, 6));
  });
});
