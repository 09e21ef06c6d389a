export { startLocalDynamo, findFreePort } from './start-local-dynamo.js';
export type { LocalDynamo, LocalDynamoOptions } from './start-local-dynamo.js';
