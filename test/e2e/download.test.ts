/**
 * download-data end to end (issue 13 item 1): the real command (`runDownloadCommand`, and the built
 * program for the killed run) → BinanceRest → binance-api-node → HTTP → the emulator on 127.0.0.1
 * serving the bundled real daily klines of five USDT pairs, with a settable virtual clock; the fault
 * proxy in between where a test needs 429s, a slow network or hostile answers. Reproduces: before, a
 * data directory could only age (no way to bring it up to date).
 *
 * The five pairs (bundled data, checked by hand with `zcat data/binance/klines-1d/<S>.csv.gz`): BTCUSDT
 * and ETHUSDT trade all along; XZCUSDT's last candle is 2021-01-25 (renamed FIRO); FIROUSDT is listed
 * 2021-01-29 and LITUSDT 2021-02-04 — listed mid-range.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Dataset, loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import { runBacktestCommand } from '../../src/cli/backtest-command.ts';
import { runDownloadCommand } from '../../src/cli/download-command.ts';
import { main } from '../../src/cli/main.ts';
import { replayDataAgeLines } from '../../src/cli/report.ts';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.ts';
import { at, dailyOnlyBundledDataset, manualClock } from '../emulator/support.ts';
import { type Fault, type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';
import { useTempDir } from '../support/temp-dirs.ts';

const BIN = fileURLToPath(new URL('../../bin/momentum-rebalancer.js', import.meta.url));
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'XZCUSDT', 'FIROUSDT', 'LITUSDT'];

let emu: RunningEmulator;
let proxy: FaultProxy;
let bundled: Dataset;
const clock = manualClock(at('2021-01-20T12:00:00Z'));
const tmp = useTempDir('download-e2e-');

beforeAll(async () => {
  bundled = await dailyOnlyBundledDataset();
  const dataset = new Dataset({
    dir: bundled.dir,
    series: new Map(SYMBOLS.map((s) => [s, bundled.candlesOf(s)])),
    snapshots: bundled.snapshots,
    marketCaps: bundled.marketCaps,
  });
  emu = await startEmulator({ dataset, now: clock.now });
  proxy = await startFaultProxy(emu.baseUrl);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await emu?.close();
});

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** A -1003 answer in place of the exchange's (rest-api.md "LIMITS": 429, or 418 for a ban), with Retry-After. */
function weightLimit(status: 418 | 429, msg: string, retryAfter: string): Fault {
  return {
    notForwarded: true,
    respond: () => ({
      status,
      body: JSON.stringify({ code: -1003, msg }),
      headers: { 'Retry-After': retryAfter },
    }),
  };
}

/** `download-data --data DIR --market-url URL --symbols SYMBOLS --from 2021-01-01 EXTRA` (see {@link download}). */
function downloadVia(marketUrl: string, dir: string, symbols: string, ...extra: string[]): Promise<Ran> {
  return download([
    '--data',
    dir,
    '--market-url',
    marketUrl,
    '--symbols',
    symbols,
    '--from',
    '2021-01-01',
    ...extra,
  ]);
}

