#!/usr/bin/env node
// Benchmark (prints figures; not a test) of an hourly backtest with intraday rules (issue 10 item 9b): each run
// a fresh process of the bundled CLI exactly as a user starts it, from an empty working directory:
//
//   REBALANCER_RISK_STOP_LOSS=0.1 REBALANCER_RISK_TRAILING_STOP=0.15 REBALANCER_SIGNALS_EXIT_SIGNAL=sma_cross
//   REBALANCER_STRATEGY_TOP_N=5 node bin/momentum-rebalancer.js backtest --from 2021-01-01 --to 2021-12-31 --no-record
//
// (the bundled data/ unless --data DIR). The data caches (hourly-cache.ts; the daily one where present) go to
// a fresh directory (MOMENTUM_REBALANCER_CACHE_DIR): a first, cold run fills them and is reported on its own,
// then --runs warm runs as a user's second and later backtests. Prints the median and min of the wall time from process start, the
// process's CPU time (user + system, all threads: steadier than wall time on a loaded machine), the CLI's own
// split into data loading (daily + hourly candles) and simulation (strategy on hourly candles + BTC hold +
// equal weight), peak RSS, the load average before and after, and the exits line (the same in every run).
// Target (issue 10 item 9b): <= 2 s wall time from process start.
//
//   npm run bench:intraday-backtest [-- --runs 5 --data DIR --json]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchFlags, buildBundle, cliArgs, cliEnv, loadavg, median, root, timedRun } from './cli-process.mjs';

const { values, runs } = benchFlags({ data: { type: 'string' } });
const cwd = mkdtempSync(path.join(os.tmpdir(), 'bench-intraday-backtest-'));
const env = cliEnv({
  MOMENTUM_REBALANCER_CACHE_DIR: path.join(cwd, 'cache'),
  REBALANCER_RISK_STOP_LOSS: '0.1',
  REBALANCER_RISK_TRAILING_STOP: '0.15',
  REBALANCER_SIGNALS_EXIT_SIGNAL: 'sma_cross',
  REBALANCER_STRATEGY_TOP_N: '5',
});
const args = cliArgs(
  'backtest',
  '--from',
  '2021-01-01',
  '--to',
  '2021-12-31',
  '--no-record',
  ...(values.data ? ['--data', path.resolve(values.data)] : []),
);

function once() {
  const r = timedRun(args, { cwd, env });
  const t = /Time: data ([\d.]+) s, simulation ([\d.]+) s/.exec(r.stdout);
  return {
    ...r,
    dataMs: Number(t?.[1]) * 1000,
    simulationMs: Number(t?.[2]) * 1000,
    exits: /Intraday exits .*/.exec(r.stdout)?.[0] ?? '(no exits line)',
    trades: /Trades .*/.exec(r.stdout)?.[0] ?? '',
  };
}

const round = (x) => Math.round(x);

try {
  buildBundle();
  const loadBefore = loadavg();
  const cold = once();
  const all = [];
  for (let i = 0; i < runs; i++) all.push(once());
  const pick = (k) => all.map((r) => r[k]);
  const figures = {
    node: process.version,
    cores: os.availableParallelism(),
    data: values.data ? path.resolve(values.data) : path.join(root, 'data'),
    runs,
    cold: {
      wall: round(cold.ms),
      cpu: round(cold.cpuMs),
      data: round(cold.dataMs),
      simulation: round(cold.simulationMs),
    },
    wall_ms_median: round(median(pick('ms'))),
    wall_ms_min: round(Math.min(...pick('ms'))),
    cpu_ms_median: round(median(pick('cpuMs'))),
    cpu_ms_min: round(Math.min(...pick('cpuMs'))),
    data_ms_median: round(median(pick('dataMs'))),
    data_ms_min: round(Math.min(...pick('dataMs'))),
    simulation_ms_median: round(median(pick('simulationMs'))),
    simulation_ms_min: round(Math.min(...pick('simulationMs'))),
    peak_rss_mb: round(Math.max(...pick('rssMb'))),
    load_average_before: loadBefore,
    load_average_after: loadavg(),
    runs_ms: all.map((r) => ({
      wall: round(r.ms),
      cpu: round(r.cpuMs),
      data: round(r.dataMs),
      simulation: round(r.simulationMs),
    })),
    exits: [...new Set([cold.exits, ...pick('exits')])],
    trades: [...new Set([cold.trades, ...pick('trades')])],
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else {
    const f = figures;
    console.log(`intraday backtest benchmark (node ${f.node}, ${f.cores} cores), data ${f.data}`);
    console.log(
      `2021-01-01 → 2021-12-31 on hourly candles, top 5, stop_loss 0.1 + trailing_stop 0.15 + sma_cross; ${runs} fresh processes`,
    );
    console.log(
      `  cold run (empty data cache): wall ${f.cold.wall} ms, CPU ${f.cold.cpu} ms, data ${f.cold.data} ms, simulation ${f.cold.simulation} ms`,
    );
    console.log(`  warm runs:`);
    console.log(
      `  wall time from process start: median ${f.wall_ms_median} ms (min ${f.wall_ms_min})   target <= 2000 ms`,
    );
    console.log(`  CPU time (user+sys, whole process): median ${f.cpu_ms_median} ms (min ${f.cpu_ms_min})`);
    console.log(`  data loading:  median ${f.data_ms_median} ms (min ${f.data_ms_min})`);
    console.log(`  simulation:    median ${f.simulation_ms_median} ms (min ${f.simulation_ms_min})`);
    console.log(
      `  load average before ${f.load_average_before.join(' ')}, after ${f.load_average_after.join(' ')}; peak RSS ${f.peak_rss_mb} MB`,
    );
    console.log(
      `  runs (wall/cpu/data/simulation ms): ${f.runs_ms.map((r) => `${r.wall}/${r.cpu}/${r.data}/${r.simulation}`).join('  ')}`,
    );
    for (const line of [...f.trades, ...f.exits]) console.log(`  ${line}`);
  }
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
