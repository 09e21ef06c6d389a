import { ceilWhole, rejectUnknownKeys, requireBoolean, requireFraction, requireNonNegative, requirePositive } from './validate.js';

/** Bytes in one kilobyte, as DynamoDB counts item sizes. */
export const BYTES_PER_KB = 1024;

/** Item bytes covered by one strongly consistent read unit (RCU or read request unit). */
export const READ_UNIT_BYTES = 4 * BYTES_PER_KB;

/** Item bytes covered by one standard write unit (WCU or write request unit). */
export const WRITE_UNIT_BYTES = BYTES_PER_KB;

/**
 * Read units that one GetItem of an item of `itemBytes` consumes, by DynamoDB's rule: one unit
 * per 4 KB or part of it, halved for an eventually consistent read. A read of a missing item
 * (`itemBytes` = 0) still costs the minimum: 1 unit, or 0.5 when eventually consistent.
 *
 * @param itemBytes - size of the item read, in bytes (≥ 0).
 * @param eventual - `true` for an eventually consistent read, `false` for a strongly consistent one.
 * @returns read units consumed: a multiple of 0.5, at least 0.5.
 * @throws {SessionManagerError} `config.invalidOption` when `itemBytes` is negative or not a finite number.
 * @example
 * ```ts
 * readUnitsPerRead(2048, false); // 1
 * readUnitsPerRead(8192, true); // 1
 * readUnitsPerRead(9000, false); // 3
 * ```
 */
export function readUnitsPerRead(itemBytes: number, eventual: boolean): number {
  requireNonNegative('itemBytes', itemBytes);
  requireBoolean('eventual', eventual);
  const units = Math.max(1, ceilWhole(itemBytes / READ_UNIT_BYTES));
  return eventual ? units / 2 : units;
}

/**
 * Write units that one PutItem, UpdateItem or DeleteItem of an item of `itemBytes` consumes, by
 * DynamoDB's rule: one unit per 1 KB or part of it, at least one unit.
 *
 * @param itemBytes - size of the item written (for UpdateItem, the larger of before and after), in bytes (≥ 0).
 * @returns write units consumed: a whole number, at least 1.
 * @throws {SessionManagerError} `config.invalidOption` when `itemBytes` is negative or not a finite number.
 * @example
 * ```ts
 * writeUnitsPerWrite(100); // 1
 * writeUnitsPerWrite(2048); // 2
 * writeUnitsPerWrite(2049); // 3
 * ```
 */
export function writeUnitsPerWrite(itemBytes: number): number {
  requireNonNegative('itemBytes', itemBytes);
  return Math.max(1, ceilWhole(itemBytes / WRITE_UNIT_BYTES));
}

/** Input of {@link provisionedCapacity}. */
export interface ProvisionedCapacityInput {
  /** Peak requests per second for the whole cluster (one table serves every server). Positive. */
  requestsPerSecond: number;
  /** Size of one stored session, in kilobytes (1 KB = 1024 bytes). Positive. */
  sessionSizeKb: number;
  /** Whether session reads are eventually consistent, which halves read units. */
  eventualConsistency: boolean;
  /**
   * Share of reads, from 0 to 1, that miss the current table after a rotation and read the
   * previous table as well. Each such read costs a second read. @default 0
   */
  previousTableReadFraction?: number;
}

/** Provisioned throughput for one table, in whole capacity units. */
export interface ProvisionedCapacity {
  /** Read capacity units (RCU), at least 1. */
  readCapacityUnits: number;
  /** Write capacity units (WCU), at least 1. */
  writeCapacityUnits: number;
}

const PROVISIONED_CAPACITY_KEYS = [
  'requestsPerSecond',
  'sessionSizeKb',
  'eventualConsistency',
  'previousTableReadFraction',
] as const;

/**
 * Provisioned throughput for a new session table, by the original session manager's formula:
 * one read and one write per request, with 4 KB per read unit and 1 KB per write unit.
 *
 * - reads = requestsPerSecond × ⌈sessionSizeKb / 4⌉, halved with eventual consistency,
 *   then × (1 + previousTableReadFraction);
 * - writes = requestsPerSecond × ⌈sessionSizeKb⌉.
 *
 * Both are rounded up to whole units and are never below 1. Unlike the original, which rounded
 * the halved reads down, one request per second with eventual consistency gives 1 read unit, not 0
 * (CreateTable rejects 0).
 *
 * @param input - peak request rate, session size, read consistency and the share of reads that miss the current table.
 * @returns whole read and write capacity units, each ≥ 1.
 * @throws {SessionManagerError} `config.invalidOption` when a number is not positive and finite,
 *   or the fraction is outside [0, 1]; `config.unknownOption` for an unknown key.
 * @example
 * ```ts
 * provisionedCapacity({ requestsPerSecond: 20, sessionSizeKb: 2, eventualConsistency: false });
 * // { readCapacityUnits: 20, writeCapacityUnits: 40 }
 * ```
 */
export function provisionedCapacity(input: ProvisionedCapacityInput): ProvisionedCapacity {
  rejectUnknownKeys('provisionedCapacity', input, PROVISIONED_CAPACITY_KEYS);
  const requestsPerSecond = requirePositive('requestsPerSecond', input.requestsPerSecond);
  const sessionSizeKb = requirePositive('sessionSizeKb', input.sessionSizeKb);
  const eventual = requireBoolean('eventualConsistency', input.eventualConsistency);
  const previousFraction = requireFraction('previousTableReadFraction', input.previousTableReadFraction ?? 0);

  const baseReads = requestsPerSecond * ceilWhole(sessionSizeKb / 4);
  const reads = (eventual ? baseReads / 2 : baseReads) * (1 + previousFraction);
  const writes = requestsPerSecond * ceilWhole(sessionSizeKb);
  return {
    readCapacityUnits: Math.max(1, ceilWhole(reads)),
    writeCapacityUnits: Math.max(1, ceilWhole(writes)),
  };
}
