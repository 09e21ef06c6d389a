import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore } from '../../src/index.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { CookieClient, serve } from '../support/http.js';

const admin = createTestClient();
const base = uniqueBaseName('upgrade');
afterAll(async () => {
  await dropTablesWithPrefix(admin, base);
  admin.destroy();
});

/**
 * Items exactly as release 0.1.0 (item format 1) wrote them, built by hand rather than with the
 * current encoder: if the encoder changes, these must still be read. Bump DATA_FORMAT_VERSION and
 * keep this test when the format changes.
 */
function format1Item(id: string, json: string, deflated: boolean, nowMs: number) {
  const payload = deflated ? deflateRawSync(Buffer.from(json)) : Buffer.from(json);
  return {
    id: { S: id },
    data: { B: Buffer.concat([Buffer.from([1, deflated ? 1 : 0]), payload]) },
    version: { N: '3' },
    lastAccessed: { N: String(nowMs) },
    expiresAt: { N: String(Math.ceil((nowMs + 3_600_000) / 1000)) },
  };
}

describe('items written by earlier releases', () => {
  it.each([false, true])('reads a format-1 item (deflated: %s) and updates it on the stored version', async (deflated) => {
    const store = new DynamoSessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: `${base}${deflated ? 'd' : 'p'}`, maintenanceIntervalSeconds: 0 });
    await store.ready();
    const table = store.tables().find((t) => t.role === 'current')!.name;
    const id = 'SrWq0m6kXoPqJx1yZ3b4c5d6e7f8g9h0';
    const json = '{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":41,"user":"ada"}';
    await admin.send(new PutItemCommand({ TableName: table, Item: format1Item(id, json, deflated, Date.now()) }));
    const server = await serve(createTestApp(expressUnderTest(), store));
    const browser = new CookieClient(server.url);
    // sign the id the way express-session does, with the test app's secret
    const { createHmac } = await import('node:crypto');
    const signature = createHmac('sha256', 'test secret that is long enough to be fine').update(id).digest('base64').replace(/=+$/, '');
    browser.cookies.set('connect.sid', encodeURIComponent(`s:${id}.${signature}`));
    expect((await browser.get('/count')).json).toEqual({ views: 42 });
    expect((await browser.get('/peek')).json).toMatchObject({ session: { views: 42, user: 'ada' } });
    await server.close();
    await store.close();
    await dropTablesWithPrefix(admin, `${base}${deflated ? 'd' : 'p'}`);
  });
});

describe('encrypted items (data format 2)', () => {
  it('reads an item encrypted by hand as docs/item-format.md lays it out, and refuses it under another id', async () => {
    const { createCipheriv, randomBytes } = await import('node:crypto');
    const key = randomBytes(32);
    const b = `${base}e`;
    const store = new DynamoSessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: b, maintenanceIntervalSeconds: 0, encryption: { keys: [{ id: 'hand-1', key }] } });
    await store.ready();
    const table = store.tables().find((t) => t.role === 'current')!.name;
    const id = 'EncQ0m6kXoPqJx1yZ3b4c5d6e7f8g9h0';
    const json = '{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"user":"ada"}';
    const header = Buffer.concat([Buffer.from([2, 0, 'hand-1'.length]), Buffer.from('hand-1', 'latin1')]);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.concat([header, Buffer.from(id, 'utf8')]));
    const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    const data = Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
    const item = { ...format1Item(id, json, false, Date.now()), data: { B: data } };
    await admin.send(new PutItemCommand({ TableName: table, Item: item }));
    await admin.send(new PutItemCommand({ TableName: table, Item: { ...item, id: { S: `${id}x` } } }));
    expect((await store.core.get(id))?.session).toMatchObject({ user: 'ada' });
    expect(await store.core.get(`${id}x`)).toBeNull();
    expect(store.metrics().counters['session.load.undecryptable']?.total).toBe(1);
    await store.close();
    await dropTablesWithPrefix(admin, b);
  });
});
