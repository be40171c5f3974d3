#!/usr/bin/env node
// Benchmark (prints figures; not a test): wall time of a rebalance through the seeded fault proxy
// (../shared/tools/fault-proxy.mjs at its default probabilities: lost order answers, 503, 429, resets,
// slow answers) against a clean run, on the real CLI, the local emulator and a fresh PGlite ledger per
// run (issue 14 item 5: "the median faulted run (fault proxy at default probabilities) ≤ 15 s").
//
//   npm run bench:faults [-- --seeds 20 --seed-base 1 --clean 3 --concurrency 1 --json]
//
// Each faulted run is one `momentum-rebalancer rebalance --exchange testnet` process through the proxy
// (seed 1..N), timed from spawn to exit; a run that does not exit 0 is re-run without faults (at most
// twice, not timed), and the invariants of the fault suite are checked (test/fault/harness.ts), so the
// figures come with `N runs, N converged, N duplicate orders, N churned baskets`. Clean runs: the same
// command straight to the emulator. Each run is cold (fresh ledger: every symbol's klines are fetched).
// --concurrency > 1 runs several cases at once (shorter bench, but the runs compete for the cores).
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    'seed-base': { type: 'string', default: '1' },
    clean: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1' },
    json: { type: 'boolean' },
  },
});
for (const k of ['seeds', 'seed-base', 'clean', 'concurrency']) {
  if (!/^\d+$/.test(values[k])) {
    console.error(`--${k} must be a non-negative integer, got ${JSON.stringify(values[k])}`);
    process.exit(2);
  }
}
// The harness is TypeScript (shared with the test suite): load it through tsx, as bin/ does without dist/.
(await import('tsx/esm/api')).register();
const H = await import(new URL('test/fault/harness.ts', `file://${root}/`).href);
const { loadDataset } = await import(new URL('src/adapters/data/bundled-dataset.ts', `file://${root}/`).href);
const { BUNDLED_DATA_DIR } = await import(new URL('src/compose/settings.ts', `file://${root}/`).href);
if (!H.haveFaultProxy) {
  console.error(`bench:faults: ${H.FAULT_PROXY_PATH} not found (set FAULT_PROXY_PATH)`);
  process.exit(66);
}
delete process.env.DATABASE_URL; // PGlite ledgers: the figure is the run, not a shared server

// Ctrl-C / SIGTERM: exit through 'exit', where the harness kills the CLI runs and proxies it started.
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const median =
    s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return {
    n: s.length,
    median_ms: Math.round(median),
    min_ms: Math.round(s[0] ?? NaN),
    max_ms: Math.round(s.at(-1) ?? NaN),
  };
};

const loadBefore = load();
const h = H.prepareHarness(await loadDataset(BUNDLED_DATA_DIR));
const t0 = performance.now();
try {
  const baseline = await H.runBaseline(h);
  const clean = [baseline.ms];
  for (let i = 1; i < Number(values.clean); i++) {
    const o = await H.runCase(
      h,
      { name: `clean-${i}`, family: 'crash', ledger: 'pglite', crash: () => null },
      baseline,
    );
    if (!o.finishedOk) throw new Error(`clean run ${i} exited ${o.runs[0]?.code}`);
    clean.push(o.runs[0].ms);
  }
  const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => Number(values['seed-base']) + i);
  const outcomes = [];
  let next = 0;
  const worker = async () => {
    while (next < seeds.length) {
      const seed = seeds[next++];
      let o;
      try {
        o = await H.runCase(h, { name: `seed-${seed}`, family: 'fault', ledger: 'pglite', seed }, baseline);
      } catch (err) {
        console.log(`seed ${seed}: the harness failed: ${err.message}`);
        outcomes.push({
          seed,
          ms: Number.NaN,
          exit: null,
          error: err.message,
          converged: false,
          duplicates: 0,
        });
        continue;
      }
      const r = o.runs[0];
      const v = o.verdict;
      const line = `seed ${seed}: ${Math.round(r.ms)} ms, exit ${r.code ?? r.signal}${o.runs.length > 1 ? `, ${o.runs.length - 1} re-run(s) → exit ${o.runs.at(-1).code}` : ''}; faults ${JSON.stringify(o.faults)}; ${o.finishedOk && v.converged ? 'converged' : 'NOT converged'}${v.duplicateCount ? `, ${v.duplicateCount} duplicate(s)` : ''}${v.churned ? `, CHURNED (${v.executedNonDust} vs ${baseline.executedNonDust} orders)` : ''}`;
      if (!values.json) console.log(line);
      outcomes.push({
        seed,
        ms: r.ms,
        exit: r.code,
        reruns: o.runs.length - 1,
        faults: o.faults,
        converged: o.finishedOk && v.converged,
        duplicates: v.duplicateCount,
        churned: v.churned,
        executed: v.executed,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(values.concurrency)) }, worker));
  outcomes.sort((a, b) => a.seed - b.seed);
  const faulted = stats(outcomes.filter((o) => !Number.isNaN(o.ms)).map((o) => o.ms));
  const figures = {
    faulted_first_run: faulted,
    faulted_exit0: outcomes.filter((o) => o.exit === 0).length,
    clean_run: stats(clean),
    target_median_ms: 15000,
    summary: `${outcomes.length} runs, ${outcomes.filter((o) => o.converged).length} converged, ${outcomes.reduce((s, o) => s + o.duplicates, 0)} duplicate orders, ${outcomes.filter((o) => o.churned).length} churned baskets`,
    concurrency: Number(values.concurrency),
    cpus: os.cpus().length,
    load_before: loadBefore,
    load_after: load(),
    bench_s: Math.round((performance.now() - t0) / 1000),
    seeds: outcomes,
  };
  if (values.json) console.log(JSON.stringify(figures));
  else {
    console.log(
      [
        `faulted run (fault proxy defaults, ${faulted.n} seeds, first run only): median ${faulted.median_ms} ms, max ${faulted.max_ms} ms, min ${faulted.min_ms} ms (target: median <= 15000 ms) — ${figures.faulted_exit0}/${faulted.n} exited 0`,
        `clean run (${clean.length}): median ${figures.clean_run.median_ms} ms, max ${figures.clean_run.max_ms} ms`,
        figures.summary,
        `concurrency ${figures.concurrency}, ${figures.cpus} cpus; uptime load before ${figures.load_before}, after ${figures.load_after}; bench ${figures.bench_s} s`,
      ].join('\n'),
    );
  }
} finally {
  h.close();
}
