import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { Item } from '../../codec/codec.js';
import { CONNECT_DYNAMODB_DEFAULTS } from '../../config/migrate-from.js';
import { sleep } from '../../dynamo/deadline.js';
import { SessionManagerError } from '../../errors.js';
import { METRIC } from '../../metrics/names.js';
import { internalsOf, type SessionStore } from '../../store/index.js';
import type { CopyOutcome, CopyReport } from '../../store/legacy/copy.js';
import type { CommandContext } from '../context.js';
import { formatDuration, formatNumber, formatTable } from '../format.js';
import { emptyTotals, readCheckpoint, writeCheckpoint, type MigrateTotals } from '../migrate-checkpoint.js';
import { createPacer, type CapacityBudget } from '../pacing.js';
import { parsePositiveInteger, parsePositiveNumber } from '../parse-argument.js';

/** The stores `dsm migrate` copies from. */
export const MIGRATE_SOURCES = ['connect-dynamodb'] as const;

/** Defaults of `dsm migrate`: a budget small enough not to starve the application's traffic. */
export const MIGRATE_DEFAULTS = Object.freeze({ maxReadUnitsPerSecond: 50, maxWriteUnitsPerSecond: 50, pageSize: 100 } as const);

/** The bytes a fence adds to a legacy item (two attribute names, a table name, a write id): an upper bound for the estimate. */
const FENCE_BYTES = 300;

/** The capacity budget of a run, units per second. */
export interface MigrateBudget {
  readonly readUnitsPerSecond: number;
  readonly writeUnitsPerSecond: number;
}

/** The result of `dsm migrate`. */
export interface MigrateResult extends MigrateTotals {
  readonly from: 'connect-dynamodb';
  readonly table: string;
  readonly dryRun: boolean;
  /** The scan reached the end of the table. */
  readonly done: boolean;
  readonly checkpoint: string | null;
  readonly budget: MigrateBudget;
  /** Milliseconds this run waited to stay within the budget. */
  readonly waitedMs: number;
  /** A dry run: how long the copy would take at the budget, in seconds. */
  readonly estimatedSeconds: number | null;
  /** {@link MigrateTotals.lastExpiresAtMs} as an ISO date. */
  readonly lastExpiresAt: string | null;
}

