/**
 * The intraday backtest on `HourlyBars` served from the kline text (src/adapters/data/hourly-bars.ts: what
 * the CLI hands `runBacktest` since issue 10 item 9b's third speed pass) decides exactly as on built
 * `Candle` arrays: real data (the bundled daily and hourly klines, 2021-05-01 → 2021-05-31, through the May
 * 2021 crash), the whole use case (`runBacktest`: §4 row 9's hourly-data days, exits, portfolio risk,
 * halt), the bars once with their price columns parsed from the text (empty cache) and once read from the
 * hourly cache (format 2 stores them). Same trades, rejections, exits, exact equity and halt.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHourlyKlines } from '../../../src/adapters/data/hourly-klines.ts';
import { loadHourlyBars, loadHourlyWindow } from '../../../src/adapters/data/hourly-window.ts';
import { type BacktestMarket, runBacktest } from '../../../src/app/backtest.ts';
import type { HourlyCandles } from '../../../src/app/backtest-intraday.ts';
import { settingsFrom } from '../../../src/compose/settings.ts';
import { loadConfig } from '../../../src/config/loader.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import { useTempDirs } from '../../support/temp-dirs.ts';
import { bundledMarket } from './bundled-market.ts';

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));
const FROM = '2021-05-01';
const TO = '2021-05-31';
const tempDir = useTempDirs('intraday-hourly-bars-');
let market: BacktestMarket;
let candles: HourlyCandles;
let parsed: HourlyCandles;
let cached: HourlyCandles;

beforeAll(async () => {
  market = await bundledMarket('2021-04-01', TO);
  const [from, to] = [dayToMs(FROM), dayToMs(TO)];
  candles = loadHourlyWindow(await loadHourlyKlines(DATA, null), from, to);
  const cache = tempDir({});
  parsed = loadHourlyBars(await loadHourlyKlines(DATA, cache), from, to); // validates, writes the cache
  cached = loadHourlyBars(await loadHourlyKlines(DATA, cache), from, to); // reads it
});

function run(hourly: HourlyCandles, overrides: Record<string, Record<string, string>>, mode: string) {
  const settings = settingsFrom(
    loadConfig({
      env: {},
      overrides: { strategy: { top_n: '5' }, portfolio: { rebalance_mode: mode }, ...overrides },
    }).config,
  );
  const { result, exact } = runBacktest(market, { settings, from: FROM, to: TO, hourly });
  return {
    trades: result.trades,
    rejected: result.rejected,
    exits: result.exits,
    halted_at: result.halted_at,
    equity: exact.strategy,
  };
}

describe('HourlyBars from the kline text (and from the hourly cache) = Candle arrays, decision for decision', () => {
  it.each([
    [
      'stop_loss 0.1 + trailing_stop 0.15 + sma_cross, full (the benchmark configuration)',
      { risk: { stop_loss: '0.1', trailing_stop: '0.15' }, signals: { exit_signal: 'sma_cross' } },
      'full',
      ['signal', 'stop_loss', 'trailing_stop'],
    ],
    [
      'stop_loss 0.05 + take_profit 0.1 + max_daily_loss 0.08 + max_drawdown 0.2 + breakout 24, delta',
      {
        risk: { stop_loss: '0.05', take_profit: '0.1', max_daily_loss: '0.08', max_drawdown: '0.2' },
        signals: { exit_signal: 'breakout', exit_breakout_bars: '24' },
      },
      'delta',
      ['max_drawdown', 'stop_loss'],
    ],
  ] as const)('%s', (_name, overrides, mode, reasons) => {
    const o = overrides as Record<string, Record<string, string>>;
    const expected = run(candles, o, mode);
    // the case exercises the rules it names
    for (const r of reasons) expect(expected.exits.some((e) => e.reason === r)).toBe(true);
    expect(run(parsed, o, mode)).toEqual(expected);
    expect(run(cached, o, mode)).toEqual(expected);
  });
});
