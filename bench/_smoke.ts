import { startDynalite } from '/work/main/bench/backends.ts';
import { runCell } from '/work/main/bench/cell.ts';
const b = await startDynalite('4');
try {
  for (const store of ['connect-dynamodb', 'rotation-strong', 'rotation-eventual', 'ttl', 'memory', 'none'] as const) {
    const t = Date.now();
    const r = await runCell({ backend: 'dynalite', endpoint: b.endpoint, store, workload: 'read-mostly', warmupSeconds: 1, measureSeconds: 2, connections: 32, sessions: 200, tableName: `smoke-${store}-${Date.now()}` });
    const c = r.collected.counts;
    console.log(store, Math.round(r.requestsPerSecond), 'p50', r.latency.p50Ms.toFixed(1), 'p99', r.latency.p99Ms.toFixed(1), 'err', r.errors, JSON.stringify(c.calls), 'rcu/req', (c.readUnits / r.requests).toFixed(3), 'wcu/req', (c.writeUnits / r.requests).toFixed(3), 'cpu us/req', ((r.collected.cpuUserMicros + r.collected.cpuSystemMicros) / r.requests).toFixed(0), 'took', Date.now() - t);
    if (r.collected.storeCounters) console.log(JSON.stringify(Object.fromEntries(Object.entries(r.collected.storeCounters).map(([k, v]) => [k, v.total]))));
  }
} finally { await b.stop(); }
