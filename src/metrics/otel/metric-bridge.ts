import type { Attributes } from '@opentelemetry/api';
import { METRIC_TAG, type MetricName } from '../names.js';
import type { MetricsSink } from '../sink.js';
import type { OpenTelemetryApi } from './api.js';
import type { Instruments, RecordValue } from './instruments.js';
import { OTEL_ATTR, OTEL_ROUTES, type OtelAttributes, type OtelRoute } from './names.js';

/** Most distinct (metric, tags) pairs whose attributes are kept; later ones are recorded without their tags. */
export const MAX_TAGGED_ATTRIBUTE_SETS = 256;

/** The attribute a statsd tag key becomes. */
const TAG_ATTRIBUTE: Readonly<Record<string, string>> = { [METRIC_TAG.op]: OTEL_ATTR.dbOperationName };

/** One statsd name, resolved: the instrument it records into and what it notes on the span. */
interface Recorder {
  readonly record: RecordValue;
  readonly attributes: OtelAttributes;
  readonly spanAttributes: OtelAttributes | undefined;
  readonly spanEvent: string | undefined;
}

/** Resolves every recorded route of {@link OTEL_ROUTES} onto `instruments`, by statsd name. */
function recordersFor(instruments: Instruments): Map<string, Recorder> {
  const out = new Map<string, Recorder>();
  for (const [name, route] of Object.entries(OTEL_ROUTES) as [MetricName, OtelRoute][]) {
    const record = route.kind === 'record' ? instruments.get(route.metric) : undefined;
    if (route.kind !== 'record' || record === undefined) continue;
    out.set(name, { record, attributes: route.attributes, spanAttributes: route.spanAttributes, spanEvent: route.spanEvent });
  }
  return out;
}

/**
 * The OpenTelemetry side of the metrics facade: a {@link MetricsSink} that receives the very
 * calls statsd receives and records each into its instrument, as {@link OTEL_ROUTES} says
 * (timers converted from milliseconds to seconds, the `op` tag as `db.operation.name`). Session
 * outcomes are also noted on the span of the store operation in progress, when one is recording.
 * With the API's no-op meter (no SDK registered) it records nothing and returns at once.
 *
 * @internal
 */
export class OpenTelemetryMetricsSink implements MetricsSink {
  readonly #api: OpenTelemetryApi;
  readonly #tracing: () => boolean;
  #recorders: Map<string, Recorder> | undefined;
  readonly #tagged = new Map<string, Attributes>();

  /**
   * @param api - the OpenTelemetry API.
   * @param instruments - where to record; undefined for the API's no-op meter.
   * @param tracing - whether spans can be recording (else active spans are not looked for).
   */
  constructor(api: OpenTelemetryApi, instruments: Instruments | undefined, tracing: () => boolean) {
    this.#api = api;
    this.#tracing = tracing;
    this.use(instruments);
  }

  /** Records into other instruments from now on (the global MeterProvider was replaced). */
  use(instruments: Instruments | undefined): void {
    this.#recorders = instruments === undefined ? undefined : recordersFor(instruments);
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
    const recorder = this.#recorders?.get(stat);
    if (recorder === undefined) return;
    recorder.record(value, tags === undefined || tags.length === 0 ? recorder.attributes : this.#withTags(stat, recorder.attributes, tags));
    if ((recorder.spanAttributes !== undefined || recorder.spanEvent !== undefined) && this.#tracing()) {
      const span = this.#api.trace.getActiveSpan();
      if (span?.isRecording() !== true) return;
      if (recorder.spanAttributes !== undefined) span.setAttributes(recorder.spanAttributes);
      if (recorder.spanEvent !== undefined) span.addEvent(recorder.spanEvent);
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
