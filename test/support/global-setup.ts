import type { TestProject } from 'vitest/node';
import { startLocalDynamo, type LocalDynamo } from '../../src/local/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the dynalite server shared by the integration tests. */
    dynamoEndpoint: string;
  }
}

let local: LocalDynamo | undefined;

/** Starts one dynalite child process for the whole run; tables go CREATING -> ACTIVE in 150 ms. */
export async function setup(project: TestProject): Promise<void> {
  local = await startLocalDynamo({ createTableMs: 150, deleteTableMs: 150, updateTableMs: 150 });
  project.provide('dynamoEndpoint', local.endpoint);
}

export async function teardown(): Promise<void> {
  await local?.stop();
}
