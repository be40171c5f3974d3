#!/usr/bin/env node
// Benchmark (prints figures; not a test): wall time of a rebalance through the seeded fault proxy
// (../shared/tools/fault-proxy.mjs at its default probabilities: lost order answers, 503, 429, resets,
// slow answers) against a clean run, on the real CLI, the local emulator and a fresh PGlite ledger per
// run (issue 14 item 5: "the median faulted run (fault proxy at default probabilities) ≤ 15 s").
//
//   npm run bench:faults [-- --seeds 20 --seed-base 1 --clean 3 --concurrency 1 --json --logs DIR
//                            --env REBALANCER_EXCHANGE_RECV_WINDOW_MS=2000 … --cold-emulator]
//
// Each faulted run is one `momentum-rebalancer rebalance --exchange testnet` process through the proxy
// (seed 1..N), timed from spawn to exit; a run that does not exit 0 is re-run without faults (at most
// twice, not timed), and the invariants of the fault suite are checked (test/fault/harness.ts), so the
// figures come with `N runs, N converged, N duplicate orders, N churned baskets`. Clean runs: the same
// command straight to the emulator. Each run is cold (fresh ledger: every symbol's klines are fetched).
// --concurrency > 1 runs several cases at once (shorter bench, but the runs compete for the cores).
// Where a faulted run's time goes (per seed, then the medians): the run's phases (`timings_ms` of its JSON
// report: load = exchangeInfo + klines + tickers, execute = the order phases), the process start before
// its first request, the waits it logged by kind (429 Retry-After, "not found" final only after
// timestamp + recvWindow, read retries), the slow answers (≥ 3.5 s on the wire, the proxy's 4 s) and the
// time with no request in flight (waits of every kind), from the requests as the case's front proxy
// timed them. --logs DIR keeps each faulted run's stderr (JSON logs), stdout and wire timings there.
// --env KEY=VALUE (repeatable) sets a config variable of every CLI run, clean and faulted (what it costs).
// Each case's emulator answers one ticker/price before the CLI starts (its price index costs 2–10 s of
// CPU on the first call, in this process, where the front proxy runs too: a test-bed cost Binance does
// not have); --cold-emulator leaves that cost in the runs' times (as the figures before 2026-12-03 did).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
    logs: { type: 'string' },
    env: { type: 'string', multiple: true },
    'cold-emulator': { type: 'boolean' },
  },
});
const cliEnv = {};
for (const kv of values.env ?? []) {
  const m = /^(REBALANCER_[A-Z0-9_]+)=(.*)$/s.exec(kv);
  if (!m) {
    console.error(`--env must be REBALANCER_<SECTION>_<KEY>=VALUE, got ${JSON.stringify(kv)}`);
    process.exit(2);
  }
  cliEnv[m[1]] = m[2];
}
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

/** The `timings_ms` of the CLI's JSON report (wherever it sits in it), or null. */
const phaseTimings = (stdout) => {
  try {
    const find = (o) => {
      if (!o || typeof o !== 'object') return null;
      if (o.timings_ms && typeof o.timings_ms === 'object') return o.timings_ms;
      for (const v of Object.values(o)) {
        const f = find(v);
        if (f) return f;
      }
      return null;
    };
    return find(JSON.parse(stdout));
  } catch {
    return null;
  }
};

/** Where the first (faulted) run's time went: see the module comment. All figures in ms. */
const breakdown = (o) => {
  const r = o.runs[0];
  const wire = o.wire
    .filter((w) => w.end !== null)
    .map((w) => ({ ...w, start: w.start - r.startedAt, end: w.end - r.startedAt }));
  const isOrderish = (w) =>
    w.path === '/api/v3/order' || w.path === '/api/v3/myTrades' || w.path === '/api/v3/order/test';
  // A phase's span: from its first request to its last answer, or to the first request of another kind
  // after its last request started, when sooner (a hedged GET's slow loser is still on the wire then).
  const span = (isOf) => {
    const ws = wire.filter(isOf);
    if (ws.length === 0) return 0;
    const from = Math.min(...ws.map((w) => w.start));
    const last = Math.max(...ws.map((w) => w.start));
    const next = wire.filter((w) => w.start > last && !isOf(w)).map((w) => w.start);
    const to = Math.min(Math.max(...ws.map((w) => w.end)), ...(next.length ? [Math.min(...next)] : []));
    return to - from;
  };
  const isKlines = (w) => w.path === '/api/v3/klines';
  // Time between the first request and the last answer with no request in flight.
  let idle = 0;
  let reach = null;
  for (const w of [...wire].sort((a, b) => a.start - b.start)) {
    if (reach !== null && w.start > reach) idle += w.start - reach;
    reach = reach === null ? w.end : Math.max(reach, w.end);
  }
  const logs = [];
  for (const line of r.stderr.split('\n')) {
    try {
      logs.push(JSON.parse(line));
    } catch {
      /* not a JSON line */
    }
  }
  const waits = (re) => {
    const xs = logs.filter((l) => typeof l.msg === 'string' && re.test(l.msg));
    return { n: xs.length, ms: Math.round(xs.reduce((s, l) => s + (Number(l.waitMs) || 0), 0)) };
  };
  const slow = wire.filter((w) => w.end - w.start >= 3500);
  const t = phaseTimings(r.stdout) ?? {};
  return {
    total: Math.round(r.ms),
    startup: Math.round(wire.length ? Math.min(...wire.map((w) => w.start)) : r.ms),
    load: t.load ?? null,
    rank: t.rank ?? null,
    execute: t.execute ?? null,
    record: t.record ?? null,
    klines_span: Math.round(span(isKlines)),
    orders_span: Math.round(span(isOrderish)),
    requests: wire.length,
    idle: Math.round(idle),
    slow: slow.length,
    dropped: wire.filter((w) => w.status === 'dropped').length,
    wait_429: waits(/^rate limited/),
    wait_final: waits(/^order not found yet/),
    read_retries: waits(/failed, retrying$/).n,
    hedges: waits(/the first answer wins$/).n,
    order_resends: waits(/sending (the order|it) again/).n,
  };
};
const fmtBreakdown = (b) =>
  `total ${b.total} = start ${b.startup} + load ${b.load} (klines ${b.klines_span}) + rank ${b.rank} + execute ${b.execute} (orders ${b.orders_span}) + record ${b.record}; ${b.requests} requests, idle ${b.idle}, slow ${b.slow}, dropped ${b.dropped}; waits: 429 ${b.wait_429.n}×=${b.wait_429.ms}, final ${b.wait_final.n}×=${b.wait_final.ms}; read retries ${b.read_retries}, hedged GETs ${b.hedges}, order resends ${b.order_resends}`;

