/**
 * The date the prices in {@link US_EAST_1_STANDARD_PRICES} were last checked, ISO 8601.
 * AWS changes prices rarely but without notice: check https://aws.amazon.com/dynamodb/pricing/
 * before quoting a figure.
 */
export const PRICES_AS_OF = '2026-11-24';

/** Hours in a billing month, as AWS's own pricing examples count them (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** Seconds in a billing month: {@link HOURS_PER_MONTH} × 3600. */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

/** DynamoDB prices for one region and table class, in US dollars. */
export interface DynamoDbPrices {
  /** AWS region code, for example `us-east-1`. */
  readonly region: string;
  /** Table class the prices apply to. */
  readonly tableClass: 'STANDARD';
  /** Date the figures were last checked, ISO 8601. */
  readonly asOf: string;
  /** On-demand: dollars per million write request units. */
  readonly onDemandUsdPerMillionWriteUnits: number;
  /** On-demand: dollars per million read request units. */
  readonly onDemandUsdPerMillionReadUnits: number;
  /** Provisioned: dollars per write capacity unit per hour. */
  readonly provisionedUsdPerWcuHour: number;
  /** Provisioned: dollars per read capacity unit per hour. */
  readonly provisionedUsdPerRcuHour: number;
  /** Storage: dollars per GB-month (GB = 2^30 bytes, item overhead included). */
  readonly storageUsdPerGbMonth: number;
  /** Storage free each month per region. Estimates here ignore it, to stay comparable. */
  readonly storageFreeGbPerMonth: number;
  /** Deleting an expired item through native TTL: free, and consumes no write capacity. */
  readonly ttlDeleteUsd: number;
  /** DeleteTable: free (control-plane calls are not billed). */
  readonly deleteTableUsd: number;
  /** Other control-plane calls (CreateTable, DescribeTable, ListTables, UpdateTimeToLive): free. */
  readonly controlPlaneCallUsd: number;
  /** Where the figures come from. */
  readonly sources: readonly string[];
}

/**
 * DynamoDB Standard table class prices in US East (N. Virginia), after the on-demand price cut
 * of 1 November 2024 (on-demand throughput halved, from $1.25 and $0.25 per million).
 *
 * - on-demand: $0.625 per million write request units, $0.125 per million read request units;
 * - provisioned: $0.00065 per WCU-hour, $0.00013 per RCU-hour;
 * - storage: $0.25 per GB-month (the first 25 GB each month are free; estimates ignore that);
 * - TTL deletes, DeleteTable and other control-plane calls: free.
 *
 * Checked on {@link PRICES_AS_OF} against secondary sources that quote AWS's pricing pages;
 * AWS's pages are the authority (see `sources`).
 *
 * @example
 * ```ts
 * const monthlyWriteUsd = (writesPerSecond * SECONDS_PER_MONTH / 1e6) * US_EAST_1_STANDARD_PRICES.onDemandUsdPerMillionWriteUnits;
 * ```
 */
export const US_EAST_1_STANDARD_PRICES: DynamoDbPrices = Object.freeze({
  region: 'us-east-1',
  tableClass: 'STANDARD',
  asOf: PRICES_AS_OF,
  onDemandUsdPerMillionWriteUnits: 0.625,
  onDemandUsdPerMillionReadUnits: 0.125,
  provisionedUsdPerWcuHour: 0.00065,
  provisionedUsdPerRcuHour: 0.00013,
  storageUsdPerGbMonth: 0.25,
  storageFreeGbPerMonth: 25,
  ttlDeleteUsd: 0,
  deleteTableUsd: 0,
  controlPlaneCallUsd: 0,
  sources: Object.freeze([
    'https://aws.amazon.com/dynamodb/pricing/on-demand/ (authority; on-demand, storage)',
    'https://aws.amazon.com/dynamodb/pricing/provisioned/ (authority; provisioned)',
    'https://airbyte.com/data-engineering-resources/dynamodb-pricing (July 2025; quotes $0.625 / $0.125 per million after the November 2024 cut)',
    'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html (TTL deletes are free)',
  ]),
});
