import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { StatsD } from 'hot-shots';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  METRIC,
  METRIC_TAG,
  METRICS_CLOSE_TIMEOUT_MS,
  Metrics,
  defaultStatsdPrefixFor,
  formatTag,
  type MetricsLogger,
} from '../../src/metrics/index.js';

/** A statsd server for one test: a real UDP socket on 127.0.0.1 that keeps what it receives. */
interface UdpServer {
  readonly port: number;
  readonly packets: string[];
  /** Every line received so far, packets split on newlines. */
  lines(): string[];
  /** Resolves once at least `count` lines have arrived; rejects after `timeoutMs`. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

async function startUdpServer(): Promise<UdpServer> {
  const socket: Socket = createSocket('udp4');
  const packets: string[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (message) => {
    packets.push(message.toString('utf8'));
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const lines = (): string[] => packets.flatMap((packet) => packet.split('\n')).filter((line) => line !== '');
  return {
    port: socket.address().port,
    packets,
    lines,
    waitForLines(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (lines().length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(lines());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} statsd lines within ${timeoutMs} ms; got ${JSON.stringify(lines())}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A UDP port on 127.0.0.1 that nobody listens on (bound, read, released). */
async function findClosedUdpPort(): Promise<number> {
  const server = await startUdpServer();
  const { port } = server;
  await server.close();
  return port;
}

function createRecordingLogger(): MetricsLogger & { warnings: Array<Record<string, unknown>>; firstWarning: Promise<void> } {
  const warnings: Array<Record<string, unknown>> = [];
  let warned!: () => void;
  const firstWarning = new Promise<void>((resolve) => (warned = resolve));
  return {
    warnings,
    firstWarning,
    warn: (context) => {
      warnings.push(context);
      warned();
    },
  };
}

/** Calls every kind of metric `rounds` times and tells whether any I/O callback ran meanwhile. */
function hammer(metrics: Metrics, rounds: number): { elapsedMs: number; ioRanMeanwhile: boolean } {
  let ioRanMeanwhile = false;
  setImmediate(() => {
    ioRanMeanwhile = true;
  });
  const startMs = performance.now();
  for (let index = 0; index < rounds; index += 1) {
    metrics.increment(METRIC.dynamodbCalls, 1, [formatTag(METRIC_TAG.op, 'GetItem')]);
    metrics.timing(METRIC.sessionLoad, index % 50);
    metrics.histogram(METRIC.sessionSize, 1000 + index);
    metrics.gauge(METRIC.tablesCount, 2);
  }
  return { elapsedMs: performance.now() - startMs, ioRanMeanwhile };
}

describe('statsd over UDP', () => {
  let server: UdpServer;
  let metrics: Metrics | undefined;

  beforeEach(async () => {
    server = await startUdpServer();
  });

  afterEach(async () => {
    await metrics?.close();
    metrics = undefined;
    await server.close();
  });

  it('sends each metric as one exact statsd line under the prefix', async () => {
    metrics = new Metrics({ statsdHost: '127.0.0.1', statsdPort: server.port, statsdPrefix: 'myprefix' });
    metrics.timing(METRIC.sessionLoad, 12);
    metrics.increment(METRIC.sessionSavePut);
    metrics.increment(METRIC.capacityRead, 0.5);
    metrics.histogram(METRIC.sessionSize, 1234);
    metrics.increment(METRIC.dynamodbCalls, 1, [formatTag(METRIC_TAG.op, 'GetItem')]);
    metrics.timing(METRIC.dynamodbLatency, 7.25, [formatTag(METRIC_TAG.op, 'PutItem')]);
    metrics.gauge(METRIC.tablesCount, 3);
    await metrics.close();

    expect(await server.waitForLines(7)).toEqual([
      'myprefix.session.load:12|ms',
      'myprefix.session.save.put:1|c',
      'myprefix.capacity.read:0.5|c',
      'myprefix.session.size:1234|h',
      'myprefix.dynamodb.calls:1|c|#op:GetItem',
      'myprefix.dynamodb.latency:7.25|ms|#op:PutItem',
      'myprefix.tables.count:3|g',
    ]);
  });

  it('sends what it gathered within about a second, without waiting for close', async () => {
    metrics = new Metrics({ statsdHost: '127.0.0.1', statsdPort: server.port, statsdPrefix: 'flush' });
    metrics.increment(METRIC.requestCount);
    expect(await server.waitForLines(1, 3000)).toEqual(['flush.request.count:1|c']);
  });

  it('prefixes with dynamo.<host name> by default', async () => {
    metrics = new Metrics({ statsdHost: '127.0.0.1', statsdPort: server.port });
    metrics.increment(METRIC.sessionDestroy);
    await metrics.close();
    expect(await server.waitForLines(1)).toEqual([`${defaultStatsdPrefixFor()}.session.destroy:1|c`]);
  });

  it('sends without a prefix when statsdPrefix is empty', async () => {
    metrics = new Metrics({ statsdHost: '127.0.0.1', statsdPort: server.port, statsdPrefix: '' });
    metrics.increment(METRIC.sessionDegraded);
    await metrics.close();
    expect(await server.waitForLines(1)).toEqual(['session.degraded:1|c']);
  });

  it('resolves a host name (localhost) and sends to it', async () => {
    metrics = new Metrics({ statsdHost: 'localhost', statsdPort: server.port, statsdPrefix: 'named' });
    metrics.increment(METRIC.tableRotation);
    metrics.increment(METRIC.tableRotation);
    await metrics.close();
    expect(await server.waitForLines(2)).toEqual(['named.table.rotation:1|c', 'named.table.rotation:1|c']);
  });

  it('packs many lines into packets of at most 1432 bytes and loses none', async () => {
    metrics = new Metrics({ statsdHost: '127.0.0.1', statsdPort: server.port, statsdPrefix: 'bulk' });
    for (let index = 0; index < 300; index += 1) metrics.timing(METRIC.requestDuration, index);
    await metrics.close();
    const lines = await server.waitForLines(300);
    expect(lines).toEqual(Array.from({ length: 300 }, (_, index) => `bulk.request.duration:${index}|ms`));
    expect(server.packets.length).toBeGreaterThan(1);
    expect(Math.max(...server.packets.map((packet) => Buffer.byteLength(packet)))).toBeLessThanOrEqual(1432);
  });

  it('accepts a hot-shots client passed as sink, without glue', async () => {
    const statsd = new StatsD({ host: '127.0.0.1', port: server.port, prefix: 'own.' });
    metrics = new Metrics({ sink: statsd });
    metrics.histogram(METRIC.sessionSize, 10);
    metrics.increment(METRIC.capacityWrite, 1.5, [formatTag(METRIC_TAG.op, 'PutItem')]);
    expect(await server.waitForLines(2)).toEqual(['own.session.size:10|h', 'own.capacity.write:1.5|c|#op:PutItem']);
    await metrics.close();
    await new Promise<void>((resolve) => statsd.close(() => resolve()));
  });
});

describe('statsd that cannot be reached', () => {
  let metrics: Metrics | undefined;

  afterEach(async () => {
    await metrics?.close();
    metrics = undefined;
  });

  it('never throws nor delays the caller when nobody listens on the port', async () => {
    const subject = new Metrics({ statsdHost: '127.0.0.1', statsdPort: await findClosedUdpPort() });
    metrics = subject;
    const { elapsedMs, ioRanMeanwhile } = hammer(subject, 1000);
    expect(ioRanMeanwhile).toBe(false);
    expect(elapsedMs).toBeLessThan(500);
    expect(subject.snapshot().counters['dynamodb.calls'].byTag['op:GetItem']).toBe(1000);
    const closeStartMs = performance.now();
    await subject.close();
    expect(performance.now() - closeStartMs).toBeLessThan(METRICS_CLOSE_TIMEOUT_MS + 500);
  });

  it('never throws nor delays the caller when the host does not resolve, and logs once', async () => {
    const logger = createRecordingLogger();
    const subject = new Metrics({ statsdHost: 'statsd.invalid', statsdPort: 8125, logger });
    metrics = subject;
    const { elapsedMs, ioRanMeanwhile } = hammer(subject, 1000);
    expect(ioRanMeanwhile).toBe(false);
    expect(elapsedMs).toBeLessThan(500);

    await logger.firstWarning; // the failed lookup is reported (the test's timeout bounds the wait)
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatchObject({ statsd: 'statsd.invalid:8125' });
    expect(subject.snapshot().meta.sinkErrors).toBeGreaterThanOrEqual(1);
    expect(subject.snapshot().timers['session.load'].count).toBe(1000);

    // A second burst is as cheap: the failure is remembered, not looked up per packet.
    const second = hammer(subject, 1000);
    expect(second.ioRanMeanwhile).toBe(false);
    expect(second.elapsedMs).toBeLessThan(500);
    await subject.close();
    expect(logger.warnings).toHaveLength(1);
  });
});
