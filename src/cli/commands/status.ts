import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CommandContext } from '../context.js';
import { formatBytes, formatDuration, formatFields, formatNumber, formatRelative, formatTable, formatUtc } from '../format.js';
import { readStatus } from '../read-status.js';
import type { StatusReport, StatusTable } from '../status-model.js';

/** `dsm status`: the mode, the tables with their roles, and the time to the next rotation. */
export function createStatusCommand(ctx: CommandContext): CommandUnknownOpts {
  return new Command('status')
    .summary('show the mode, the tables and their roles, and the next rotation')
    .description(
      'Show the expiry mode, each session table with its role (current, previous, next, expired), status, item count and size, ' +
        'and the time to the next rotation. Tables that should exist and do not are listed as MISSING. Read-only.',
    )
    .addHelpText('after', '\nCalls ListTables (every page) and DescribeTable; in ttl mode DescribeTable and DescribeTimeToLive.\nExit codes: 0 reported (even with tables missing), 1 DynamoDB failed, 2 usage error.')
    .action(async () => {
      const settings = ctx.settings();
      const admin = ctx.openAdmin(settings);
      try {
        const report = await readStatus(admin.context, settings, ctx.now());
        ctx.print(settings, report, formatStatus);
      } finally {
        admin.close();
      }
    });
}

/** The text of `dsm status`. Pure. */
export function formatStatus(report: StatusReport): string {
  const nowMs = Date.parse(report.now);
  const where =
    report.endpoint === null
      ? `AWS, region ${report.region ?? "from the SDK's default chain"}`
      : `${report.endpoint} (region ${report.region ?? 'us-east-1'})`;
  const fields: [string, string][] = [];
  if (report.rotation === null) {
    fields.push(['Mode', `ttl: one table, ${report.tableBaseName}; DynamoDB TTL deletes items after expiresAt (epoch seconds)`]);
  } else {
    fields.push(['Mode', `rotation: one table per ${formatDuration(report.rotation.periodSeconds * 1000)} period, ${report.tableBaseName}_<yyyyMMdd_HHmmss> (UTC start)`]);
  }
  fields.push(['Endpoint', where], ['Now', formatUtc(report.now)]);
  if (report.rotation !== null) {
    fields.push(['Next rotation', `${formatUtc(report.rotation.nextRotationAt)}, ${formatRelative(Date.parse(report.rotation.nextRotationAt), nowMs)}`]);
  }
  fields.push(['Writes go to', report.writeTable ?? 'no table (none is ACTIVE)']);
  const dash = (value: number | null, show: (n: number) => string): string => (value === null ? '-' : show(value));
  const columns = [
    { header: 'ROLE', value: (t: StatusTable) => t.role },
    { header: 'TABLE', value: (t: StatusTable) => t.name },
    { header: 'STATUS', value: (t: StatusTable) => t.status },
    { header: 'ITEMS', value: (t: StatusTable) => dash(t.itemCount, (n) => formatNumber(n, 0)), right: true },
    { header: 'SIZE', value: (t: StatusTable) => dash(t.sizeBytes, formatBytes), right: true },
    report.rotation === null
      ? { header: 'TTL', value: (t: StatusTable) => t.ttl ?? '-' }
      : { header: 'PERIOD START (UTC)', value: (t: StatusTable) => (t.periodStart === null ? '-' : formatUtc(t.periodStart)) },
  ];
  const parts = [formatFields(fields), '', formatTable(report.tables, columns)];
  if (report.problems.length > 0) parts.push('', 'Needs attention:', ...report.problems.map((p) => `  - ${p}`));
  parts.push('', "Item counts and sizes are DynamoDB's estimates, refreshed about every six hours.");
  return parts.join('\n');
}
