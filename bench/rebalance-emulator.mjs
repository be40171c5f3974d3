// Benchmark (prints figures; not a test): a rebalance on the real exchange path — binance-api-node over
// HTTP to the local Binance emulator — with a universe of at least `--symbols` USDT symbols, top 10,
// the emulator adding `--rtt-ms` to every request (issue 3, item 4).
//
//   npm run bench:rebalance -- --exchange emulator --rtt-ms 50 --symbols 400 [--runs 3] [--json]
//
// The emulator runs in its own process (`npm run emulator`). The ledger is an embedded PGlite database
// (or, with DATABASE_URL set, a fresh database on that server) created and migrated before the clock
// starts (`db:migrate`). Then:
//   cold: the first rebalance, with an empty kline cache (every symbol's klines are fetched);
//   warm: further rebalances (--force, same day) with the cache filled.
// Each is a fresh `momentum-rebalancer rebalance` process; figures come from its --json result:
// `run.timings_ms.total` (the rebalance itself, from the first request to the last ledger write: the
// figure the targets apply to), the process wall time, and `exchange.requests` / `exchange.weight` (the
// documented request weight of every request sent). Targets: warm <= 1000 ms, cold <= 3000 ms,
// weight <= 1500 per run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnv, root } from './cli-process.mjs';
import { startEmulatorProcess } from './emulator-process.mjs';

function startEmulator(rttMs, symbols) {
  const args = ['--api-key', 'bench-key', '--api-secret', 'bench-secret'];
  return startEmulatorProcess(rttMs, symbols, args, { timeoutMs: 60_000 });
}

export async function benchEmulator(values) {
  const rttMs = Number(values['rtt-ms']);
  const symbols = Number(values.symbols);
  const runs = Math.max(1, Number(values.runs === '5' ? '3' : values.runs));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-emulator-'));
  const { child, baseUrl } = await startEmulator(rttMs, symbols);
  const env = cliEnv({
    REBALANCER_DATABASE_DATA_DIR: path.join(dir, 'pglite'),
    REBALANCER_EXCHANGE_KIND: 'testnet',
    REBALANCER_EXCHANGE_BASE_URL: baseUrl,
    BINANCE_API_KEY: 'bench-key',
    BINANCE_API_SECRET: 'bench-secret',
  });
  // The ledger: embedded PGlite by default (in this process, on the same cores), or the Postgres server
  // of DATABASE_URL when it is set (a fresh database is created on it for the benchmark).
  const serverUrl = process.env.DATABASE_URL;
  let dropDb = async () => {};
  if (serverUrl) {
    const name = `bench_emulator_${process.pid}`;
    const admin = async (q) => {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(q);
      } finally {
        await c.end();
      }
    };
    await admin(`create database "${name}"`);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    env.DATABASE_URL = u.toString();
    dropDb = () => admin(`drop database if exists "${name}" with (force)`);
  }
  const ledgerName = serverUrl ? `Postgres server (${new URL(serverUrl).host})` : 'embedded PGlite';
  const bin = path.join(root, 'bin/momentum-rebalancer.js');
  const once = (extra) => {
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [bin, 'rebalance', '--json', '--account', 'bench-emu', '--top-n', '10', ...extra],
      {
        cwd: dir,
        env,
        encoding: 'utf8',
      },
    );
    const wall = performance.now() - t0;
    if (r.status !== 0) {
      process.stderr.write(r.stderr);
      throw new Error(`rebalance exited ${r.status}`);
    }
    const res = JSON.parse(r.stdout);
    return {
      ms: res.run.timings_ms.total,
      wall,
      requests: res.exchange.requests,
      weight: res.exchange.weight,
      universe: res.ranking.length + res.excluded.symbols.length,
      orders: res.orders.length,
      timings: res.run.timings_ms,
    };
  };
  try {
    const migrate = spawnSync(process.execPath, [bin, 'db:migrate'], { cwd: dir, env, encoding: 'utf8' });
    if (migrate.status !== 0) throw new Error(`db:migrate failed: ${migrate.stderr}`);
    const cold = once([]);
    const warm = [];
    for (let i = 0; i < runs; i++) warm.push(once(['--force']));
    const sorted = [...warm].sort((a, b) => a.ms - b.ms);
    const mid = sorted[Math.floor(sorted.length / 2)];
    const figures = {
      ledger: serverUrl ? 'postgres' : 'pglite',
      cold_ms: Math.round(cold.ms),
      warm_ms: Math.round(mid.ms),
      requests: mid.requests,
      weight: mid.weight,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      return;
    }
    console.log(
      `testnet path via the emulator: ${cold.universe} USDT symbols, top 10, +${rttMs} ms per request, ledger on ${ledgerName} (node ${process.version}, ${os.cpus().length} cores)`,
    );
    console.log(
      `  cold kline cache: ${figures.cold_ms} ms in the run (process ${Math.round(cold.wall)} ms), ${cold.requests} requests, weight ${cold.weight}   target <= 3000 ms`,
    );
    console.log(
      `  warm kline cache: ${figures.warm_ms} ms in the run (median of ${runs}; min ${Math.round(sorted[0].ms)}, max ${Math.round(sorted[sorted.length - 1].ms)}; process ${Math.round(mid.wall)} ms), ${mid.requests} requests, weight ${mid.weight}   target <= 1000 ms, weight <= 1500`,
    );
    console.log(
      `  orders: cold ${cold.orders}, warm ${mid.orders}; phases (ms): cold ${JSON.stringify(cold.timings)} warm ${JSON.stringify(mid.timings)}`,
    );
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    await dropDb();
  }
}
