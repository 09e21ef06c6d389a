import type { CapacityOptions } from '../../config/resolve-options.js';
import { isUnsupportedOperation } from '../../dynamo/backend-errors.js';
import { ATTR } from '../../codec/item-format.js';
import { safeLog } from '../../logging/logger.js';
import type { ExpiryStrategy, ReadPlan, TableInfo, TableRef } from '../strategy.js';
import { ensureTable, type TableAdminContext, type TableStatus, type UserIndexStatus } from '../../dynamo/table-admin.js';

/** Settings of {@link TtlTable}. */
export interface TtlTableOptions extends TableAdminContext {
  readonly tableName: string;
  readonly createTables: boolean;
  readonly capacity: CapacityOptions;
  /** Create the table with the user index (`uid-index`). @default false */
  readonly userIndex?: boolean;
  readonly now: () => number;
}

/**
 * Expiry by DynamoDB's native TTL: one table holds every session, and DynamoDB deletes items
 * whose `expiresAt` (epoch seconds) has passed, late (hours to days) and for free. Reads check
 * expiry themselves, so an expired session is never served.
 */
export class TtlTable implements ExpiryStrategy {
  readonly mode = 'ttl' as const;
  readonly #o: TtlTableOptions;
  readonly #ref: TableRef;
  #status: TableStatus | undefined;
  #userIndex: UserIndexStatus | undefined;
  #ttl: string = 'UNKNOWN';
  #running: Promise<void> | undefined;
  #missingUntilMs = 0;

  constructor(options: TtlTableOptions) {
    this.#o = options;
    this.#ref = { name: options.tableName, period: 0, role: 'current' };
  }

  /**
   * The table is taken to be there until maintenance or a data call says otherwise (a missing
   * table is looked for again a second later): no control-plane call is needed to serve.
   */
  #usable(): boolean {
    if (this.#status === 'ACTIVE' || this.#status === undefined) return true;
    return this.#status === 'MISSING' && this.#o.now() >= this.#missingUntilMs;
  }

  readPlan(): ReadPlan {
    return this.#usable() ? { first: [this.#ref], fallback: [], kept: [] } : { first: [], fallback: [], kept: [] };
  }

  writeTable(): TableRef | undefined {
    return this.#usable() ? this.#ref : undefined;
  }

  destroyTables(): readonly TableRef[] {
    return [this.#ref];
  }

  refFor(name: string): TableRef | undefined {
    return name === this.#ref.name ? this.#ref : undefined;
  }

  candidateTables(): readonly string[] {
    return [this.#ref.name];
  }

  describedUserIndex(name: string): UserIndexStatus | undefined {
    return name === this.#ref.name && this.#status === 'ACTIVE' ? this.#userIndex : undefined;
  }

  markMissing(name: string): void {
    if (name !== this.#ref.name) return;
    this.#status = 'MISSING';
    this.#userIndex = undefined;
    this.#missingUntilMs = this.#o.now() + 1000;
    // A table created anew has TTL off: the next round looks again (an endpoint without TTL stays without).
    if (this.#ttl !== 'UNSUPPORTED') this.#ttl = 'UNKNOWN';
  }

  needsMaintenance(): boolean {
    return false; // the maintainer's timer and the data plane keep up
  }

  async settled(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  msUntilRotation(): undefined {
    return undefined;
  }

  tables(): readonly TableInfo[] {
    return [{ name: this.#ref.name, role: 'current', status: `${this.#status ?? 'UNKNOWN'} (TTL ${this.#ttl})`, periodStartMs: undefined, periodEndMs: undefined }];
  }

  /** Makes sure the table exists and is ACTIVE, and that TTL on `expiresAt` is enabled. */
  maintain(): Promise<void> {
    this.#running ??= this.#round().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #round(): Promise<void> {
    if (this.#status !== 'ACTIVE') {
      const { state } = await ensureTable(this.#o, this.#ref.name, { create: this.#o.createTables, capacity: () => this.#o.capacity, userIndex: this.#o.userIndex === true });
      this.#status = state.status;
      this.#userIndex = state.userIndex;
    }
    if (this.#ttl === 'ENABLED' || this.#ttl === 'UNSUPPORTED') return;
    try {
      const described = await this.#o.backend.send('DescribeTimeToLive', { TableName: this.#ref.name });
      const ttl = described.TimeToLiveDescription;
      this.#ttl = ttl?.TimeToLiveStatus ?? 'DISABLED';
      if ((this.#ttl === 'ENABLED' || this.#ttl === 'ENABLING') && ttl?.AttributeName !== ATTR.expiresAt) {
        safeLog(this.#o.logger, 'warn', { table: this.#ref.name, attribute: ttl?.AttributeName }, 'TTL is enabled on another attribute; sessions are still never served after they expire, but DynamoDB will not delete them');
        return;
      }
      if (this.#ttl === 'DISABLED' && this.#o.createTables) {
        await this.#o.backend.send('UpdateTimeToLive', {
          TableName: this.#ref.name,
          TimeToLiveSpecification: { Enabled: true, AttributeName: ATTR.expiresAt },
        });
        this.#ttl = 'ENABLED';
        safeLog(this.#o.logger, 'info', { table: this.#ref.name, attribute: ATTR.expiresAt }, 'Enabled TTL on the session table');
      }
    } catch (error) {
      if (isUnsupportedOperation(error)) {
        this.#ttl = 'UNSUPPORTED';
        safeLog(this.#o.logger, 'warn', { table: this.#ref.name }, 'This endpoint does not implement TTL; expired sessions are never served but stay stored');
        return;
      }
      throw error;
    }
  }
}