if (values.logs) mkdirSync(values.logs, { recursive: true });
const loadBefore = load();
const h = H.prepareHarness(await loadDataset(BUNDLED_DATA_DIR), {
  cliEnv,
  warmEmulator: !values['cold-emulator'],
});
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
      const b = breakdown(o);
      if (values.logs) {
        const base = path.join(values.logs, `seed-${seed}`);
        writeFileSync(`${base}.stderr.jsonl`, r.stderr);
        writeFileSync(`${base}.stdout.json`, r.stdout);
        writeFileSync(
          `${base}.wire.json`,
          JSON.stringify(
            o.wire.map((w) => ({
              ...w,
              start: w.start - r.startedAt,
              end: w.end === null ? null : w.end - r.startedAt,
            })),
          ),
        );
      }
      const line = `seed ${seed}: ${Math.round(r.ms)} ms, exit ${r.code ?? r.signal}${o.runs.length > 1 ? `, ${o.runs.length - 1} re-run(s) → exit ${o.runs.at(-1).code}` : ''}; faults ${JSON.stringify(o.faults)}; ${o.finishedOk && v.converged ? 'converged' : 'NOT converged'}${v.duplicateCount ? `, ${v.duplicateCount} duplicate(s)` : ''}${v.churned ? `, CHURNED (${v.executedNonDust} vs ${baseline.executedNonDust} orders)` : ''}`;
      if (!values.json) console.log(`${line}\n  ${fmtBreakdown(b)}`);
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
        breakdown: b,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(values.concurrency)) }, worker));
  outcomes.sort((a, b) => a.seed - b.seed);
  const faulted = stats(outcomes.filter((o) => !Number.isNaN(o.ms)).map((o) => o.ms));
  const bs = outcomes.filter((o) => o.breakdown).map((o) => o.breakdown);
  const med = (f) => stats(bs.map(f).filter((x) => typeof x === 'number' && !Number.isNaN(x))).median_ms;
  const sum = (f) => bs.reduce((s, b) => s + f(b), 0);
  const where = {
    median_ms: {
      startup: med((b) => b.startup),
      load: med((b) => b.load),
      klines_span: med((b) => b.klines_span),
      rank: med((b) => b.rank),
      execute: med((b) => b.execute),
      orders_span: med((b) => b.orders_span),
      record: med((b) => b.record),
      idle: med((b) => b.idle),
    },
    totals: {
      slow_answers: sum((b) => b.slow),
      waits_429: sum((b) => b.wait_429.n),
      wait_429_ms: sum((b) => b.wait_429.ms),
      waits_final: sum((b) => b.wait_final.n),
      wait_final_ms: sum((b) => b.wait_final.ms),
      read_retries: sum((b) => b.read_retries),
      hedged_gets: sum((b) => b.hedges),
      order_resends: sum((b) => b.order_resends),
    },
  };
  const figures = {
    faulted_first_run: faulted,
    faulted_exit0: outcomes.filter((o) => o.exit === 0).length,
    clean_run: stats(clean),
    where_time_went: where,
    target_median_ms: 15000,
    summary: `${outcomes.length} runs, ${outcomes.filter((o) => o.converged).length} converged, ${outcomes.reduce((s, o) => s + o.duplicates, 0)} duplicate orders, ${outcomes.filter((o) => o.churned).length} churned baskets`,
    env: cliEnv,
    emulator: values['cold-emulator'] ? 'cold' : 'warmed',
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
        `where it went (medians, ms): ${Object.entries(where.median_ms)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}; over all seeds: ${Object.entries(where.totals)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
        `clean run (${clean.length}): median ${figures.clean_run.median_ms} ms, max ${figures.clean_run.max_ms} ms`,
        figures.summary,
        `emulator ${figures.emulator}; ${Object.keys(cliEnv).length ? `env ${JSON.stringify(cliEnv)}; ` : ''}concurrency ${figures.concurrency}, ${figures.cpus} cpus; uptime load before ${figures.load_before}, after ${figures.load_after}; bench ${figures.bench_s} s`,
      ].join('\n'),
    );
  }
} finally {
  h.close();
}
