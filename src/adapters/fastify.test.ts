import Fastify, { type FastifyPluginCallback } from 'fastify';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { SessionStore } from '../store/index.js';
import { fastifySessionTracker, type FastifySessionTrackerOptions } from './fastify.js';

describe('fastifySessionTracker', () => {
  // No server behind this endpoint: these tests never reach DynamoDB.
  const core = new SessionStore({ dynamoEndpoint: 'http://127.0.0.1:9', maintenanceIntervalSeconds: 0 });
  afterAll(() => core.close());

  it('is a Fastify plugin that applies to the instance it is registered on', async () => {
    expectTypeOf(fastifySessionTracker).toEqualTypeOf<FastifyPluginCallback<FastifySessionTrackerOptions>>();
    expectTypeOf<FastifySessionTrackerOptions>().toHaveProperty('store');
    const app = Fastify();
    await app.register(fastifySessionTracker, { store: core, ignoreUris: '/static/.*' });
    app.get('/', async () => 'ok');
    await app.ready();
    expect(app.hasPlugin('dynamo-session-manager')).toBe(true);
    expect(app.printPlugins()).toContain('dynamo-session-manager');
    await app.close();
  });

  it.each([
    ['a missing store', {}, /Option `store` must be/],
    ['an unknown option', { store: core, ignoreUrls: '/x' }, /Unknown option `ignoreUrls` for fastifySessionTracker/],
    ['an invalid pattern', { store: core, ignoreHeaders: '[' }, /`ignoreHeaders`/],
  ])('fails registration on %s', async (_name, options, message) => {
    const app = Fastify();
    await expect(app.register(fastifySessionTracker, options as never)).rejects.toThrow(message);
    await app.close();
  });
});
