import { describe, expect, it } from 'vitest';
import { decideSave, type SaveFacts } from './decide.js';

const base: SaveFacts = {
  ignored: false,
  degraded: false,
  loaded: true,
  changed: false,
  inOlderTable: false,
  expiryGainMs: 1000,
  refreshIntervalMs: 360_000,
};

describe('decideSave', () => {
  it.each<[string, Partial<SaveFacts>, string, string]>([
    ['read-only request', {}, 'skip', 'unchanged'],
    ['ignored request, even if changed and new', { ignored: true, changed: true, loaded: false }, 'skip', 'ignored'],
    ['degraded request', { degraded: true, changed: true }, 'skip', 'degraded'],
    ['new session', { loaded: false }, 'save', 'new'],
    ['changed session', { changed: true }, 'save', 'changed'],
    ['changed session in an older table', { changed: true, inOlderTable: true }, 'save', 'changed'],
    ['unchanged session in an older table', { inOlderTable: true }, 'touch', 'moved-forward'],
    ['unchanged, expiry would gain the interval', { expiryGainMs: 360_000 }, 'touch', 'refresh'],
    ['unchanged, just under the interval', { expiryGainMs: 359_999 }, 'skip', 'unchanged'],
    ['unchanged, expiry fixed (no gain), whatever the interval', { expiryGainMs: 0, refreshIntervalMs: 0 }, 'skip', 'unchanged'],
    ['unchanged with a zero interval and any gain', { expiryGainMs: 1, refreshIntervalMs: 0 }, 'touch', 'refresh'],
  ])('%s', (_label, facts, action, reason) => {
    expect(decideSave({ ...base, ...facts })).toEqual({ action, reason });
  });
});
