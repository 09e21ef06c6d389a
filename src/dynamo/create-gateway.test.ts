import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../logging/logger.js';
import type { MetricsRecorder } from './backend.js';
import { createGateway, type GatewayOptions } from './create-gateway.js';

const metrics: MetricsRecorder = { increment: () => undefined, timing: () => undefined, histogram: () => undefined, gauge: () => undefined };
const settings = (overrides: Partial<GatewayOptions>): GatewayOptions => ({
  connection: { kind: 'settings', endpoint: 'http://127.0.0.1:1' },
  requestTimeoutMs: 1000,
  maxRetries: 0,
  operationTimeoutMs: 1000,
  metrics,
  logger: silentLogger,
  transport: 'auto',
  ...overrides,
});

describe('createGateway', () => {
  it.each([
    ['auto', 'direct', 'a plain DynamoDBClient'],
    ['direct', 'direct', 'transport: direct'],
    ['sdk', 'sdk', 'transport: sdk'],
  ] as const)('transport %s on a built client: %s', (transport, chosen, reason) => {
    const gateway = createGateway(settings({ transport }));
    expect(gateway.client).toBeInstanceOf(DynamoDBClient);
    expect({ transport: gateway.transport, transportReason: gateway.transportReason }).toEqual({ transport: chosen, transportReason: reason });
    expect(gateway.backend.transport).toBe(chosen);
    gateway.close();
  });

  it('destroys a client it built, once, even when close is called detached and twice', () => {
    const gateway = createGateway(settings({}));
    const destroy = vi.spyOn(gateway.client, 'destroy');
    const close = gateway.close;
    close();
    close();
    expect(destroy).toHaveBeenCalledTimes(1);
  });

  it("never destroys the caller's client, and sends through it", () => {
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1' });
    const destroy = vi.spyOn(client, 'destroy');
    const gateway = createGateway(settings({ connection: { kind: 'client', client } }));
    expect(gateway.client).toBe(client);
    gateway.close();
    expect(destroy).not.toHaveBeenCalled();
    client.destroy();
  });

  it("picks the sdk transport for a caller's client whose send is replaced", () => {
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1' });
    Object.defineProperty(client, 'send', { value: vi.fn() });
    const gateway = createGateway(settings({ connection: { kind: 'client', client } }));
    expect(gateway.transport).toBe('sdk');
    expect(gateway.backend.transport).toBe('sdk');
    client.destroy();
  });
});
