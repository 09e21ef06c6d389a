import { startDynalite } from '/work/main/bench/backends.ts';
import { runCell } from '/work/main/bench/cell.ts';
const b = await startDynalite('4');
try {
  for (const store of ['rotation-strong'] as const) {
    const t = Date.now();
    const r = await runCell({ backend: 'dynalite', endpoint: b.endpoint, store, workload: 'rotation', warmupSeconds: 1, measureSeconds: 10, connections: 32, sessions: 200, tableName: `smoke-${store}-${Date.now()}`, rotationSeconds: 20 });
    const c = r.collected.counts;
    console.log(store, Math.round(r.requestsPerSecond), 'p50', r.latency.p50Ms.toFixed(1), 'p99', r.latency.p99Ms.toFixed(1), 'err', r.errors, JSON.stringify(c.calls), 'rcu/req', (c.readUnits / r.requests).toFixed(3), 'wcu/req', (c.writeUnits / r.requests).toFixed(3), 'took', Date.now() - t);
    console.log(JSON.stringify(r.collected.appErrors), JSON.stringify({ ...r.rotation, timeline: undefined }));
    console.log(r.rotation?.timeline.map((x) => `${x.atMs}:${x.requests}/${Math.round(x.p99Ms)}`).join(' '));
    if (r.collected.storeCounters) console.log(JSON.stringify(Object.fromEntries(Object.entries(r.collected.storeCounters).map(([k, v]) => [k, v.total]))));
  }
} finally { await b.stop(); }
