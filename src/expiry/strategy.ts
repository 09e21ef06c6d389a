import type { UserIndexStatus } from '../dynamo/table-admin.js';

/** Where a table stands relative to the period of `now`. */
export type TableRole = 'current' | 'previous' | 'kept' | 'next';

/** A table the store reads or writes, with its place in time. */
export interface TableRef {
  readonly name: string;
  /** The period index (rotation), or 0 for the single TTL table. */
  readonly period: number;
  readonly role: TableRole;
}

/**
 * Which tables a load reads. `first` are read together (usually just the current table); the
 * authoritative copy among the hits wins. `fallback` (the previous table) is read when `first`
 * found nothing, or with it right after a rotation. `kept` (rotation: older tables kept for the
 * longest lifetime) are read only when neither found anything, together with `fallback` when
 * that was not read with `first`: a session back after a long idle time costs at most two round
 * trips. Tables other than the current one may not exist: a missing one is a miss.
 */
export interface ReadPlan {
  readonly first: readonly TableRef[];
  readonly fallback: readonly TableRef[];
  readonly kept: readonly TableRef[];
}

/** What the store knows about one of its tables, for status pages and the CLI. */
export interface TableInfo {
  readonly name: string;
  readonly role: TableRole | 'expired' | 'future';
  readonly status: string;
  readonly periodStartMs: number | undefined;
  readonly periodEndMs: number | undefined;
}

/**
 * How sessions expire: the tables to read and write at a given time, and the upkeep that keeps
 * them there. `rotation` and `ttl` implement it.
 */
export interface ExpiryStrategy {
  readonly mode: 'rotation' | 'ttl';
  /** The tables to read for a load at `nowMs`; empty before any table is usable. */
  readPlan(nowMs: number): ReadPlan;
  /** The table new writes go to at `nowMs`, or undefined before any table is usable. */
  writeTable(nowMs: number): TableRef | undefined;
  /**
   * Every table a copy of a session can be in at `nowMs`, the write table first: a destroy puts a
   * tombstone in each. Tables that may not exist yet (or any more) are included; a missing one is
   * not an error.
   */
  destroyTables(nowMs: number): readonly TableRef[];
  /** The reference of one of the store's tables by name (a fenced copy names the table it moved to). */
  refFor(name: string, nowMs: number): TableRef | undefined;
  /** One round of upkeep: create, switch, delete. */
  maintain(): Promise<void>;
  /** Resolves when no round is running or queued (never starts one). */
  settled(): Promise<void>;
  /** True when the tables lag behind the clock: the period's table is not in use yet, or the next one is due. */
  needsMaintenance(nowMs: number): boolean;
  /** Marks a table as gone after a data call found it missing; the next upkeep round looks again. */
  markMissing(name: string): void;
  /** Known tables with their roles at `nowMs`. */
  tables(nowMs: number): readonly TableInfo[];
  /**
   * The state of the user index of table `name` as its last DescribeTable (by maintenance) told,
   * or undefined when this process has not described it: no control-plane call.
   */
  describedUserIndex(name: string): UserIndexStatus | undefined;
  /**
   * Names of every table that may hold a live session at `nowMs`, or soon will (rotation: each
   * kept period up to the next one; TTL: the table), whether or not it exists: for one-off tools
   * (`dsm add-user-index`) that describe each.
   */
  candidateTables(nowMs: number): readonly string[];
  /** Milliseconds until the next rotation, or undefined when the strategy does not rotate. */
  msUntilRotation(nowMs: number): number | undefined;
}
