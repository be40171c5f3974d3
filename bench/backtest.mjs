#!/usr/bin/env node
// Benchmark (prints figures; not a test) of `momentum-rebalancer backtest`, each run a fresh process of the
// bundled CLI exactly as a user starts it (`node bin/momentum-rebalancer.js backtest … --no-record`):
//
//   (a) the full daily dataset (../shared/data; the bundled data/ when it is absent), 2018-01-01 → 2025-12-31,
//       daily rebalance, top 10, with both benchmarks: wall time from process start, and the CLI's own split
//       into data loading (read + parse + lay out the candles) and simulation (strategy + BTC hold + equal
//       weight). Targets (issue #4): ≤ 1.5 s in all, ≤ 0.5 s simulation.
//   (b) a 100-configuration sweep on the same data and period (lookback_days × top_n × rebalance_every_days ×
//       mode = 5 × 5 × 2 × 2) on all cores. Target: ≤ 30 s on 2 cores.
//
// The daily-kline cache (src/adapters/data/daily-cache.ts) is what a user's second and later runs read:
// one unmeasured run first writes it if needed. --cold-cache disables it (every run reads and validates
// the CSV files, the first-run cost without the cache write).
//
//   npm run bench:backtest [-- --runs 5 --data DIR --skip-sweep --cold-cache --json]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchFlags, buildBundle, cliArgs, cliEnv, loadavg, median, root, timedRun } from './cli-process.mjs';

const { values, runs } = benchFlags({
  data: { type: 'string' },
  'skip-sweep': { type: 'boolean' },
  'cold-cache': { type: 'boolean' },
});
const shared = path.resolve(root, '..', 'shared', 'data');
let dataDir = values.data ? path.resolve(values.data) : shared;
const notes = [];
if (!existsSync(path.join(dataDir, 'binance', 'klines-1d'))) {
  notes.push(`${dataDir} not found: using the bundled data/ (same 592 daily files, gzipped)`);
  dataDir = path.join(root, 'data');
}
const cwd = mkdtempSync(path.join(os.tmpdir(), 'bench-backtest-'));
const env = cliEnv();
if (values['cold-cache']) {
  env.MOMENTUM_REBALANCER_CACHE_DIR = 'off';
  notes.push('--cold-cache: the daily-kline cache is off, every run parses the CSV files');
} else {
  notes.push('daily-kline cache warm (one unmeasured run first); --cold-cache to measure without it');
}
const base = cliArgs(
  'backtest',
  '--data',
  dataDir,
  '--from',
  '2018-01-01',
  '--to',
  '2025-12-31',
  '--no-record',
);

function once(extra) {
  const r = timedRun([...base, ...extra], { cwd, env });
  const t = /Time: data ([\d.]+) s, (?:simulation|sweep) ([\d.]+) s/.exec(r.stdout);
  return { ...r, dataMs: Number(t?.[1]) * 1000, innerMs: Number(t?.[2]) * 1000 };
}

try {
  buildBundle();
  const single = [];
  if (!values['cold-cache']) once(['--top-n', '10', '--lookback-days', '7']);
  for (let i = 0; i < runs; i++) single.push(once(['--top-n', '10', '--lookback-days', '7']));
  const trades = /Trades (\d+), rejected orders (\d+)/.exec(single[0].stdout);
  const figures = {
    node: process.version,
    cores: os.availableParallelism(),
    data: dataDir,
    runs,
    single: {
      wall_ms_median: Math.round(median(single.map((s) => s.ms))),
      wall_ms_min: Math.round(Math.min(...single.map((s) => s.ms))),
      cpu_ms_median: Math.round(median(single.map((s) => s.cpuMs))),
      cpu_ms_min: Math.round(Math.min(...single.map((s) => s.cpuMs))),
      load_average: loadavg(),
      data_ms_median: Math.round(median(single.map((s) => s.dataMs))),
      simulation_ms_median: Math.round(median(single.map((s) => s.innerMs))),
      simulation_ms_min: Math.round(Math.min(...single.map((s) => s.innerMs))),
      peak_rss_mb: Math.round(Math.max(...single.map((s) => s.rssMb))),
      runs_ms: single.map((s) => ({
        wall: Math.round(s.ms),
        cpu: Math.round(s.cpuMs),
        data: Math.round(s.dataMs),
        simulation: Math.round(s.innerMs),
      })),
      trades: Number(trades?.[1]),
      rejected_orders: Number(trades?.[2]),
    },
    sweep: null,
    notes,
  };
  if (!values['skip-sweep']) {
    const s = once([
      '--sweep',
      'lookback_days=3,7,14,30,60',
      'top_n=3,5,10,20,40',
      'rebalance_every_days=1,7',
      'mode=momentum,reversal',
    ]);
    figures.sweep = {
      configurations: Number(/(\d+) configurations on/.exec(s.stdout)?.[1]),
      threads: Number(/on (\d+) worker thread/.exec(s.stdout)?.[1]),
      wall_ms: Math.round(s.ms),
      sweep_ms: Math.round(s.innerMs),
      peak_rss_mb: Math.round(s.rssMb),
    };
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else {
    const f = figures.single;
    console.log(`backtest benchmark (node ${figures.node}, ${figures.cores} cores), data ${dataDir}`);
    for (const n of notes) console.log(`  note: ${n}`);
    console.log(
      `(a) 2018-01-01 → 2025-12-31, daily rebalance, top 10, + BTC hold + equal weight; ${runs} fresh processes`,
    );
    console.log(
      `    wall time from process start: median ${f.wall_ms_median} ms (min ${f.wall_ms_min})   target <= 1500 ms`,
    );
    console.log(
      `    CPU time (user+sys, whole process): median ${f.cpu_ms_median} ms (min ${f.cpu_ms_min}); load average ${f.load_average.join(' ')}`,
    );
    console.log(`    data loading:                 median ${f.data_ms_median} ms`);
    console.log(
      `    simulation:                   median ${f.simulation_ms_median} ms (min ${f.simulation_ms_min})   target <= 500 ms`,
    );
    console.log(
      `    peak RSS ${f.peak_rss_mb} MB; strategy trades ${f.trades}, rejected orders ${f.rejected_orders}`,
    );
    if (figures.sweep) {
      const s = figures.sweep;
      console.log(`(b) sweep of ${s.configurations} configurations on ${s.threads} worker threads`);
      console.log(
        `    wall time ${s.wall_ms} ms (sweep ${s.sweep_ms} ms)   target <= 30000 ms on 2 cores; peak RSS ${s.peak_rss_mb} MB (main thread + workers)`,
      );
    }
  }
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
