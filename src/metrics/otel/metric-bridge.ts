import type { Attributes } from '@opentelemetry/api';
import { METRIC_TAG, type MetricName } from '../names.js';
import type { MetricsSink } from '../sink.js';
import type { OpenTelemetryApi } from './api.js';
import type { Instruments } from './instruments.js';
import { OTEL_ATTR, OTEL_ROUTES, type OtelAttributes, type OtelRoute } from './names.js';

/** Most distinct (metric, tags) pairs whose attributes are kept; later ones are recorded without their tags. */
export const MAX_TAGGED_ATTRIBUTE_SETS = 256;

/** The attribute a statsd tag key becomes. */
const TAG_ATTRIBUTE: Readonly<Record<string, string>> = { [METRIC_TAG.op]: OTEL_ATTR.dbOperationName };

/**
 * The OpenTelemetry side of the metrics facade: a {@link MetricsSink} that receives the very
 * calls statsd receives and records each into its instrument, as {@link OTEL_ROUTES} says
 * (timers converted from milliseconds to seconds, the `op` tag as `db.operation.name`). Session
 * outcomes are also noted on the span of the store operation in progress, when one is recording.
 *
 * @internal
 */
export class OpenTelemetryMetricsSink implements MetricsSink {
  readonly #api: OpenTelemetryApi;
  #instruments: Instruments;
  readonly #tagged = new Map<string, Attributes>();

  constructor(api: OpenTelemetryApi, instruments: Instruments) {
    this.#api = api;
    this.#instruments = instruments;
  }

  /** Records into other instruments from now on (the global MeterProvider was replaced). */
  use(instruments: Instruments): void {
    this.#instruments = instruments;
  }

  increment(stat: string, value = 1, _sampleRate?: number, tags?: string[]): void {
    this.#record(stat, value, tags);
  }

  timing(stat: string, value: number, _sampleRate?: number, tags?: string[]): void {
    this.#record(stat, value / 1000, tags);
  }

  histogram(stat: string, value: number, _sampleRate?: number, tags?: string[]): void {
    this.#record(stat, value, tags);
  }

  gauge(stat: string, value: number, _sampleRate?: number, tags?: string[]): void {
    this.#record(stat, value, tags);
  }

  #record(stat: string, value: number, tags: readonly string[] | undefined): void {
    const route = OTEL_ROUTES[stat as MetricName] as OtelRoute | undefined;
    if (route?.kind !== 'record') return;
    const attributes = tags === undefined || tags.length === 0 ? route.attributes : this.#withTags(stat, route.attributes, tags);
    this.#instruments.get(route.metric)?.(value, attributes);
    if (route.spanAttributes !== undefined || route.spanEvent !== undefined) {
      const span = this.#api.trace.getActiveSpan();
      if (span?.isRecording() !== true) return;
      if (route.spanAttributes !== undefined) span.setAttributes(route.spanAttributes);
      if (route.spanEvent !== undefined) span.addEvent(route.spanEvent);
    }
  }

  #withTags(stat: string, base: OtelAttributes, tags: readonly string[]): Attributes {
    const key = `${stat}|${tags.join(',')}`;
    const known = this.#tagged.get(key);
    if (known !== undefined) return known;
    if (this.#tagged.size >= MAX_TAGGED_ATTRIBUTE_SETS) return base;
    const attributes: Record<string, string> = { ...base };
    for (const tag of tags) {
      const colon = tag.indexOf(':');
      if (colon <= 0) continue;
      const tagKey = tag.slice(0, colon);
      attributes[TAG_ATTRIBUTE[tagKey] ?? `dsm.${tagKey}`] = tag.slice(colon + 1);
    }
    this.#tagged.set(key, attributes);
    return attributes;
  }
}
