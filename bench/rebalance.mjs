#!/usr/bin/env node
// Benchmark (prints figures; not a test): wall time of a replay rebalance from process start, with a
// warm embedded database (PGlite), and the process's peak RSS.
//
//   npm run bench:rebalance [-- --runs 5 --as-of 2026-01-01]
//   npm run bench:rebalance -- --exchange emulator --rtt-ms 50 --symbols 400 [--json]   (bench/rebalance-emulator.mjs)
//
// Each measured run is a full `momentum-rebalancer rebalance --force` in a fresh Node process on the
// bundled data: start-up, config, data load, ranking, orders, fills and every ledger write. Targets
// (issue "Foundation"): at most 2 s and 400 MB.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchFlags, cliArgs, cliEnv, median, timedRun } from './cli-process.mjs';

const { values, runs } = benchFlags({
  'as-of': { type: 'string' },
  exchange: { type: 'string', default: 'replay' },
  'rtt-ms': { type: 'string', default: '50' },
  symbols: { type: 'string', default: '400' },
});
if (values.exchange === 'emulator') {
  const { benchEmulator } = await import('./rebalance-emulator.mjs');
  await benchEmulator(values);
  process.exit(0);
}
if (values.exchange !== 'replay') {
  console.error(`--exchange ${values.exchange}: allowed values: replay, emulator`);
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-rebalance-'));
const env = cliEnv({ REBALANCER_DATABASE_DATA_DIR: path.join(dir, 'pglite') });
const args = cliArgs(
  'rebalance',
  '--force',
  '--json',
  '--account',
  'bench',
  ...(values['as-of'] ? ['--as-of', values['as-of']] : []),
);

function once() {
  const r = timedRun(args, { cwd: dir, env });
  const result = JSON.parse(r.stdout);
  return { ms: r.ms, rssMb: r.rssMb, inner: result.run.timings_ms, orders: result.orders.length };
}

try {
  const cold = once(); // creates the embedded database (first start of a new data directory)
  const warm = [];
  for (let i = 0; i < runs; i++) warm.push(once());
  const ms = warm.map((w) => w.ms).sort((a, b) => a - b);
  const rss = Math.max(...warm.map((w) => w.rssMb));
  const figures = {
    cold_db_ms: Math.round(cold.ms),
    warm_median_ms: Math.round(median(ms)),
    warm_min_ms: Math.round(ms[0]),
    warm_max_ms: Math.round(ms[ms.length - 1]),
    peak_rss_mb: Math.round(rss),
    orders_per_run: warm[0].orders,
    in_process_timings_ms: warm[Math.floor(warm.length / 2)].inner,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else {
    console.log(
      `replay rebalance, bundled data, ${runs} warm runs (node ${process.version}, ${os.cpus().length} cores)`,
    );
    console.log(`  first run (creates the embedded DB): ${figures.cold_db_ms} ms`);
    console.log(
      `  warm wall time from process start:   median ${figures.warm_median_ms} ms (min ${figures.warm_min_ms}, max ${figures.warm_max_ms})   target <= 2000 ms`,
    );
    console.log(`  peak RSS:                            ${figures.peak_rss_mb} MB   target <= 400 MB`);
    console.log(
      `  orders per run: ${figures.orders_per_run}; in-process phases (ms): ${JSON.stringify(figures.in_process_timings_ms)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
