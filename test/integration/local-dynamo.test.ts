import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalDynamo } from '../../src/local/index.js';
import { createTestClient, testEndpoint, ON_DEMAND } from '../support/dynamo.js';
import { buildCreateTableInput } from '../../src/dynamo/params.js';

/** The `code` of the error `run` throws, or undefined when it does not throw. */
function errorCodeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
}

describe('startLocalDynamo', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('serves the shared test server on 127.0.0.1', async () => {
    expect(testEndpoint()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = createTestClient();
    const page = await client.send(new ListTablesCommand({}));
    expect(Array.isArray(page.TableNames)).toBe(true);
    client.destroy();
  });

  it('keeps tables in a data directory across a restart and stops idempotently', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsm-local-'));
    dirs.push(dir);
    const first = await startLocalDynamo({ dataDir: dir });
    const client = createTestClient(first.endpoint);
    await client.send(
      new CreateTableCommand(buildCreateTableInput('persisted', ON_DEMAND)),
    );
    client.destroy();
    await first.stop();
    await first.stop();
    // stop() resolves only once the process is gone: ended by its SIGTERM (exit code null) or
    // exiting cleanly on it, not crashed, and its pid no longer names a process.
    expect(await first.exited).toBeOneOf([null, 0]);
    expect(errorCodeOf(() => process.kill(first.pid, 0))).toBe('ESRCH');

    const second = await startLocalDynamo({ dataDir: dir, port: first.port });
    const again = createTestClient(second.endpoint);
    const page = await again.send(new ListTablesCommand({}));
    expect(page.TableNames).toContain('persisted');
    again.destroy();
    await second.stop();
  });

  it('fails clearly when the port is taken', async () => {
    const running = await startLocalDynamo();
    await expect(startLocalDynamo({ port: running.port, startTimeoutMs: 3000 })).rejects.toMatchObject({
      code: 'local.startFailed',
    });
    await running.stop();
  });
});