/** Runs `download-data` in this process, capturing stdout/stderr. */
async function download(args: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    const code = await runDownloadCommand([...args, '--log-level', 'warn']);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the --json summary
const json = (r: Ran): any => JSON.parse(r.stdout);
const klines = (dir: string, s: string) => path.join(dir, 'binance', 'klines-1d', `${s}.csv`);
const rowsOf = (dir: string, s: string) => readFileSync(klines(dir, s), 'utf8').trim().split('\n').slice(1);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('download-data against the emulator', () => {
  const dir = path.join(tmp, 'fresh');

  it('cold: every closed candle from --from, never the open one; exchangeInfo snapshot; readable by the loader', async () => {
    clock.set(at('2021-01-20T12:00:00Z'));
    const r = await download(['--data', dir, '--market-url', emu.baseUrl, '--from', '2021-01-01', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = json(r);
    // TRADING at 2021-01-20: BTC, ETH, XZC (FIRO and LIT are not listed yet).
    expect(s.created).toEqual(['BTCUSDT 1d', 'ETHUSDT 1d', 'XZCUSDT 1d']);
    // 2021-01-01 .. 2021-01-19: 19 closed daily candles each; 2021-01-20 is still open at 12:00.
    expect(s.rows).toBe(3 * 19);
    expect(s.klineRequests).toBe(3);
    expect(s.stats.weight).toBe(20 + 3 * 2); // exchangeInfo 20, klines 2 (rest-api.md)
    const btc = rowsOf(dir, 'BTCUSDT');
    expect(btc).toHaveLength(19);
    expect(day(Number(btc[0]?.split(',')[0]))).toBe('2021-01-01');
    expect(day(Number(btc[18]?.split(',')[0]))).toBe('2021-01-19');
    expect(readFileSync(klines(dir, 'BTCUSDT'), 'utf8').split('\n')[0]).toBe(
      'open_time_ms,open,high,low,close,volume,quote_volume,trades',
    );
    expect(existsSync(path.join(dir, 'binance', 'exchangeInfo-2021-01-20.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'binance', 'exchangeInfo.json'))).toBe(true);
    // The loader reads it, and the prices are the bundled ones (the emulator writes 8 decimals).
    const ds = await loadDataset(dir);
    const got = ds.candlesBetween('BTCUSDT', at('2021-01-01T00:00:00Z'), at('2021-01-19T00:00:00Z'));
    const want = bundled.candlesBetween('BTCUSDT', at('2021-01-01T00:00:00Z'), at('2021-01-19T00:00:00Z'));
    expect(got.map((c) => [c.openTime, Number(c.open), Number(c.close)])).toEqual(
      want.map((c) => [c.openTime, Number(c.open), Number(c.close)]),
    );
  });

  it('re-running is a no-op: no kline request, no kline file rewritten', async () => {
    const before = SYMBOLS.filter((s) => existsSync(klines(dir, s))).map((s) => [
      s,
      statSync(klines(dir, s)).mtimeMs,
      readFileSync(klines(dir, s), 'utf8'),
    ]);
    clock.advance(3_600_000); // 13:00, same day: still no new closed candle
    const r = await download(['--data', dir, '--market-url', emu.baseUrl, '--from', '2021-01-01', '--json']);
    expect(r.code).toBe(0);
    const s = json(r);
    expect(s.rows).toBe(0);
    expect(s.klineRequests).toBe(0);
    expect(s.upToDate).toBe(3);
    const after = before.map(([sym]) => [
      sym,
      statSync(klines(dir, sym as string)).mtimeMs,
      readFileSync(klines(dir, sym as string), 'utf8'),
    ]);
    expect(after).toEqual(before);
  });

  it('later: extends the trading pairs, creates the pairs listed mid-range from their first day, keeps the delisted one', async () => {
    clock.set(at('2021-02-10T06:00:00Z'));
    const xzc = readFileSync(klines(dir, 'XZCUSDT'), 'utf8');
    const r = await download(['--data', dir, '--market-url', emu.baseUrl, '--from', '2021-01-01']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'Symbols: 5 — 2 new file(s), 2 extended, 0 already up to date, 1 kept unchanged',
    );
    expect(r.stdout).toContain('Kept (no longer trading): XZCUSDT 1d (BREAK)');
    // Closed by 2021-02-10 06:00: BTC, ETH 2021-01-20 .. 2021-02-09 = 21 rows each; FIRO 2021-01-29 .. = 12;
    // LIT 2021-02-04 .. = 6.
    expect(r.stdout).toContain(`Rows written: ${21 + 21 + 12 + 6}`);
    expect(readFileSync(klines(dir, 'XZCUSDT'), 'utf8')).toBe(xzc);
    expect(rowsOf(dir, 'BTCUSDT')).toHaveLength(40);
    const lit = rowsOf(dir, 'LITUSDT');
    expect(day(Number(lit[0]?.split(',')[0]))).toBe('2021-02-04');
    expect(day(Number(lit.at(-1)?.split(',')[0]))).toBe('2021-02-09');
    expect(day(Number(rowsOf(dir, 'FIROUSDT')[0]?.split(',')[0]))).toBe('2021-01-29');
    const ds = await loadDataset(dir);
    expect(ds.symbolList().map((x) => x.symbol)).toEqual([...SYMBOLS].sort());
    expect(day(ds.lastDayMs)).toBe('2021-02-09');
  });

  it('backtest --data DIR reads the downloaded directory', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await runBacktestCommand(['--data', dir, '--no-record', '--top-n', '2', '--log-level', 'error']);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(code).toBe(0);
  }, 30_000);

  it('a replay rebalance reads it, and its report says how old the data is and how to refresh it (issue 13.3)', async () => {
    let stdout = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((x) => {
      stdout += String(x);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const env = { ...process.env };
    // The ledger: a scratch database on the Postgres server of DATABASE_URL when set (fast), else PGlite.
    const db = env.DATABASE_URL ? await freshServerDatabase(env.DATABASE_URL, 'download_test') : null;
    if (db) process.env.DATABASE_URL = db.url;
    else process.env.REBALANCER_DATABASE_DATA_DIR = path.join(tmp, 'pglite');
    let code: number;
    try {
      code = await main(['rebalance', '--dry-run', '--data', dir, '--top-n', '2', '--log-level', 'error']);
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.env = env;
      await db?.drop();
    }
    expect(code, stdout).toBe(0);
    // The data's last day is 2021-02-09 (above): replay decides on it; the wall clock is years later.
    expect(stdout).toContain('decision 2021-02-09T00:00:00.000Z');
    expect(stdout).toMatch(/Note: replay decided on 2021-02-09, \d+ days before today/);
    expect(stdout).toContain('momentum-rebalancer download-data --data DIR');
    // On the day after the decision day the data can be current: no note; two days after: 2 days old.
    const run = { exchange: 'replay', decision_time: '2021-02-09T00:00:00.000Z' };
    expect(replayDataAgeLines(run, at('2021-02-10T23:59:59Z'))).toEqual([]);
    expect(replayDataAgeLines(run, at('2021-02-11T00:00:00Z'))[0]).toContain(
      '2 days before today (2021-02-11 UTC)',
    );
    expect(replayDataAgeLines({ ...run, exchange: 'testnet' }, at('2022-01-01T00:00:00Z'))).toEqual([]);
  }, 60_000);

  it('429 answers with Retry-After are waited out and retried; the files are complete', async () => {
    const d = path.join(tmp, 'rate-limited');
    clock.set(at('2021-02-10T06:00:00Z'));
    const msg = 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.';
    proxy.setRule((_m, p, nth) => (p === '/api/v3/klines' && nth <= 3 ? weightLimit(429, msg, '1') : null));
    try {
      const r = await downloadVia(proxy.baseUrl, d, 'BTCUSDT,ETHUSDT,LITUSDT', '--json');
      expect(r.code, r.stderr).toBe(0);
      const s = json(r);
      expect(s.stats.rateLimited).toBeGreaterThanOrEqual(3);
      expect(s.rows).toBe(40 + 40 + 6);
    } finally {
      proxy.setRule(null);
    }
    expect(rowsOf(d, 'ETHUSDT')).toEqual(rowsOf(dir, 'ETHUSDT'));
  }, 30_000);

  it('a hostile klines answer (HTML; overlapping candles) ends with exit 69 naming the symbol, and writes no file of it', async () => {
    const d = path.join(tmp, 'hostile');
    clock.set(at('2021-02-10T06:00:00Z'));
    proxy.setRule((_m, p) =>
      p === '/api/v3/klines'
        ? {
            respond: () => ({
              status: 200,
              body: '<html><body>gateway</body></html>',
              contentType: 'text/html',
            }),
          }
        : null,
    );
    try {
      const r = await downloadVia(proxy.baseUrl, d, 'ETHUSDT');
      expect(r.code).toBe(69);
      expect(r.stderr).toMatch(/ETHUSDT/);
      expect(existsSync(klines(d, 'ETHUSDT'))).toBe(false);
      proxy.setRule((_m, p) =>
        p === '/api/v3/klines'
          ? {
              respond: (up) => {
                const rows = JSON.parse(up.body) as unknown[];
                return { status: 200, body: JSON.stringify([...rows.slice(0, 5), ...rows.slice(3)]) };
              },
            }
          : null,
      );
      const o = await downloadVia(proxy.baseUrl, d, 'ETHUSDT');
      expect(o.code).toBe(69);
      expect(o.stderr).toMatch(/ETHUSDT.*out-of-order or overlapping candles/);
      expect(existsSync(klines(d, 'ETHUSDT'))).toBe(false);
    } finally {
      proxy.setRule(null);
    }
  });

  it('a gzipped file (the bundled form) is extended in place, still gzipped', async () => {
    const d = path.join(tmp, 'gzipped');
    const folder = path.join(d, 'binance', 'klines-1d');
    mkdirSync(folder, { recursive: true });
    const full = readFileSync(klines(dir, 'BTCUSDT'), 'utf8').split('\n');
    // header + 2021-01-01 .. 2021-01-10
    writeFileSync(path.join(folder, 'BTCUSDT.csv.gz'), gzipSync(`${full.slice(0, 11).join('\n')}\n`));
    clock.set(at('2021-02-10T06:00:00Z'));
    const r = await download(['--data', d, '--market-url', emu.baseUrl, '--symbols', 'BTCUSDT', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).rows).toBe(30); // 2021-01-11 .. 2021-02-09
    expect(existsSync(path.join(folder, 'BTCUSDT.csv'))).toBe(false);
    const text = gunzipSync(readFileSync(path.join(folder, 'BTCUSDT.csv.gz'))).toString('utf8');
    expect(text.trim().split('\n').slice(1)).toEqual(rowsOf(dir, 'BTCUSDT'));
  });

  it('418 (IP ban) stops at once with exit 69, saying so', async () => {
    const d = path.join(tmp, 'banned');
    const msg = 'Way too much request weight used; IP banned until 1613000000000.';
    proxy.setRule((_m, p) => (p === '/api/v3/klines' ? weightLimit(418, msg, '120') : null));
    const klineCalls = () => proxy.seen.filter((x) => x === 'GET /api/v3/klines').length;
    const before = klineCalls();
    try {
      const r = await download(['--data', d, '--market-url', proxy.baseUrl, '--symbols', 'BTCUSDT']);
      expect(r.code).toBe(69);
      expect(r.stderr).toMatch(/BTCUSDT.*banned/i);
      expect(klineCalls() - before).toBe(1); // not retried
      expect(existsSync(klines(d, 'BTCUSDT'))).toBe(false);
    } finally {
      proxy.setRule(null);
    }
  });

  it('bad input: unknown interval or symbol, --from after --to, a directory of another layout', async () => {
    const d = path.join(tmp, 'bad');
    expect((await download(['--data', d, '--market-url', emu.baseUrl, '--interval', '5m'])).code).toBe(2);
    const unknown = await download(['--data', d, '--market-url', emu.baseUrl, '--symbols', 'NOPEUSDT']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('NOPEUSDT');
    expect(
      (
        await download([
          '--data',
          d,
          '--market-url',
          emu.baseUrl,
          '--from',
          '2021-02-01',
          '--to',
          '2021-01-01',
        ])
      ).code,
    ).toBe(2);
    const other = await download(['--data', path.dirname(BIN), '--market-url', emu.baseUrl]);
    expect(other.code).toBe(66);
    expect(other.stderr).toContain('not a data directory of our layout');
  });

  it('a killed download leaves every file valid, and the next run resumes it', async () => {
    const d = path.join(tmp, 'killed');
    clock.set(at('2021-02-10T06:00:00Z'));
    proxy.setRule((_m, p) => (p === '/api/v3/klines' ? { delayMs: 400 } : null));
    try {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'download-data',
          '--data',
          d,
          '--market-url',
          proxy.baseUrl,
          '--from',
          '2021-01-01',
          '--symbols',
          SYMBOLS.join(','),
        ],
        { env: { ...process.env, LOG_LEVEL: 'warn', REBALANCER_EXCHANGE_CONCURRENCY: '1' }, stdio: 'ignore' },
      );
      const folder = path.join(d, 'binance', 'klines-1d');
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (existsSync(folder) && readdirSync(folder).filter((n) => n.endsWith('.csv')).length >= 2) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
    } finally {
      proxy.setRule(null);
    }
    const partial = readdirSync(path.join(d, 'binance', 'klines-1d')).filter((n) => n.endsWith('.csv'));
    expect(partial.length).toBeGreaterThanOrEqual(2);
    expect(partial.length).toBeLessThan(SYMBOLS.length);
    await loadDataset(d); // every file written so far loads (validated)
    const r = await downloadVia(emu.baseUrl, d, SYMBOLS.join(','), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).upToDate).toBe(partial.length);
    for (const s of ['BTCUSDT', 'ETHUSDT', 'LITUSDT', 'FIROUSDT'])
      expect(rowsOf(d, s)).toEqual(rowsOf(dir, s));
    // XZC explicitly asked for: fetched while listed (BREAK), up to its last candle 2021-01-25.
    expect(day(Number(rowsOf(d, 'XZCUSDT').at(-1)?.split(',')[0]))).toBe('2021-01-25');
  }, 60_000);
});
