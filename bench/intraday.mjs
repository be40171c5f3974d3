// Benchmark (prints figures; not a test) of the live intraday pass (issue 10 item 9a): 10 positions on the
// real exchange path — binance-api-node over HTTP to the Binance emulator, which adds `--rtt-ms` (default
// 50) to every request — and an embedded PGlite ledger (or DATABASE_URL's server: a fresh database).
//
//   npm run bench:intraday [-- --rtt-ms 50 --runs 5 --json]
//
// Setup (not timed): a rebalance at 2021-03-01 00:00:30 buys the top 10 of ten symbols with hourly data;
// rules that do not fire (stop_loss 0.5, exit_signal none). The adapters are opened once, as the scheduler
// daemon opens them; a first pass at 12:00:30 catches up the hourly candles since the buys (cold). Then
// `--runs` warm passes, each 5 minutes later on the emulator's clock (no new candle closed): the time in
// `runIntraday` and the requests the emulator served during it. Targets: <= 400 ms, <= 3 requests.
// Also one warm pass in fresh adapters (a one-shot `npm run intraday`: exchangeInfo again).
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'rtt-ms': { type: 'string', default: '50' },
    runs: { type: 'string', default: '5' },
    json: { type: 'boolean' },
  },
});
const rttMs = Number(values['rtt-ms']);
const runs = Number(values.runs);
const { loadDataset } = await import('../src/adapters/data/bundled-dataset.ts');
const { startEmulator } = await import('../src/emulator/server.ts');
const { runRebalance } = await import('../src/app/rebalance.ts');
const { runIntraday } = await import('../src/app/intraday/run-intraday.ts');
const { createLogger } = await import('../src/cli/logger.ts');
const { openIntradayAdapters } = await import('../src/compose/intraday.ts');
const { openAdapters } = await import('../src/compose/rebalance.ts');
const { BUNDLED_DATA_DIR, settingsFrom } = await import('../src/compose/settings.ts');
const { loadConfig } = await import('../src/config/loader.ts');

const SYMBOLS = 'ADAUSDT,BNBUSDT,BTCUSDT,DOGEUSDT,DOTUSDT,ETHUSDT,LINKUSDT,LTCUSDT,MATICUSDT,XRPUSDT';
const HOUR = 3_600_000;
const day = Date.UTC(2021, 2, 1);
let base = day + 30_000;
let t0 = Date.now();
const setClock = (ms) => {
  base = ms;
  t0 = Date.now();
};
const logger = createLogger('silent', 'json');
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-intraday-'));
const emu = await startEmulator({
  dataset: await loadDataset(BUNDLED_DATA_DIR),
  now: () => base + (Date.now() - t0),
  rttMs,
  accounts: [{ apiKey: 'bench', secret: 'bench-secret-0123456789', balances: { USDT: '100000' } }],
});
let drop;
let url;
if (process.env.DATABASE_URL) {
  const { freshServerDatabase } = await import('../test/support/postgres-server.ts');
  const fresh = await freshServerDatabase(process.env.DATABASE_URL, 'bench_intraday');
  url = fresh.url;
  drop = fresh.drop;
}
const loaded = loadConfig({
  cwd: dir,
  env: {},
  overrides: {
    exchange: { kind: 'testnet', base_url: emu.baseUrl },
    strategy: { top_n: '10' },
    universe: { include: SYMBOLS },
    risk: { stop_loss: '0.5' },
    database: { data_dir: path.join(dir, 'pglite'), ...(url ? { url } : {}) },
  },
});
const credentials = { apiKey: 'bench', apiSecret: 'bench-secret-0123456789', privateKeyPath: null };
const req = { settings: settingsFrom(loaded.config), dryRun: false, effectiveConfig: loaded.redacted() };
try {
  const a = await openAdapters(loaded.config, logger, { credentials });
  const r = await runRebalance(a.deps, { ...req, force: false });
  await a.close();
  const held = r.fills.filter((f) => f.side === 'BUY').length;

  const timed = async (deps) => {
    const before = emu.stats().requests;
    const s = performance.now();
    const out = await runIntraday(deps, req);
    return { ms: performance.now() - s, requests: emu.stats().requests - before, exits: out.exits.length };
  };
  const ad = await openIntradayAdapters(loaded.config, logger, { credentials });
  setClock(day + 12 * HOUR + 30_000);
  const cold = await timed(ad.deps);
  const warm = [];
  for (let i = 1; i <= runs; i++) {
    setClock(day + 12 * HOUR + 30_000 + i * 5 * 60_000);
    warm.push(await timed(ad.deps));
  }
  await ad.close();
  const fresh = await openIntradayAdapters(loaded.config, logger, { credentials });
  setClock(day + 12 * HOUR + 30_000 + (runs + 1) * 5 * 60_000);
  const oneShot = await timed(fresh.deps);
  await fresh.close();

  const ms = warm.map((x) => x.ms).sort((x, y) => x - y);
  const median = ms[Math.floor(ms.length / 2)];
  const figures = {
    positions: held,
    rtt_ms: rttMs,
    cold: { ms: Math.round(cold.ms), requests: cold.requests, exits: cold.exits },
    warm_median_ms: Math.round(median),
    warm_ms: warm.map((x) => Math.round(x.ms)),
    warm_requests: warm.map((x) => x.requests),
    one_shot_warm: { ms: Math.round(oneShot.ms), requests: oneShot.requests },
    targets: { ms: 400, requests: 3 },
    met: median <= 400 && warm.every((x) => x.requests <= 3),
    load: execSync('uptime').toString().trim(),
    ledger: url ? 'postgres server' : 'pglite',
  };
  if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  else {
    process.stdout.write(
      `${[
        `intraday pass, ${held} positions, emulator +${rttMs} ms per request, ledger ${figures.ledger}`,
        `  cold (catch-up of 12 hourly candles each): ${figures.cold.ms} ms, ${cold.requests} requests`,
        `  warm (daemon, adapters open): median ${median.toFixed(0)} ms [${figures.warm_ms.join(', ')}], requests [${figures.warm_requests.join(', ')}]`,
        `  warm one-shot (fresh adapters): ${oneShot.ms.toFixed(0)} ms, ${oneShot.requests} requests`,
        `  targets <= 400 ms, <= 3 requests: ${figures.met ? 'met' : 'MISSED'}`,
        `  machine load: ${figures.load}`,
      ].join('\n')}\n`,
    );
  }
} finally {
  await emu.close();
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
}
