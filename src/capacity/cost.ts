import { SessionManagerError } from '../errors.js';
import { BYTES_PER_KB, READ_UNIT_BYTES, readUnitsPerRead, writeUnitsPerWrite, type ProvisionedCapacity } from './provisioning.js';
import { HOURS_PER_MONTH, SECONDS_PER_MONTH, US_EAST_1_STANDARD_PRICES, type DynamoDbPrices } from './pricing.js';
import { ceilWhole, rejectUnknownKeys, requireBoolean, requireFraction, requirePositive } from './validate.js';

/** The expiry strategies {@link estimateCost} compares, in the order it reports them. */
export const COST_STRATEGIES = ['rotation', 'ttl', 'scanReaper'] as const;

/**
 * One of {@link COST_STRATEGIES}:
 * - `rotation`: this project's table rotation; whole expired tables are dropped;
 * - `ttl`: one table, native DynamoDB TTL deletes expired items;
 * - `scanReaper`: one table, a periodic full-table Scan deletes expired items (connect-dynamodb's `reapInterval` and similar peers).
 */
export type CostStrategy = (typeof COST_STRATEGIES)[number];

/** Storage overhead DynamoDB bills per item, in bytes (for indexing). */
export const ITEM_OVERHEAD_BYTES = 100;

/** Input of {@link estimateCost}: the workload to price. */
export interface CostInput {
  /** Average requests per second that carry or create a session, for the whole cluster. Positive. */
  requestsPerSecond: number;
  /** Size of one stored session, in kilobytes (1 KB = 1024 bytes). Positive. */
  sessionSizeKb: number;
  /** Session idle timeout, which is also the rotation period, in seconds. Positive. @default 3600 */
  intervalSeconds?: number;
  /** Share of requests, from 0 to 1, that leave the session unchanged. @default 0.9 */
  readOnlyFraction?: number;
  /**
   * Share of requests, from 0 to 1, that create a session (no read, one write). Sets how many
   * sessions are alive. `readOnlyFraction + newSessionFraction` must not exceed 1. @default 0.02
   */
  newSessionFraction?: number;
  /** Whether session reads are eventually consistent (half the read units). @default false */
  eventualConsistency?: boolean;
  /** `scanReaper` only: seconds between two full-table Scans. Positive. @default 600 */
  scanIntervalSeconds?: number;
}

/** {@link CostInput} with every default applied. */
export type ResolvedCostInput = Readonly<Required<CostInput>>;

/** Defaults of the optional {@link CostInput} fields. */
export const COST_INPUT_DEFAULTS = Object.freeze({
  intervalSeconds: 3600,
  readOnlyFraction: 0.9,
  newSessionFraction: 0.02,
  eventualConsistency: false,
  scanIntervalSeconds: 600,
} as const);

/** Average consumed capacity, in read and write units per second. */
export interface UnitRates {
  /** Read units (RCU or read request units) per second. */
  readUnitsPerSecond: number;
  /** Write units (WCU or write request units) per second. */
  writeUnitsPerSecond: number;
}

/** Monthly dollars of one strategy. */
export interface MonthlyUsd {
  /** Throughput billed in provisioned mode: every table, capacity at the average rate, rounded up. */
  provisionedThroughput: number;
  /** Throughput billed in on-demand mode: the units consumed. */
  onDemandThroughput: number;
  /** Storage, free tier ignored. */
  storage: number;
  /** `provisionedThroughput + storage`. */
  provisionedTotal: number;
  /** `onDemandThroughput + storage`. */
  onDemandTotal: number;
}

/** Cost of one expiry strategy for the workload. */
export interface StrategyCost {
  /** Which strategy. */
  strategy: CostStrategy;
  /** One line on how the strategy spends capacity. */
  summary: string;
  /** Serving requests: GetItem for sessions, PutItem/UpdateItem for saves and touches. */
  requests: UnitRates;
  /** Keeping live sessions alive: moving them to the new table (rotation) or refreshing `expiresAt` (ttl). */
  upkeep: UnitRates;
  /** Finding and deleting expired sessions. 0 for rotation (tables dropped) and ttl (TTL deletes are free). */
  expiry: UnitRates;
  /** Sum of `requests`, `upkeep` and `expiry`. */
  total: UnitRates;
  /** Items stored on average, across all of the strategy's tables. */
  storedItems: number;
  /** Stored gigabytes (2^30 bytes), with {@link ITEM_OVERHEAD_BYTES} per item. */
  storageGb: number;
  /** Tables billed in provisioned mode: 2 for rotation (current and previous), 1 otherwise. */
  provisionedTables: number;
  /** Capacity of each provisioned table: the average rate rounded up, at least 1. */
  provisionedCapacityPerTable: ProvisionedCapacity;
  /** Monthly dollars. */
  monthlyUsd: MonthlyUsd;
  /** Dollars per million requests, storage included. */
  usdPerMillionRequests: { provisioned: number; onDemand: number };
}

