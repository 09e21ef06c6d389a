import { hostname as osHostname } from 'node:os';
import { systemClock, type Clock } from '../clock.js';
import { SessionManagerError } from '../errors.js';
import type { MetricsSink } from './sink.js';

/** The statsd port used when `statsdPort` is not given. */
export const DEFAULT_STATSD_PORT = 8125;

/** Root of the default statsd prefix, followed by the host name. */
export const DEFAULT_STATSD_PREFIX_ROOT = 'dynamo';

/** The most a metrics failure is logged: once per this many milliseconds. */
export const SINK_ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * The logger the metrics module writes to: only `warn` is used. A pino or bunyan logger fits,
 * and so does `console`.
 */
export interface MetricsLogger {
  warn(context: Record<string, unknown>, message?: string): void;
}

/** Options of {@link Metrics}. Every field is optional: by default only the in-process registry records. */
export interface MetricsOptions {
  /**
   * Your own sink, such as a configured hot-shots `StatsD`. It is used as given and never closed
   * by the package. Excludes `statsdHost`.
   * @default undefined (no sink, or the statsd client built from `statsdHost`)
   */
  sink?: MetricsSink;
  /**
   * Host name or IP address of a statsd server (UDP). Setting it turns statsd on.
   * @default undefined (statsd off)
   */
  statsdHost?: string;
  /** UDP port of the statsd server, a whole number from 1 to 65535. @default 8125 */
  statsdPort?: number;
  /**
   * Prefix of every metric name, without the trailing dot; `''` for none. Letters, digits, `_`
   * and `-` in dot-separated segments.
   * @default `dynamo.<host name>`, dots in the host name replaced by `_` (see {@link defaultStatsdPrefixFor})
   */
  statsdPrefix?: string;
  /** Clock in epoch milliseconds, for snapshot times, timers and log rate limiting. @default Date.now */
  now?: Clock;
  /** Where sink failures are reported, at `warn`, at most once per 10 s. @default undefined (silent) */
  logger?: MetricsLogger;
}

/** {@link MetricsOptions} validated, with defaults applied. */
export interface ResolvedMetricsOptions {
  readonly sink: MetricsSink | undefined;
  /** Present when statsd is on. */
  readonly statsd: { readonly host: string; readonly port: number; readonly prefix: string } | undefined;
  readonly now: Clock;
  readonly logger: MetricsLogger | undefined;
}

const OPTION_NAMES = ['sink', 'statsdHost', 'statsdPort', 'statsdPrefix', 'now', 'logger'] as const;
const PREFIX_PATTERN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const UNSAFE_HOST_CHARS = /[^A-Za-z0-9_-]/g;

/**
 * The default statsd prefix: `dynamo.<host name>`, as the Tomcat session manager this package
 * descends from used. Characters other than letters, digits, `_` and `-` in the host name
 * (notably its dots, which statsd would read as levels) become `_`.
 *
 * @param hostname - the machine's host name.
 * @returns the prefix, without a trailing dot.
 * @example
 * ```ts
 * defaultStatsdPrefixFor('web-1.eu-west-1.compute.internal'); // 'dynamo.web-1_eu-west-1_compute_internal'
 * ```
 */
export function defaultStatsdPrefixFor(hostname: string = osHostname()): string {
  const safe = hostname.trim().replace(UNSAFE_HOST_CHARS, '_');
  return safe === '' ? DEFAULT_STATSD_PREFIX_ROOT : `${DEFAULT_STATSD_PREFIX_ROOT}.${safe}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function invalid(option: string, rule: string, value: unknown): SessionManagerError {
  return new SessionManagerError('config.invalidOption', `Option \`${option}\` must be ${rule}; got ${show(value)}.`, {
    details: { option },
  });
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

/**
 * Validates metrics options and applies their defaults. Pure: it reads `input` and returns a
 * new frozen object.
 *
 * @param input - the caller's options.
 * @returns the resolved options.
 * @throws {SessionManagerError} `config.unknownOption` for a key it does not know,
 *   `config.invalidOption` for a bad value, `config.conflictingOptions` when both `sink` and
 *   `statsdHost` are given.
 * @example
 * ```ts
 * resolveMetricsOptions({ statsdHost: '127.0.0.1' }).statsd; // { host: '127.0.0.1', port: 8125, prefix: 'dynamo.<host>' }
 * ```
 */
export function resolveMetricsOptions(input: MetricsOptions = {}): ResolvedMetricsOptions {
  if (typeof input !== 'object' || input === null) throw invalid('metrics', 'an object', input);
  for (const key of Object.keys(input)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new SessionManagerError(
        'config.unknownOption',
        `Unknown metrics option \`${key}\`; known options are ${OPTION_NAMES.map((name) => `\`${name}\``).join(', ')}.`,
        { details: { option: key } },
      );
    }
  }
  const { sink, statsdHost, statsdPort, statsdPrefix, now, logger } = input;

  if (sink !== undefined && !hasMethods(sink, ['increment', 'timing', 'gauge'])) {
    throw invalid('sink', 'an object with increment, timing and gauge methods (a hot-shots StatsD fits)', sink);
  }
  if (statsdHost !== undefined && (typeof statsdHost !== 'string' || statsdHost.trim() === '' || /\s/.test(statsdHost))) {
    throw invalid('statsdHost', 'a host name or IP address without spaces', statsdHost);
  }
  if (statsdPort !== undefined && (!Number.isInteger(statsdPort) || statsdPort < 1 || statsdPort > 65_535)) {
    throw invalid('statsdPort', 'a whole number from 1 to 65535', statsdPort);
  }
  if (statsdPrefix !== undefined && (typeof statsdPrefix !== 'string' || (statsdPrefix !== '' && !PREFIX_PATTERN.test(statsdPrefix)))) {
    throw invalid('statsdPrefix', "'' or dot-separated segments of letters, digits, '_' and '-'", statsdPrefix);
  }
  if (now !== undefined && typeof now !== 'function') throw invalid('now', 'a function returning epoch milliseconds', now);
  if (logger !== undefined && !hasMethods(logger, ['warn'])) throw invalid('logger', 'an object with a warn method', logger);

  if (sink !== undefined && statsdHost !== undefined) {
    throw new SessionManagerError(
      'config.conflictingOptions',
      'Options `sink` and `statsdHost` exclude each other: give `statsdHost` to let the package build a statsd client, or `sink` to use your own.',
      { details: { options: ['sink', 'statsdHost'] } },
    );
  }
  if (statsdHost === undefined && (statsdPort !== undefined || statsdPrefix !== undefined)) {
    throw new SessionManagerError(
      'config.conflictingOptions',
      `Option \`${statsdPort === undefined ? 'statsdPrefix' : 'statsdPort'}\` needs \`statsdHost\`, which turns statsd on.`,
      { details: { options: ['statsdHost', statsdPort === undefined ? 'statsdPrefix' : 'statsdPort'] } },
    );
  }

  return Object.freeze({
    sink,
    statsd:
      statsdHost === undefined
        ? undefined
        : Object.freeze({
            host: statsdHost,
            port: statsdPort ?? DEFAULT_STATSD_PORT,
            prefix: statsdPrefix ?? defaultStatsdPrefixFor(),
          }),
    now: now ?? systemClock,
    logger,
  });
}
