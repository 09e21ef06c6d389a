import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { COST_INPUT_DEFAULTS, COST_STRATEGIES, estimateCost, formatUsd, type CostEstimate, type CostStrategy, type StrategyCost } from '../../capacity/index.js';
import type { CommandContext } from '../context.js';
import { formatDuration, formatNumber, formatTable } from '../format.js';
import { parseFraction, parsePositiveNumber } from '../parse-argument.js';

const STRATEGY_LABEL: Record<CostStrategy, string> = { rotation: 'rotation', ttl: 'ttl', scanReaper: 'scan reaper' };

/** `dsm cost`: capacity and monthly dollars of a workload under each expiry strategy. No DynamoDB call. */
export function createCostCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('cost')
    .summary('estimate capacity and monthly dollars per expiry strategy')
    .description(
      'Estimate capacity units and monthly dollars of a session workload for rotation, ttl and a scan reaper, ' +
        'in provisioned and on-demand billing, at the documented us-east-1 prices (their date is printed). Needs no DynamoDB.',
    )
    .requiredOption('--rps <n>', 'average requests per second that carry or create a session, whole cluster', parsePositiveNumber)
    .requiredOption('--session-size <kb>', 'size of one stored session, in KB (1 KB = 1024 bytes)', parsePositiveNumber)
    .option('--interval <seconds>', `session idle timeout, which is also the rotation period (default: --max-inactive, else ${COST_INPUT_DEFAULTS.intervalSeconds})`, parsePositiveNumber)
    .option('--read-only-fraction <f>', `share of requests that leave the session unchanged, 0 to 1 (default: ${COST_INPUT_DEFAULTS.readOnlyFraction})`, parseFraction)
    .option('--new-session-fraction <f>', `share of requests that create a session, 0 to 1 (default: ${COST_INPUT_DEFAULTS.newSessionFraction})`, parseFraction)
    .option('--scan-interval <seconds>', `scan reaper: seconds between two full-table scans (default: ${COST_INPUT_DEFAULTS.scanIntervalSeconds})`, parsePositiveNumber)
    .option('--eventual', 'eventually consistent reads (half the read units)')
    .addHelpText('after', '\nThe model and its assumptions: docs/capacity-and-cost.md. --json prints the whole estimate.\nExit codes: 0 estimated, 2 usage error.')
    .action((options) => {
      const settings = ctx.settings();
      const estimate = estimateCost({
        requestsPerSecond: options.rps,
        sessionSizeKb: options.sessionSize,
        intervalSeconds: options.interval ?? settings.maxInactiveSeconds ?? COST_INPUT_DEFAULTS.intervalSeconds,
        ...(options.readOnlyFraction === undefined ? {} : { readOnlyFraction: options.readOnlyFraction }),
        ...(options.newSessionFraction === undefined ? {} : { newSessionFraction: options.newSessionFraction }),
        ...(options.scanInterval === undefined ? {} : { scanIntervalSeconds: options.scanInterval }),
        ...(options.eventual === true ? { eventualConsistency: true } : {}),
      });
      ctx.print(settings, estimate, formatCost);
    });
}

/** The text of `dsm cost`. Pure. */
export function formatCost(estimate: CostEstimate): string {
  const { input, prices } = estimate;
  const strategies = COST_STRATEGIES.map((name) => estimate.strategies[name]);
  const units = (n: number): string => formatNumber(n, 2);
  const rows: [string, (s: StrategyCost) => string][] = [
    ['Read units/s (average)', (s) => units(s.total.readUnitsPerSecond)],
    ['  serving requests', (s) => units(s.requests.readUnitsPerSecond)],
    ['  upkeep', (s) => units(s.upkeep.readUnitsPerSecond)],
    ['  expiry', (s) => units(s.expiry.readUnitsPerSecond)],
    ['Write units/s (average)', (s) => units(s.total.writeUnitsPerSecond)],
    ['  serving requests', (s) => units(s.requests.writeUnitsPerSecond)],
    ['  upkeep', (s) => units(s.upkeep.writeUnitsPerSecond)],
    ['  expiry', (s) => units(s.expiry.writeUnitsPerSecond)],
    ['Stored items', (s) => formatNumber(s.storedItems, 0)],
    ['Storage (GB)', (s) => formatNumber(s.storageGb, 3)],
    ['Provisioned capacity', (s) => `${s.provisionedTables} × ${s.provisionedCapacityPerTable.readCapacityUnits} RCU, ${s.provisionedCapacityPerTable.writeCapacityUnits} WCU`],
    ['Provisioned, per month', (s) => formatUsd(s.monthlyUsd.provisionedTotal)],
    ['On-demand, per month', (s) => formatUsd(s.monthlyUsd.onDemandTotal)],
    ['  of which storage', (s) => formatUsd(s.monthlyUsd.storage)],
    ['Per million requests, provisioned', (s) => formatUsd(s.usdPerMillionRequests.provisioned)],
    ['Per million requests, on-demand', (s) => formatUsd(s.usdPerMillionRequests.onDemand)],
  ];
  const table = formatTable(rows, [
    { header: '', value: ([label]) => label },
    ...strategies.map((s) => ({ header: STRATEGY_LABEL[s.strategy], value: ([, cell]: (typeof rows)[number]) => cell(s), right: true })),
  ]);
  const percent = (f: number): string => `${formatNumber(f * 100, 1)}%`;
  return [
    `Workload: ${formatNumber(input.requestsPerSecond)} requests/s, ${formatNumber(input.sessionSizeKb)} KB sessions, ` +
      `idle timeout ${formatDuration(input.intervalSeconds * 1000)}, ${percent(input.readOnlyFraction)} read-only, ` +
      `${percent(input.newSessionFraction)} new sessions, ${input.eventualConsistency ? 'eventually' : 'strongly'} consistent reads.`,
    `${formatNumber(estimate.liveSessions, 0)} live sessions; ${formatNumber(estimate.requestsPerMonth, 0)} requests per month.`,
    `Prices: DynamoDB ${titleCase(prices.tableClass)} table class, ${prices.region}, as of ${prices.asOf} ` +
      `(on-demand $${prices.onDemandUsdPerMillionReadUnits} / $${prices.onDemandUsdPerMillionWriteUnits} per million read / write units; ` +
      `provisioned $${prices.provisionedUsdPerRcuHour} / $${prices.provisionedUsdPerWcuHour} per RCU / WCU-hour; ` +
      `storage $${prices.storageUsdPerGbMonth} per GB-month).`,
    '',
    table,
    '',
    'Strategies:',
    ...strategies.map((s) => `  ${STRATEGY_LABEL[s.strategy].padEnd(12)} ${s.summary}`),
    '',
    'Assumptions:',
    ...estimate.assumptions.map((a) => `  - ${a}`),
    '',
    'Check current prices at https://aws.amazon.com/dynamodb/pricing/ before quoting a figure.',
  ].join('\n');
}

function titleCase(word: string): string {
  return `${word.charAt(0)}${word.slice(1).toLowerCase()}`;
}