/** Result of {@link estimateCost}. */
export interface CostEstimate {
  /** The input with defaults applied. */
  input: ResolvedCostInput;
  /** The prices used. */
  prices: DynamoDbPrices;
  /** Sessions alive at any time: new sessions per second × interval. */
  liveSessions: number;
  /** Requests per month: requests per second × {@link SECONDS_PER_MONTH}. */
  requestsPerMonth: number;
  /** One entry per strategy, keyed by name; iterate in {@link COST_STRATEGIES} order. */
  strategies: Record<CostStrategy, StrategyCost>;
  /** The model's assumptions, in plain sentences, for the CLI and the docs to print. */
  assumptions: string[];
}

const COST_INPUT_KEYS = [
  'requestsPerSecond',
  'sessionSizeKb',
  'intervalSeconds',
  'readOnlyFraction',
  'newSessionFraction',
  'eventualConsistency',
  'scanIntervalSeconds',
] as const;

/** How many times per interval the ttl strategy may refresh a session's `expiresAt` without a change. */
const TTL_REFRESHES_PER_INTERVAL = 10;

/**
 * Validates a {@link CostInput} and applies the defaults. Pure; does not change `input`.
 *
 * @param input - the workload.
 * @returns a new frozen object with every field set.
 * @throws {SessionManagerError} `config.invalidOption` for a bad value, `config.unknownOption`
 *   for an unknown key, `config.conflictingOptions` when the two fractions add up to more than 1.
 * @example
 * ```ts
 * resolveCostInput({ requestsPerSecond: 100, sessionSizeKb: 2 }).intervalSeconds; // 3600
 * ```
 */
export function resolveCostInput(input: CostInput): ResolvedCostInput {
  rejectUnknownKeys('estimateCost', input, COST_INPUT_KEYS);
  const resolved: ResolvedCostInput = Object.freeze({
    requestsPerSecond: requirePositive('requestsPerSecond', input.requestsPerSecond),
    sessionSizeKb: requirePositive('sessionSizeKb', input.sessionSizeKb),
    intervalSeconds: requirePositive('intervalSeconds', input.intervalSeconds ?? COST_INPUT_DEFAULTS.intervalSeconds),
    readOnlyFraction: requireFraction('readOnlyFraction', input.readOnlyFraction ?? COST_INPUT_DEFAULTS.readOnlyFraction),
    newSessionFraction: requireFraction('newSessionFraction', input.newSessionFraction ?? COST_INPUT_DEFAULTS.newSessionFraction),
    eventualConsistency: requireBoolean('eventualConsistency', input.eventualConsistency ?? COST_INPUT_DEFAULTS.eventualConsistency),
    scanIntervalSeconds: requirePositive(
      'scanIntervalSeconds',
      input.scanIntervalSeconds ?? COST_INPUT_DEFAULTS.scanIntervalSeconds,
    ),
  });
  if (resolved.readOnlyFraction + resolved.newSessionFraction > 1 + 1e-12) {
    throw new SessionManagerError(
      'config.conflictingOptions',
      `Options \`readOnlyFraction\` (${resolved.readOnlyFraction}) and \`newSessionFraction\` (${resolved.newSessionFraction}) ` +
        'add up to more than 1; a request that creates a session is not read-only, so lower one of them.',
      { details: { readOnlyFraction: resolved.readOnlyFraction, newSessionFraction: resolved.newSessionFraction } },
    );
  }
  return resolved;
}

/**
 * Estimates the DynamoDB capacity and monthly dollars of a session workload under three expiry
 * strategies (`rotation`, `ttl`, `scanReaper`) and both billing modes. The model is simple on
 * purpose: averages, no peaks, upper bounds where behaviour depends on traffic shape. Its
 * assumptions come back in `assumptions`. Pure: no I/O.
 *
 * Request mix: a read-only request is one GetItem; a request that changes its session is one
 * GetItem and one PutItem; a request that creates a session is one PutItem. On top of that:
 * - `rotation` moves each live session to the new table once per period (a GetItem that misses
 *   the current table plus a PutItem); expiry is free (DeleteTable);
 * - `ttl` refreshes `expiresAt` of an unchanged session at most once per `intervalSeconds / 10`;
 *   expiry is free (TTL deletes);
 * - `scanReaper` writes on every request (touch), and every `scanIntervalSeconds` scans the whole
 *   table and deletes each expired session with a DeleteItem.
 *
 * @param input - the workload: request rate, session size, interval, request mix.
 * @param prices - the prices to apply. @default {@link US_EAST_1_STANDARD_PRICES}
 * @returns per-strategy units per second, stored items, monthly dollars, dollars per million requests, and the assumptions.
 * @throws {SessionManagerError} `config.invalidOption`, `config.unknownOption` or `config.conflictingOptions`, as {@link resolveCostInput}.
 * @example
 * ```ts
 * const estimate = estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2 });
 * for (const name of COST_STRATEGIES) {
 *   console.log(name, formatUsd(estimate.strategies[name].monthlyUsd.onDemandTotal));
 * }
 * ```
 */
