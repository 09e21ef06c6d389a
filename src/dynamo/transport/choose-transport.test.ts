import { DynamoDBClient, type GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseTransport } from './choose-transport.js';

const clients: DynamoDBClient[] = [];
function client(): DynamoDBClient {
  const created = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  clients.push(created);
  return created;
}

afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

describe('chooseTransport', () => {
  it('takes direct and sdk as asked, whatever the client', () => {
    const traced = client();
    traced.middlewareStack.add((next) => (args) => next(args), { step: 'build', name: 'tracing' });
    expect(chooseTransport('direct', traced).transport).toBe('direct');
    expect(chooseTransport('sdk', client()).transport).toBe('sdk');
  });

  it('auto: direct for a plain client, whatever its configuration', () => {
    expect(chooseTransport('auto', client())).toEqual({ transport: 'direct', reason: 'a plain DynamoDBClient' });
    const configured = new DynamoDBClient({ region: 'us-west-2', endpoint: 'http://127.0.0.1:8000', maxAttempts: 1, requestHandler: { requestTimeout: 100 } });
    clients.push(configured);
    expect(chooseTransport('auto', configured).transport).toBe('direct');
  });

  it('auto: sdk when middleware was added, naming it', () => {
    const traced = client();
    traced.middlewareStack.add((next) => (args) => next(args), { step: 'finalizeRequest', name: 'xrayTracing' });
    const choice = chooseTransport('auto', traced);
    expect(choice.transport).toBe('sdk');
    expect(choice.reason).toContain('xrayTracing');
  });

  it('auto: sdk when send is replaced, as test doubles do', () => {
    const mocked = client();
    mocked.send = (() => Promise.resolve({})) as unknown as typeof mocked.send;
    expect(chooseTransport('auto', mocked).transport).toBe('sdk');
    class Wrapped extends DynamoDBClient {
      override send(command: GetItemCommand): Promise<never> {
        return super.send(command) as Promise<never>;
      }
    }
    const wrapped = new Wrapped({ region: 'eu-west-1' });
    clients.push(wrapped);
    expect(chooseTransport('auto', wrapped as unknown as DynamoDBClient).transport).toBe('sdk');
  });

  it('auto: sdk for an object that only looks like a client', () => {
    const lookalike = { send: () => Promise.resolve({}), config: {}, middlewareStack: { identify: () => [] } };
    expect(chooseTransport('auto', lookalike as unknown as DynamoDBClient).transport).toBe('sdk');
  });
});
