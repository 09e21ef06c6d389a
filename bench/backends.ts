/**
 * The DynamoDB-compatible servers the benchmark runs on, each in a child process on 127.0.0.1:
 * dynalite (always) and Amazon DynamoDB Local (when the machine has Java; it supports TTL).
 */
import { startLocalDynamo } from 'dynamo-session-manager/local';
import { isJavaAvailable, startDynamoDbLocal } from '../test/support/dynamodb-local.js';
import type { BackendName } from './cell.js';

/** A running backend. */
export interface RunningBackend {
  readonly name: BackendName;
  readonly endpoint: string;
  readonly version: string;
  stop(): Promise<void>;
}

/** Starts dynalite in memory, tables ACTIVE at once (no CREATING delay). */
export async function startDynalite(version: string): Promise<RunningBackend> {
  const local = await startLocalDynamo({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return { name: 'dynalite', endpoint: local.endpoint, version, stop: () => local.stop() };
}

/** Starts DynamoDB Local in memory, or resolves `undefined` with the reason when Java is missing. */
export async function startDynamoDbLocalIfJava(version: string): Promise<RunningBackend | { skipped: string }> {
  if (!(await isJavaAvailable())) return { skipped: 'no Java on this machine (`java -version` failed)' };
  try {
    const local = await startDynamoDbLocal();
    return { name: 'dynamodb-local', endpoint: local.endpoint, version, stop: () => local.stop() };
  } catch (error) {
    return { skipped: `DynamoDB Local did not start: ${(error as Error).message.slice(0, 200)}` };
  }
}