export function estimateCost(input: CostInput, prices: DynamoDbPrices = US_EAST_1_STANDARD_PRICES): CostEstimate {
  const resolved = resolveCostInput(input);
  const {
    requestsPerSecond: rps,
    sessionSizeKb,
    intervalSeconds,
    readOnlyFraction,
    newSessionFraction,
    eventualConsistency,
    scanIntervalSeconds,
  } = resolved;

  const itemBytes = sessionSizeKb * BYTES_PER_KB;
  const storedItemBytes = itemBytes + ITEM_OVERHEAD_BYTES;
  const read = readUnitsPerRead(itemBytes, eventualConsistency);
  const missRead = readUnitsPerRead(0, eventualConsistency);
  const write = writeUnitsPerWrite(itemBytes);

  const newPerSecond = rps * newSessionFraction;
  const returningPerSecond = rps - newPerSecond; // requests that carry a session cookie: one GetItem each
  const readOnlyPerSecond = rps * readOnlyFraction;
  const savesPerSecond = rps - readOnlyPerSecond; // new + changed: one PutItem each
  const liveSessions = newPerSecond * intervalSeconds;

  const requestReads = returningPerSecond * read;
  const zero: UnitRates = { readUnitsPerSecond: 0, writeUnitsPerSecond: 0 };

  // rotation: each live session is moved once per period (upper bound), never more often than it returns.
  const movesPerSecond = Math.min(liveSessions / intervalSeconds, returningPerSecond);
  const rotation = priceStrategy('rotation', {
    summary: 'one table per period; reads try the current table, then the previous one; expired tables are dropped whole',
    requests: { readUnitsPerSecond: requestReads, writeUnitsPerSecond: savesPerSecond * write },
    upkeep: { readUnitsPerSecond: movesPerSecond * missRead, writeUnitsPerSecond: movesPerSecond * write },
    expiry: zero,
    storedItems: 2 * liveSessions,
    provisionedTables: 2,
  });

  // ttl: an unchanged session is rewritten at most TTL_REFRESHES_PER_INTERVAL times per interval (upper bound).
  const refreshesPerSecond = Math.min((liveSessions * TTL_REFRESHES_PER_INTERVAL) / intervalSeconds, readOnlyPerSecond);
  const ttl = priceStrategy('ttl', {
    summary: 'one table; each save stamps expiresAt; DynamoDB TTL deletes expired items for free',
    requests: { readUnitsPerSecond: requestReads, writeUnitsPerSecond: savesPerSecond * write },
    upkeep: { readUnitsPerSecond: 0, writeUnitsPerSecond: refreshesPerSecond * write },
    expiry: zero,
    storedItems: liveSessions,
    provisionedTables: 1,
  });

  // scanReaper: expired items wait half a scan interval on average; each Scan reads every stored item.
  const scannedItems = newPerSecond * (intervalSeconds + scanIntervalSeconds / 2);
  const scanReadUnitsPerScan = ((scannedItems * itemBytes) / READ_UNIT_BYTES) * 0.5;
  const scanReaper = priceStrategy('scanReaper', {
    summary: 'one table; every request writes (touch); a periodic full-table Scan finds expired items and deletes them one by one',
    requests: { readUnitsPerSecond: requestReads, writeUnitsPerSecond: rps * write },
    upkeep: zero,
    expiry: { readUnitsPerSecond: scanReadUnitsPerScan / scanIntervalSeconds, writeUnitsPerSecond: newPerSecond * write },
    storedItems: scannedItems,
    provisionedTables: 1,
  });

  function priceStrategy(
    strategy: CostStrategy,
    parts: Pick<StrategyCost, 'summary' | 'requests' | 'upkeep' | 'expiry' | 'storedItems' | 'provisionedTables'>,
  ): StrategyCost {
    const total: UnitRates = {
      readUnitsPerSecond: parts.requests.readUnitsPerSecond + parts.upkeep.readUnitsPerSecond + parts.expiry.readUnitsPerSecond,
      writeUnitsPerSecond:
        parts.requests.writeUnitsPerSecond + parts.upkeep.writeUnitsPerSecond + parts.expiry.writeUnitsPerSecond,
    };
    const capacity: ProvisionedCapacity = {
      readCapacityUnits: Math.max(1, ceilWhole(total.readUnitsPerSecond)),
      writeCapacityUnits: Math.max(1, ceilWhole(total.writeUnitsPerSecond)),
    };
    const provisionedThroughput =
      parts.provisionedTables *
      HOURS_PER_MONTH *
      (capacity.readCapacityUnits * prices.provisionedUsdPerRcuHour + capacity.writeCapacityUnits * prices.provisionedUsdPerWcuHour);
    const onDemandThroughput =
      ((total.readUnitsPerSecond * SECONDS_PER_MONTH) / 1e6) * prices.onDemandUsdPerMillionReadUnits +
      ((total.writeUnitsPerSecond * SECONDS_PER_MONTH) / 1e6) * prices.onDemandUsdPerMillionWriteUnits;
    const storageGb = (parts.storedItems * storedItemBytes) / 2 ** 30;
    const storage = storageGb * prices.storageUsdPerGbMonth;
    const millionRequests = (rps * SECONDS_PER_MONTH) / 1e6;
    const monthlyUsd: MonthlyUsd = {
      provisionedThroughput,
      onDemandThroughput,
      storage,
      provisionedTotal: provisionedThroughput + storage,
      onDemandTotal: onDemandThroughput + storage,
    };
    return {
      strategy,
      ...parts,
      total,
      storageGb,
      provisionedCapacityPerTable: capacity,
      monthlyUsd,
      usdPerMillionRequests: {
        provisioned: monthlyUsd.provisionedTotal / millionRequests,
        onDemand: monthlyUsd.onDemandTotal / millionRequests,
      },
    };
  }

  const consistency = eventualConsistency ? 'eventually consistent' : 'strongly consistent';
  const assumptions = [
    `Prices: DynamoDB Standard table class, ${prices.region}, checked ${prices.asOf}; ${HOURS_PER_MONTH} hours per month. ` +
      `The free tier (${prices.storageFreeGbPerMonth} GB of storage) is ignored; data transfer, backups and streams are not included.`,
    `Request mix: ${percent(readOnlyFraction)} read-only (one GetItem), ${percent(newSessionFraction)} create a session (one PutItem, no read), ` +
      `the rest change their session (one GetItem and one PutItem).`,
    `A ${sessionSizeKb} KB session costs ${read} read unit(s) per ${consistency} GetItem and ${write} write unit(s) per write; ` +
      `a GetItem that finds nothing still costs ${missRead}.`,
    `Sessions alive ≈ new sessions per second × interval = ${round(liveSessions)}; the time a session stays active is ignored. ` +
      `Storage adds ${ITEM_OVERHEAD_BYTES} bytes of overhead per item.`,
    'rotation: each live session is moved to the new table once per period (an upper bound): one GetItem that misses the current table ' +
      'and one PutItem. Expired sessions cost nothing: whole tables are dropped and DeleteTable is free. ' +
      'Up to two periods of sessions are stored. Provisioned mode pays for two tables (current and previous) at the same capacity, ' +
      'as the original did; on-demand pays nothing for an idle table.',
    `ttl: an unchanged session refreshes expiresAt at most once per interval / ${TTL_REFRESHES_PER_INTERVAL} (an upper bound). ` +
      'TTL deletes are free. Storage counts live sessions only, but expired items wait for TTL deletion ' +
      '(typically within two days, with no bound) and are billed for storage until then.',
    `scanReaper: every request writes (express-session touch or save), as connect-dynamodb does; a full-table Scan every ${scanIntervalSeconds} s ` +
      'reads every stored item (eventually consistent, 0.5 unit per 4 KB) and each expired session costs one DeleteItem; ' +
      'expired items wait half a scan interval on average.',
    'Provisioned dollars: each table provisioned at the average rate, rounded up to whole units, with no headroom for peaks ' +
      "or for the Scan's bursts; real tables need headroom or auto scaling, so treat the figure as a floor.",
    'On-demand dollars: average units per second × seconds per month × price per unit. Dollars per million requests include storage.',
  ];

  return {
    input: resolved,
    prices,
    liveSessions,
    requestsPerMonth: rps * SECONDS_PER_MONTH,
    strategies: { rotation, ttl, scanReaper },
    assumptions,
  };
}

/**
 * Formats US dollars for people: two decimals with thousands separators (`$1,234.50`), or two
 * significant digits below one cent (`$0.0042`), so small per-request figures do not print as `$0.00`.
 *
 * @param usd - an amount in US dollars.
 * @returns the amount with a `$` sign; `-$1.50` for negatives; `NaN` and infinities as `String(usd)`.
 * @example
 * ```ts
 * formatUsd(1234.5); // "$1,234.50"
 * formatUsd(0.00421); // "$0.0042"
 * ```
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return String(usd);
  const small = usd !== 0 && Math.abs(usd) < 0.01;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    ...(small ? { maximumSignificantDigits: 2 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  }).format(usd);
}

function percent(fraction: number): string {
  return `${round(fraction * 100)} %`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
