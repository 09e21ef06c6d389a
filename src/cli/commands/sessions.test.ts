import { describe, expect, it } from 'vitest';
import { formatAddUserIndex } from './add-user-index.js';
import { formatRevoke, toRevokeResult } from './revoke.js';
import { DEVICE_TEXT_CHARS, formatDevice, formatSessions, toSessionsResult } from './sessions.js';

const NOW = Date.UTC(2026, 10, 24, 10, 20, 0);
const ID_A = 'Xq3v9LrT0bqkZ2mW8sYdAe1f';
const ID_B = 'Pz8kQ2wE5rT7yU1iO3pA6sDf';

const sessions = [
  { id: ID_A, createdAt: new Date(NOW - 3_600_000), lastSeenAt: new Date(NOW - 60_000), expiresAt: new Date(NOW + 3_540_000), device: { userAgent: 'Firefox', ip: '203.0.113.7' } },
  { id: ID_B, createdAt: new Date(NOW - 7_200_000), lastSeenAt: new Date(NOW - 600_000), expiresAt: new Date(NOW + 3_000_000), device: undefined },
];

describe('dsm sessions', () => {
  it('shortens ids to a prefix and the log tag, unless revealed; times in ISO 8601', () => {
    const masked = toSessionsResult('ada', sessions, { reveal: false, hashed: false });
    expect(masked).toEqual({
      user: 'ada',
      hashed: false,
      revealed: false,
      sessions: [
        { id: 'Xq3v9L…', logId: expect.stringMatching(/^id#[0-9a-f]{8}$/), createdAt: '2026-11-24T09:20:00.000Z', lastSeenAt: '2026-11-24T10:19:00.000Z', expiresAt: '2026-11-24T11:19:00.000Z', device: { userAgent: 'Firefox', ip: '203.0.113.7' } },
        expect.objectContaining({ id: 'Pz8kQ2…', device: null }),
      ],
    });
    expect(JSON.stringify(masked)).not.toContain(ID_A);
    expect(toSessionsResult('ada', sessions, { reveal: true, hashed: true }).sessions.map((s) => s.id)).toEqual([ID_A, ID_B]);
  });

  it('prints a table, the note on --reveal, and a line when there is none', () => {
    const text = formatSessions(toSessionsResult('ada', sessions, { reveal: false, hashed: true }), NOW);
    const lines = text.split('\n');
    expect(lines[0]).toBe('2 live sessions for this user (hashed index).');
    expect(lines[2]).toMatch(/^SESSION\s+CREATED\s+LAST SEEN\s+EXPIRES\s+DEVICE$/);
    expect(lines[3]).toMatch(/^Xq3v9L… \(id#[0-9a-f]{8}\)\s+2026-11-24 09:20:00Z\s+1 min ago\s+in 59 min\s+userAgent=Firefox, ip=203\.0\.113\.7$/);
    expect(lines[4]).toMatch(/^Pz8kQ2… \(id#[0-9a-f]{8}\)\s+2026-11-24 08:20:00Z\s+10 min ago\s+in 50 min\s+-$/);
    expect(lines.at(-1)).toBe('Session ids are shortened; --reveal prints them whole.');
    expect(formatSessions(toSessionsResult('ada', sessions.slice(0, 1), { reveal: true, hashed: false }), NOW)).toContain(`1 live session for this user.\n\nSESSION`);
    expect(formatSessions(toSessionsResult('ada', [], { reveal: false, hashed: false }), NOW)).toBe('No live session for this user.');
  });

  it.each([
    [null, '-'],
    [{}, '-'],
    [{ ip: '::1', trusted: true, n: 2 }, 'ip=::1, trusted=true, n=2'],
    [{ userAgent: 'evil\u001b[2J\nagent' }, 'userAgent=evil [2J agent'],
    [{ userAgent: 'x'.repeat(100) }, `userAgent=${'x'.repeat(DEVICE_TEXT_CHARS - 11)}…`],
  ])('formats device facts %j on one line', (device, text) => {
    expect(formatDevice(device)).toBe(text);
    expect(formatDevice(device).length).toBeLessThanOrEqual(DEVICE_TEXT_CHARS);
  });
});

describe('dsm revoke', () => {
  it('says how many ended, and names the session kept by its prefix only', () => {
    expect(formatRevoke(toRevokeResult('ada', 3, undefined))).toBe('Ended 3 sessions of this user.');
    const kept = toRevokeResult('ada', 1, ID_A);
    expect(kept).toEqual({ user: 'ada', revoked: 1, kept: { id: 'Xq3v9L…', logId: expect.stringMatching(/^id#[0-9a-f]{8}$/) } });
    expect(formatRevoke(kept)).toMatch(/^Ended 1 session of this user; kept Xq3v9L… \(id#[0-9a-f]{8}\)\.$/);
    expect(JSON.stringify(kept)).not.toContain(ID_A);
  });
});

describe('dsm add-user-index', () => {
  it('lists each table with what happened, and says what to do when there is none', () => {
    const text = formatAddUserIndex({ tables: [{ table: 'app_20261124_100000', status: 'added' }, { table: 'app_20261124_090000', status: 'present' }] });
    expect(text).toBe(
      [
        'TABLE                USER INDEX',
        'app_20261124_100000  added (building)',
        'app_20261124_090000  present',
        '',
        'Asked DynamoDB to build the index on 1 table; it fills in the background (sessions with a user), and listing works once it is ACTIVE.',
      ].join('\n'),
    );
    expect(formatAddUserIndex({ tables: [{ table: 'app', status: 'present' }] })).toContain('Every table has the user index.');
    expect(formatAddUserIndex({ tables: [] })).toMatch(/^No session table exists yet/);
  });
});
