import { isSessionManagerError } from '../errors.js';
import { ENCRYPTION_KEYS_ENV } from './settings.js';

/** Exit codes: 0 success, 1 a failed operation, 2 a usage error. */
export const EXIT_CODE = Object.freeze({ ok: 0, failed: 1, usage: 2 } as const);

/** What the reporter knows about the invocation that failed. */
export interface ErrorContext {
  /** `dsm status`, for "Run `dsm status --help`". */
  readonly command: string;
  /** The endpoint in use, when the settings were resolved. */
  readonly endpoint?: string | undefined;
  readonly tableBaseName?: string | undefined;
  readonly expiry?: string | undefined;
  readonly verbose: boolean;
}

/** The lines to print on stderr for a failure, and the exit code. */
export interface ErrorReport {
  readonly exitCode: 1 | 2;
  /** `code: message`, then a `hint:` line when one helps, then the stack under `--verbose`. */
  readonly lines: readonly string[];
}

/**
 * Describes a failure for stderr: one line `code: message`, a hint line when one helps, and
 * the stack (with causes) only under `--verbose`. Pure.
 *
 * `cli.usage` and `config.*` are usage errors (exit 2); everything else is a failed operation
 * (exit 1). Errors that are not the package's own are reported as `cli.failed`.
 */
export function describeError(error: unknown, context: ErrorContext): ErrorReport {
  const own = isSessionManagerError(error);
  const code = own ? error.code : 'cli.failed';
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const usage = code === 'cli.usage' || code.startsWith('config.');
  let first = `${code}: ${message}`;
  if ((code === 'backend.unavailable' || code === 'backend.timeout') && context.endpoint !== undefined) {
    first += ` (endpoint ${context.endpoint})`;
  }
  const hint = hintFor(error, code, context);
  const lines = [first, ...(hint === undefined ? [] : [`hint: ${hint}`])];
  if (context.verbose) lines.push(...stackLines(error));
  return { exitCode: usage ? EXIT_CODE.usage : EXIT_CODE.failed, lines };
}

function hintFor(error: unknown, code: string, context: ErrorContext): string | undefined {
  const details = isSessionManagerError(error) ? error.details : {};
  if (typeof details.hint === 'string') return details.hint;
  if (code === 'cli.usage' || code.startsWith('config.')) return `Run \`${context.command} --help\` for the options.`;
  if (code === 'backend.tableMissing' && context.tableBaseName !== undefined) {
    return `Looked for the ${context.expiry ?? 'rotation'} tables of base name ${context.tableBaseName} (--table-base-name, --expiry); \`dsm status\` shows which exist.`;
  }
  if (code === 'backend.failed') {
    const text = `${(error as Error).message} ${String(details.awsError)}`;
    if (/region is missing/i.test(text)) return 'Give a region with --region or DSM_REGION (or AWS_REGION), or an endpoint with --endpoint.';
    if (/credential/i.test(text)) return 'Configure AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...), or give --endpoint for a local server.';
  }
  if (code === 'encryption.undecryptable') {
    return `Give the application's keys as JSON in ${ENCRYPTION_KEYS_ENV}; \`dsm keys\` shows which key protects how many sessions.`;
  }
  if (code === 'local.startFailed' && /answer/.test((error as Error).message)) {
    return 'Is the port free? --port 0 picks a free one; --verbose shows the server\'s output.';
  }
  if (!isSessionManagerError(error) && !context.verbose) return 'Run again with --verbose for the stack trace.';
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function stackLines(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const text = current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current);
    lines.push(...(depth === 0 ? [] : ['caused by:']), ...text.split('\n'));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines;
}