/** `dsm migrate --from connect-dynamodb --table <name>`: the optional bulk copy. */
export function createMigrateCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('migrate')
    .summary("copy the sessions of connect-dynamodb's table into this store (optional)")
    .description(
      'Copy every live session of a connect-dynamodb table into this store, as a load with the migrateFrom option would take it over: ' +
        "fenced there, put here where no item exists. Optional: with migrateFrom on, each session moves on its first request anyway; the copy lets you turn the option off sooner. " +
        'Scans the table page by page (eventually consistent) within a capacity budget; safe to run while the application runs, and to run again. ' +
        '--dry-run writes nothing and reports what the copy would do and cost.',
    )
    .addOption(new Option('--from <store>', 'the store to copy from').choices(MIGRATE_SOURCES).makeOptionMandatory())
    .requiredOption('--table <name>', "connect-dynamodb's table (its option `table`)")
    .option('--prefix <text>', `connect-dynamodb's key prefix (its option \`prefix\`; default: ${CONNECT_DYNAMODB_DEFAULTS.prefix})`)
    .option('--hash-key <name>', `connect-dynamodb's hash key (its option \`hashKey\`; default: ${CONNECT_DYNAMODB_DEFAULTS.hashKey})`)
    .option('--dry-run', 'write nothing: count the items and report the capacity the copy will use')
    .option('--max-rcu-per-second <n>', `read capacity units per second at most (default: ${MIGRATE_DEFAULTS.maxReadUnitsPerSecond})`, parsePositiveNumber)
    .option('--max-wcu-per-second <n>', `write capacity units per second at most (default: ${MIGRATE_DEFAULTS.maxWriteUnitsPerSecond})`, parsePositiveNumber)
    .option('--page-size <n>', `items per Scan page (default: ${MIGRATE_DEFAULTS.pageSize})`, parsePositiveInteger)
    .option('--max-pages <n>', 'stop after this many pages (resume with the same --checkpoint)', parsePositiveInteger)
    .option('--checkpoint <file>', 'resume from this file if it exists, and record progress in it after every page')
    .addHelpText(
      'after',
      '\nThe tables of this store must exist (`dsm maintain`, or the application running). An interrupted run resumes from its ' +
        'checkpoint; items of the page it was on are seen again and skipped once copied.\nGuide: docs/migration.md.\n' +
        'Exit codes: 0 done (or stopped after --max-pages), 1 DynamoDB failed, 2 usage error.',
    )
    .action(async (options) => {
      const settings = ctx.settings();
      if (options.dryRun === true && options.checkpoint !== undefined) {
        throw new SessionManagerError('cli.usage', '--dry-run and --checkpoint exclude each other: a dry run writes nothing, not even a checkpoint.');
      }
      const budget: MigrateBudget = {
        readUnitsPerSecond: options.maxRcuPerSecond ?? MIGRATE_DEFAULTS.maxReadUnitsPerSecond,
        writeUnitsPerSecond: options.maxWcuPerSecond ?? MIGRATE_DEFAULTS.maxWriteUnitsPerSecond,
      };
      const migrateFrom = {
        connectDynamodb: {
          table: options.table,
          ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
          ...(options.hashKey === undefined ? {} : { hashKey: options.hashKey }),
        },
      };
      const store = ctx.openStore(settings, { createTables: false, migrateFrom });
      try {
        const previous = options.checkpoint === undefined ? undefined : await readCheckpoint(options.checkpoint);
        if (previous !== undefined && previous.table !== options.table) {
          throw new SessionManagerError('cli.usage', `--checkpoint ${options.checkpoint} belongs to a copy of table ${previous.table}, not ${options.table}.`);
        }
        await ctx.checkReachable(settings);
        if (options.dryRun !== true && previous?.done !== true) await store.ready();
        const run = await copyPages(ctx, store, {
          dryRun: options.dryRun === true,
          budget,
          pageSize: options.pageSize ?? MIGRATE_DEFAULTS.pageSize,
          maxPages: options.maxPages,
          checkpoint: options.checkpoint,
          table: options.table,
          totals: previous?.totals ?? emptyTotals(),
          startKey: previous?.done === true ? undefined : (previous?.startKey ?? undefined),
          done: previous?.done === true,
        });
        const t = run.totals;
        const result: MigrateResult = {
          from: 'connect-dynamodb',
          table: options.table,
          dryRun: options.dryRun === true,
          done: run.done,
          checkpoint: options.checkpoint ?? null,
          budget,
          waitedMs: Math.round(run.waitedMs),
          estimatedSeconds: options.dryRun === true ? Math.max(t.readUnits / budget.readUnitsPerSecond, t.plannedWriteUnits / budget.writeUnitsPerSecond) : null,
          lastExpiresAt: t.lastExpiresAtMs === null ? null : new Date(t.lastExpiresAtMs).toISOString(),
          ...t,
        };
        ctx.print(settings, result, formatMigrate);
      } finally {
        await store.close();
      }
    });
}

interface CopyRun {
  readonly dryRun: boolean;
  readonly budget: CapacityBudget;
  readonly pageSize: number;
  readonly maxPages: number | undefined;
  readonly checkpoint: string | undefined;
  readonly table: string;
  readonly totals: MigrateTotals;
  readonly startKey: Item | undefined;
  readonly done: boolean;
}

/** Scans and copies page by page within the budget, writing the checkpoint after each page. */
async function copyPages(ctx: CommandContext, store: SessionStore, run: CopyRun): Promise<{ totals: MigrateTotals; done: boolean; waitedMs: number }> {
  const copier = internalsOf(store).legacy;
  if (copier === undefined) throw new Error('dsm migrate: the store was opened without migrateFrom');
  const totals: MigrateTotals = { ...run.totals, counts: { ...run.totals.counts } };
  const counted = unitsOf(store);
  const base = { readUnits: totals.readUnits - counted.readUnits, writeUnits: totals.writeUnits - counted.writeUnits };
  const pacer = createPacer(run.budget, ctx.now, (ms) => sleep(ms, { keepAlive: true }));
  let startKey = run.startKey;
  let done = run.done;
  for (let pages = 0; !done && (run.maxPages === undefined || pages < run.maxPages); pages += 1) {
    const page = await copier.scanPage(run.pageSize, startKey);
    totals.pages += 1;
    totals.scanned += page.items.length;
    await pacer.pace(unitsOf(store));
    for (const item of page.items) {
      tally(totals, await copier.copy(item, run.dryRun));
      await pacer.pace(unitsOf(store));
    }
    startKey = page.lastKey;
    done = startKey === undefined;
    const used = unitsOf(store);
    totals.readUnits = base.readUnits + used.readUnits;
    totals.writeUnits = base.writeUnits + used.writeUnits;
    if (run.checkpoint !== undefined) {
      await writeCheckpoint(run.checkpoint, { version: 1, from: 'connect-dynamodb', table: run.table, startKey: startKey ?? null, done, totals });
    }
  }
  return { totals, done, waitedMs: pacer.waitedMs };
}

