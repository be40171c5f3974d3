// Benchmark (prints figures; not a test): `momentum-rebalancer download-data` against the local Binance
// emulator with latency (issue 13 item 5): 400 USDT symbols × 1 year of daily candles.
//
//   npm run bench:download -- [--rtt-ms 50] [--symbols 400] [--days 365] [--as-of YYYY-MM-DD] [--json]
//
// The emulator runs in its own process (`npm run emulator -- --symbols N --rtt-ms R --test-controls`):
// its clock starts at `--as-of` (default 2025-12-01, a month before the bundled data ends, so that the
// next day still has candles), and `--symbols` pads the TRADING universe with
// replicas (docs/emulator.md). Each figure is a fresh `download-data --json` process into one temporary
// directory:
//   cold:          empty directory, `--from` = the clock's day − `--days`;
//   incremental:   run again at once: nothing is missing (exchangeInfo only, no kline request);
//   next day:      the emulator clock advanced by one day (test control): one new candle per symbol.
// Figures: the download itself (`elapsed_ms` of the JSON: from the first request to the last file
// written), the process wall time, requests and request weight (the documented weights: klines 2,
// exchangeInfo 20) and the largest X-MBX-USED-WEIGHT-1M the emulator reported. Targets: cold <= 15 s,
// incremental <= 2 s, weight within 6000/min. The machine load (`uptime`) is printed with them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulatorProcess } from './emulator-process.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin', 'momentum-rebalancer.js');
const { values } = parseArgs({
  options: {
    'rtt-ms': { type: 'string', default: '50' },
    symbols: { type: 'string', default: '400' },
    days: { type: 'string', default: '365' },
    'as-of': { type: 'string', default: '2025-12-01' },
    json: { type: 'boolean', default: false },
  },
});

function startEmulator(rttMs, symbols, asOf) {
  const args = ['--test-controls', '--as-of', asOf];
  return startEmulatorProcess(rttMs, symbols, args, { timeoutMs: 120_000 });
}

function download(dir, baseUrl, from) {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [bin, 'download-data', '--data', dir, '--market-url', baseUrl, '--from', from, '--json'],
    { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn' }, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const wallMs = Math.round(performance.now() - t0);
  if (r.status !== 0) throw new Error(`download-data exited ${r.status}:\n${r.stderr}`);
  const s = JSON.parse(r.stdout);
  return {
    download_ms: s.elapsed_ms,
    process_ms: wallMs,
    symbols: s.symbols,
    rows: s.rows,
    kline_requests: s.klineRequests,
    requests: s.stats.requests,
    weight: s.stats.weight,
    max_used_weight_1m: s.stats.maxUsedWeight1m,
    rate_limited: s.stats.rateLimited,
  };
}

const rttMs = Number(values['rtt-ms']);
const symbols = Number(values.symbols);
const days = Number(values.days);
spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-download-'));
const emu = await startEmulator(rttMs, symbols, values['as-of']);
try {
  const from = new Date(Date.parse(emu.day) - days * 86_400_000).toISOString().slice(0, 10);
  const cold = download(dir, emu.baseUrl, from);
  const incremental = download(dir, emu.baseUrl, from);
  const ctl = await fetch(`${emu.baseUrl}/emulator/test-controls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceClockMs: 86_400_000 }),
  });
  if (!ctl.ok) throw new Error(`test controls: ${ctl.status} ${await ctl.text()}`);
  const nextDay = download(dir, emu.baseUrl, from);
  const load = os.loadavg().map((x) => x.toFixed(2));
  const result = { rtt_ms: rttMs, symbols, days, from, cold, incremental, next_day: nextDay, loadavg: load };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const row = (name, r) =>
      `${name.padEnd(12)} download ${(r.download_ms / 1000).toFixed(2).padStart(6)} s  process ${(r.process_ms / 1000).toFixed(2).padStart(6)} s  symbols ${r.symbols}  rows ${String(r.rows).padStart(6)}  requests ${String(r.requests).padStart(4)} (klines ${r.kline_requests})  weight ${String(r.weight).padStart(5)}  max X-MBX-USED-WEIGHT-1M ${r.max_used_weight_1m}  429s ${r.rate_limited}`;
    process.stdout.write(
      [
        `download-data vs the emulator: ${symbols} symbols × ${days} days of 1d candles (from ${from}), rtt ${rttMs} ms`,
        row('cold', cold),
        row('incremental', incremental),
        row('next day', nextDay),
        'targets: cold <= 15 s, incremental <= 2 s, weight within 6000/min',
        `load average (1/5/15 min): ${load.join(' ')} on ${os.cpus().length} cores`,
      ]
        .join('\n')
        .concat('\n'),
    );
  }
} finally {
  emu.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
