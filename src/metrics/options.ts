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
  /**
   * A second sink that receives every call too, beside statsd or `sink`: the store passes its
   * OpenTelemetry bridge here. Never closed by the package.
   * @default undefined
   */
  mirror?: MetricsSink;
}

/** {@link MetricsOptions} validated, with defaults applied. */
export interface ResolvedMetricsOptions {
  readonly sink: MetricsSink | undefined;
  /** Present when statsd is on. */
  readonly statsd: { readonly host: string; readonly port: number; readonly prefix: string } | undefined;
  readonly now: Clock;
  readonly logger: MetricsLogger | undefined;
  readonly mirror: MetricsSink | undefined;
}

const OPTION_NAMES = ['sink', 'statsdHost', 'statsdPort', 'statsdPrefix', 'now', 'logger', 'mirror'] as const;
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

/** Renders a received value for an error message, short and without secrets, as `config/validate.ts` does. */
function show(value: unknown): string {
  if (typeof value === 'string') return value.length > 60 ? `"${value.slice(0, 57)}..."` : JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * `config.invalidOption` for `option`, worded as `config/validate.ts`'s `invalidOption` words it
 * ("Option `x` must be <rule>; got <value>."). Not imported from there: `config/` imports this
 * module, and a type-only import back would make a folder cycle.
 */
function invalid(option: string, rule: string, value: unknown): SessionManagerError {
  return new SessionManagerError('config.invalidOption', `Option \`${option}\` must be ${rule}; got ${show(value)}.`, {
    details: { option },
  });
}

function needsHost(option: 'statsdPort' | 'statsdPrefix'): SessionManagerError {
  return new SessionManagerError('config.conflictingOptions', `Option \`${option}\` needs \`statsdHost\`, which turns statsd on.`, {
    details: { options: ['statsdHost', option] },
  });
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

/** The statsd options as the store's options and {@link MetricsOptions} carry them, not yet checked. */
export interface StatsdOptionsInput {
  readonly statsdHost?: unknown;
  readonly statsdPort?: unknown;
  readonly statsdPrefix?: unknown;
}

/** Where statsd lines go: checked, with the port defaulted. */
export interface ResolvedStatsdOptions {
  readonly host: string;
  readonly port: number;
  /**
   * Prefix without its trailing dot; `''` for none. `undefined` when not given: the default
   * ({@link defaultStatsdPrefixFor}) reads the host name, so it is applied when the client is
   * built, and resolving options never reads the environment.
   */
  readonly prefix: string | undefined;
}

/**
 * Validates the statsd options and applies the port default: the one place their rules live.
 * The store's `resolveOptions` and {@link resolveMetricsOptions} both call it. Pure: it reads
 * nothing but `input`, and returns a new frozen object.
 *
 * - `statsdHost`: a host name or IP address, non-empty, without spaces. Setting it turns statsd on.
 * - `statsdPort`: a whole number from 1 to 65535; default {@link DEFAULT_STATSD_PORT}. Needs `statsdHost`.
 * - `statsdPrefix`: `''` for no prefix, or dot-separated segments of letters, digits, `_` and `-`,
 *   without a trailing dot (the dot before each name is added: `app` sends `app.session.load`).
 *   Needs `statsdHost`.
 *
 * @param input - an object with `statsdHost`, `statsdPort` and `statsdPrefix`; other keys are not read.
 * @returns `undefined` when `statsdHost` is not given (statsd off); otherwise host, port and prefix.
 * @throws {SessionManagerError} `config.invalidOption` naming the option for a bad value;
 *   `config.conflictingOptions` for a port or prefix without a host.
 * @example
 * ```ts
 * resolveStatsdOptions({ statsdHost: '127.0.0.1', statsdPrefix: '' }); // { host: '127.0.0.1', port: 8125, prefix: '' }
 * resolveStatsdOptions({}); // undefined
 * ```
 */
export function resolveStatsdOptions(input: StatsdOptionsInput): ResolvedStatsdOptions | undefined {
  const { statsdHost, statsdPort, statsdPrefix } = input;
  if (statsdHost !== undefined && (typeof statsdHost !== 'string' || statsdHost.trim() === '' || /\s/.test(statsdHost))) {
    throw invalid('statsdHost', 'a host name or IP address without spaces', statsdHost);
  }
  if (statsdPort !== undefined && !(typeof statsdPort === 'number' && Number.isInteger(statsdPort) && statsdPort >= 1 && statsdPort <= 65_535)) {
    throw invalid('statsdPort', 'a whole number ≥ 1 and ≤ 65535', statsdPort);
  }
  if (statsdPrefix !== undefined && !(typeof statsdPrefix === 'string' && (statsdPrefix === '' || PREFIX_PATTERN.test(statsdPrefix)))) {
    throw invalid(
      'statsdPrefix',
      "'' (no prefix) or dot-separated segments of letters, digits, '_' and '-', without a trailing dot",
      statsdPrefix,
    );
  }
  if (statsdHost === undefined) {
    if (statsdPort !== undefined) throw needsHost('statsdPort');
    if (statsdPrefix !== undefined) throw needsHost('statsdPrefix');
    return undefined;
  }
  return Object.freeze({ host: statsdHost, port: statsdPort ?? DEFAULT_STATSD_PORT, prefix: statsdPrefix });
}

/**
 * Validates metrics options and applies their defaults. Pure but for the default statsd prefix,
 * which reads the host name: it reads `input` and returns a new frozen object.
 *
 * @param input - the caller's options.
 * @returns the resolved options.
 * @throws {SessionManagerError} `config.unknownOption` for a key it does not know,
 *   `config.invalidOption` for a bad value, `config.conflictingOptions` when both `sink` and
 *   `statsdHost` are given, or a statsd port or prefix without a host (see {@link resolveStatsdOptions}).
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
  const { sink, now, logger, mirror } = input;

  if (sink !== undefined && !hasMethods(sink, ['increment', 'timing', 'gauge'])) {
    throw invalid('sink', 'an object with increment, timing and gauge methods (a hot-shots StatsD fits)', sink);
  }
  const statsd = resolveStatsdOptions(input);
  if (now !== undefined && typeof now !== 'function') throw invalid('now', 'a function returning epoch milliseconds', now);
  if (logger !== undefined && !hasMethods(logger, ['warn'])) throw invalid('logger', 'an object with a warn method', logger);
  if (mirror !== undefined && !hasMethods(mirror, ['increment', 'timing', 'gauge'])) {
    throw invalid('mirror', 'an object with increment, timing and gauge methods', mirror);
  }

  if (sink !== undefined && statsd !== undefined) {
    throw new SessionManagerError(
      'config.conflictingOptions',
      'Options `sink` and `statsdHost` exclude each other: give `statsdHost` to let the package build a statsd client, or `sink` to use your own.',
      { details: { options: ['sink', 'statsdHost'] } },
    );
  }

  return Object.freeze({
    sink,
    statsd: statsd && Object.freeze({ host: statsd.host, port: statsd.port, prefix: statsd.prefix ?? defaultStatsdPrefixFor() }),
    now: now ?? systemClock,
    logger,
    mirror,
  });
}
