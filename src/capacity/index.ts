// Capacity and cost: pure functions, no I/O. Used by the store (sizing new tables), the CLI
// (`dsm cost`), the benchmarks and the docs.

// Capacity units per operation and for a new provisioned table.
export {
  provisionedCapacity,
  readUnitsPerRead,
  writeUnitsPerWrite,
  BYTES_PER_KB,
  READ_UNIT_BYTES,
  WRITE_UNIT_BYTES,
} from './provisioning.js';
export type { ProvisionedCapacity, ProvisionedCapacityInput } from './provisioning.js';

// Prices, with the date they were checked.
export { PRICES_AS_OF, HOURS_PER_MONTH, SECONDS_PER_MONTH, US_EAST_1_STANDARD_PRICES } from './pricing.js';
export type { DynamoDbPrices } from './pricing.js';

// Cost of a workload under each expiry strategy and billing mode.
export {
  estimateCost,
  resolveCostInput,
  formatUsd,
  COST_STRATEGIES,
  COST_INPUT_DEFAULTS,
  ITEM_OVERHEAD_BYTES,
} from './cost.js';
export type {
  CostEstimate,
  CostInput,
  CostStrategy,
  MonthlyUsd,
  ResolvedCostInput,
  StrategyCost,
  UnitRates,
} from './cost.js';
