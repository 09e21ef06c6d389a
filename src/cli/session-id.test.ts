import { describe, expect, it } from 'vitest';
import { redactId } from '../logging/logger.js';
import { describeSessionId, parseSessionIdArgument } from './session-id.js';

describe('parseSessionIdArgument', () => {
  it.each([
    ['Zx9_abc-DEF123456', 'Zx9_abc-DEF123456'],
    ['  Zx9_abc-DEF123456 ', 'Zx9_abc-DEF123456'],
    ['s:Zx9_abc-DEF123456.c2lnbmF0dXJl', 'Zx9_abc-DEF123456'],
    ['s%3AZx9_abc-DEF123456.c2lnbmF0dXJl%2Bx', 'Zx9_abc-DEF123456'],
  ])('%s -> %s', (raw, id) => {
    expect(parseSessionIdArgument(raw)).toBe(id);
  });

  it.each(['short', 'has space in it', 'x'.repeat(257)])('rejects %s without echoing it', (raw) => {
    let error: Error | undefined;
    try {
      parseSessionIdArgument(raw);
    } catch (caught) {
      error = caught as Error;
    }
    expect(error).toMatchObject({ code: 'cli.usage' });
    expect(error?.message).toMatch(/got \d+ characters/);
    expect(error?.message).not.toContain(raw);
  });
});

describe('describeSessionId', () => {
  it('shows a short prefix and the log tag, never the id', () => {
    const id = 'Zx9_abc-DEF1234567890abcdefghijk';
    expect(describeSessionId(id)).toEqual({ prefix: 'Zx9_ab…', logId: redactId(id) });
    expect(describeSessionId('abcdefgh').prefix).toBe('ab…');
  });
});
