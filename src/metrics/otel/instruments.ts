import type { Attributes, Meter } from '@opentelemetry/api';
import { SESSION_SIZE_BUCKETS_BYTES } from '../names.js';
import { DURATION_BUCKETS_SECONDS, OTEL_METRIC, type OtelMetricName } from './names.js';

/** Records one value into one instrument: `add` for a counter, `record` for a histogram or gauge. */
export type RecordValue = (value: number, attributes: Attributes) => void;

/** Every instrument of {@link OTEL_METRIC}, created on one meter. */
export type Instruments = ReadonlyMap<OtelMetricName, RecordValue>;

/** Bucket bounds advised for a histogram: seconds for durations, bytes for the session size. */
function bucketsFor(name: OtelMetricName): readonly number[] {
  return name === 'dsm.session.size' ? SESSION_SIZE_BUCKETS_BYTES : DURATION_BUCKETS_SECONDS;
}

/**
 * Creates every instrument of {@link OTEL_METRIC} on `meter`, histograms with the bucket bounds
 * of {@link bucketsFor} as advice (an SDK view may still override them).
 *
 * @internal
 * @param meter - the package's meter.
 * @returns one recording function per instrument name.
 */
export function createInstruments(meter: Meter): Instruments {
  const out = new Map<OtelMetricName, RecordValue>();
  for (const [name, info] of Object.entries(OTEL_METRIC) as [OtelMetricName, (typeof OTEL_METRIC)[OtelMetricName]][]) {
    const options = { unit: info.unit, description: info.description };
    if (info.kind === 'counter') {
      const counter = meter.createCounter(name, options);
      out.set(name, (value, attributes) => counter.add(value, attributes));
    } else if (info.kind === 'histogram') {
      const histogram = meter.createHistogram(name, { ...options, advice: { explicitBucketBoundaries: [...bucketsFor(name)] } });
      out.set(name, (value, attributes) => histogram.record(value, attributes));
    } else {
      const gauge = meter.createGauge(name, options);
      out.set(name, (value, attributes) => gauge.record(value, attributes));
    }
  }
  return out;
}
