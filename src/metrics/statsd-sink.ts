import { StatsD } from 'hot-shots';
import { isIP } from 'node:net';
import type { Clock } from '../clock.js';
import { createCachedLookup } from './cached-lookup.js';
import type { MetricsSink } from './sink.js';

/**
 * Most bytes hot-shots gathers before it sends a packet: one Ethernet frame's UDP payload, so a
 * packet is never fragmented. Lines are joined with `\n`, which statsd servers accept.
 */
export const STATSD_MAX_PACKET_BYTES = 1432;
/** How often hot-shots sends what it has gathered, in milliseconds. */
export const STATSD_FLUSH_INTERVAL_MS = 1000;

/** Options of {@link createStatsdSink}. */
export interface StatsdSinkOptions {
  /** Host name or IP address of the statsd server. */
  host: string;
  /** Its UDP port. */
  port: number;
  /** Prefix of every name, without the trailing dot; `''` for none. */
  prefix: string;
  /** Receives every send failure; must not throw. */
  onError: (error: Error) => void;
  /** Clock for the DNS cache. */
  now: Clock;
}

/**
 * Builds the hot-shots statsd client behind the `statsdHost` option: plain statsd over UDP,
 * lines gathered into packets of at most {@link STATSD_MAX_PACKET_BYTES} and sent at least every
 * {@link STATSD_FLUSH_INTERVAL_MS}. Tags are sent DogStatsD style (`|#op:GetItem`). Datadog's
 * automatic extras (DD_* environment tags, container ids, client telemetry) are off, so the wire
 * format does not depend on the environment; pass your own `StatsD` as `sink` to have them.
 * Host names are resolved through {@link createCachedLookup}, never once per packet.
 *
 * Creating it opens an unbound, unref'd UDP socket and does no I/O.
 *
 * @internal
 * @param options - where to send and whom to tell about failures.
 * @returns the client, which is a {@link MetricsSink}.
 */
export function createStatsdSink(options: StatsdSinkOptions): MetricsSink {
  const family = isIP(options.host);
  return new StatsD({
    host: options.host,
    port: options.port,
    prefix: options.prefix === '' ? '' : `${options.prefix}.`,
    protocol: 'udp',
    telegraf: false,
    datadog: false,
    includeDataDogTags: false,
    includeDatadogTelemetry: false,
    cacheDns: false,
    maxBufferSize: STATSD_MAX_PACKET_BYTES,
    bufferFlushInterval: STATSD_FLUSH_INTERVAL_MS,
    errorHandler: options.onError,
    udpSocketOptions: {
      type: family === 6 ? 'udp6' : 'udp4',
      lookup: createCachedLookup({ now: options.now }),
    },
  });
}
