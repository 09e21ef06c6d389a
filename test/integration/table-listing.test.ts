import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { listTablesWithPrefix } from '../../src/dynamo/table-admin.js';
import { silentLogger } from '../../src/logging/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { Backend } from '../../src/dynamo/backend.js';
import { createCountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, uniqueBaseName, ON_DEMAND } from '../support/dynamo.js';
import { buildCreateTableInput } from '../../src/dynamo/params.js';


const admin = createTestClient();
const base = uniqueBaseName('list');
afterAll(async () => {
  await dropTablesWithPrefix(admin, base);
  admin.destroy();
});

describe('listing tables', () => {
  it('pages through ListTables from the prefix and stops once past it', async () => {
    const names = [`${base}-other`, ...Array.from({ length: 7 }, (_, i) => `${base}_2026010${i + 1}_000000`), `${base}z`];
    for (const name of names) {
      await admin.send(
        new CreateTableCommand(buildCreateTableInput(name, ON_DEMAND)),
      );
    }
    const counting = createCountingClient();
    const metrics = new Metrics();
    const backend = new Backend({ client: counting.client, requestTimeoutMs: 2000, maxRetries: 1, operationTimeoutMs: 4000, metrics, logger: silentLogger });
    const ctx = { backend, metrics, logger: silentLogger, activeTimeoutMs: 1000 };
    const listed = await listTablesWithPrefix(ctx, `${base}_`, 2);
    expect(listed).toEqual(names.slice(1, 8));
    expect(counting.counts().ListTables).toBeGreaterThanOrEqual(4);
    expect(counting.counts().ListTables).toBeLessThanOrEqual(5);
    counting.client.destroy();
  });
});