/** The capacity units the store consumed so far, as DynamoDB reported them. */
function unitsOf(store: SessionStore): { readUnits: number; writeUnits: number } {
  const counters = store.metrics().counters;
  return { readUnits: counters[METRIC.capacityRead]?.total ?? 0, writeUnits: counters[METRIC.capacityWrite]?.total ?? 0 };
}

/** Adds one item's outcome to the totals. Pure but for `totals`. */
export function tally(totals: MigrateTotals, report: CopyReport): void {
  totals.counts[report.outcome] += 1;
  if ((report.outcome === 'copied' || report.outcome === 'would-copy') && report.storedBytes !== undefined) {
    totals.plannedWriteUnits += Math.ceil((report.legacyBytes + FENCE_BYTES) / 1024) + Math.ceil(report.storedBytes / 1024);
  }
  if ((report.outcome === 'would-copy' || report.outcome === 'changed') && report.servableUntilMs !== undefined) {
    totals.lastExpiresAtMs = Math.max(totals.lastExpiresAtMs ?? 0, report.servableUntilMs);
  }
}

const OUTCOME_TEXT: Readonly<Record<CopyOutcome, string>> = {
  copied: 'live sessions copied here',
  'would-copy': 'live sessions a copy would move here',
  'already-moved': 'already taken over (by a load or an earlier run)',
  present: 'this store already had the id: left as it is',
  changed: 'changed during the run: left for their next request',
  gone: 'logged out: skipped',
  expired: "past connect-dynamodb's expiry: skipped",
  corrupt: 'cannot be served: skipped',
  foreign: 'keys without the prefix, or not session ids: skipped',
};

/** The text of `dsm migrate`. Pure. */
export function formatMigrate(result: MigrateResult): string {
  const budget = `${formatNumber(result.budget.readUnitsPerSecond)} RCU/s and ${formatNumber(result.budget.writeUnitsPerSecond)} WCU/s`;
  const units = (n: number): string => formatNumber(n, 1);
  const rows = (Object.keys(OUTCOME_TEXT) as CopyOutcome[]).filter((o) => result.counts[o] > 0 || o === (result.dryRun ? 'would-copy' : 'copied'));
  const lines = [
    `${result.dryRun ? 'Dry run (nothing written)' : 'Copy'} from connect-dynamodb table ${result.table}: ${formatNumber(result.scanned, 0)} items in ${formatNumber(result.pages, 0)} pages; ` +
      (result.done ? 'the whole table is done.' : `stopped before the end: run again${result.checkpoint === null ? '' : ` with --checkpoint ${result.checkpoint}`} to go on.`),
    '',
    formatTable(rows, [
      { header: 'items', value: (o) => formatNumber(result.counts[o], 0), right: true },
      { header: 'outcome', value: (o) => `${o}: ${OUTCOME_TEXT[o]}` },
    ]),
    '',
    `Capacity used: ${units(result.readUnits)} read units, ${units(result.writeUnits)} write units (waited ${formatDuration(result.waitedMs)} to stay within ${budget}).`,
  ];
  if (result.dryRun) {
    lines.push(
      `The copy would use about ${units(result.plannedWriteUnits)} write units (per session a fence there and a put here) and read the table again ` +
        `(${units(result.readUnits)} read units): about ${formatDuration((result.estimatedSeconds ?? 0) * 1000)} at ${budget}.`,
    );
  }
  const left = result.dryRun ? result.counts['would-copy'] + result.counts.changed : result.counts.changed;
  lines.push(
    left === 0 || result.lastExpiresAt === null
      ? `No live session is left only in connect-dynamodb${result.done ? '' : ' so far'}: migrateFrom can be turned off${result.done ? '' : ' once the whole table is done'} (docs/migration.md).`
      : `${formatNumber(left, 0)} live sessions are only in connect-dynamodb; the last expires at ${result.lastExpiresAt}. ` +
          `Keep migrateFrom on until then${result.dryRun ? ', or run the copy' : ''} (docs/migration.md).`,
  );
  return lines.join('\n');
}
