/**
 * Backtests with intraday rules (issue 10 item 3, strategy-semantics.md §10 timeline) on a hand-built
 * market: one symbol AAAUSDT, flat daily candles at 100, fee 0, no slippage, step 0 (8 decimals), no
 * minimum notional, `top_n = 1`, `lookback_days = 1`, `rebalance_every_days = 2`, from 2021-01-03.
 * The rebalance of 2021-01-03 buys 10 AAA at the open, 100 (Q = 1000 / 100), so entry e = 100 and peak
 * P = 100. Hourly candles of 2021-01-03 drive the exits; every expected level, price and equity below is
 * computed by hand from §10 in the comments. Runs through `runBacktest` (the reference engine with
 * IntradayBook), the same path as `npm run backtest`.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/app/backtest.ts';
import { settingsFrom } from '../../../src/compose/settings.ts';
import { loadConfig, type Overrides } from '../../../src/config/loader.ts';
import { buildBacktestMarket } from '../../../src/domain/backtest/market.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import type { Candle } from '../../../src/domain/types.ts';

const HOUR = 3_600_000;
const candle = (openTime: number, o: string, h: string, l: string, c: string): Candle => ({
  openTime,
  open: o,
  high: h,
  low: l,
  close: c,
  volume: '1',
  quoteVolume: null,
  trades: null,
});
const daily = ['2021-01-01', '2021-01-02', '2021-01-03', '2021-01-04', '2021-01-05'].map((d) =>
  candle(dayToMs(d), '100', '100', '100', '100'),
);
const market = buildBacktestMarket({
  symbols: [{ symbol: 'AAAUSDT', baseAsset: 'AAA', quoteAsset: 'USDT' }],
  firstDayMs: dayToMs('2021-01-01'),
  lastDayMs: dayToMs('2021-01-05'),
  candlesOf: () => daily,
  segmentInfoOf: () => ({ firstOpenTime: dayToMs('2021-01-01'), splits: [] }),
  rulesOf: (symbol) => ({
    symbol,
    stepSize: '0',
    minQty: '0',
    minNotional: '0',
    tickSize: '0',
    source: 'test',
  }),
  capsAt: () => new Map(),
});

const D3 = dayToMs('2021-01-03');
/** Hourly candles: one flat candle on 01-02 23:00 (D − 1 has intraday data, §4 row 9), `bars` from 01-03 00:00, one on 01-04 00:00. */
function hourly(bars: [string, string, string, string][]) {
  return new Map([
    [
      'AAAUSDT',
      [
        candle(D3 - HOUR, '100', '100', '100', '100'),
        ...bars.map((b, k) => candle(D3 + k * HOUR, ...b)),
        candle(dayToMs('2021-01-04'), '100', '100', '100', '100'),
      ],
    ],
  ]);
}

function run(risk: Overrides, bars: [string, string, string, string][], to = '2021-01-04') {
  const settings = settingsFrom(
    loadConfig({
      env: {},
      overrides: {
        strategy: { top_n: '1', lookback_days: '1', rebalance_every_days: '2' },
        universe: { min_age_days: '0' },
        execution: { fee_rate: '0' },
        paper: { initial_quote: '1000' },
        ...risk,
      },
    }).config,
  );
  return runBacktest(market, { settings, from: '2021-01-03', to, hourly: hourly(bars) });
}

const at = (h: number) => new Date(D3 + h * HOUR).toISOString();

describe('backtest with intraday rules (§10) on hand-computed hourly candles', () => {
  it.each([
    [
      'stop_loss 0.05: F = 100 × 0.95 = 95; the low 90 of hour 1 reaches it → SELL 10 at 95, equity 950',
      { risk: { stop_loss: '0.05' } },
      [
        ['100', '101', '99', '100'],
        ['100', '105', '90', '95'],
      ],
      { time: at(1), reason: 'stop_loss', level: '95', price: '95' },
      950,
    ],
    [
      'gap through the stop: hour 1 opens at 90 <= F = 95 → SELL at the open 90, equity 900',
      { risk: { stop_loss: '0.05' } },
      [
        ['100', '101', '99', '100'],
        ['90', '92', '88', '91'],
      ],
      { time: at(1), reason: 'stop_loss', level: '95', price: '90' },
      900,
    ],
    [
      'take_profit 0.1: T = 110; the high 112 of hour 1 reaches it → SELL at 110, equity 1100',
      { risk: { take_profit: '0.1' } },
      [
        ['100', '101', '99', '100'],
        ['100', '112', '99', '111'],
      ],
      { time: at(1), reason: 'take_profit', level: '110', price: '110' },
      1100,
    ],
    [
      'stop and take-profit in one bar: the stop wins (S = 95 before T = 110) → SELL at 95',
      { risk: { stop_loss: '0.05', take_profit: '0.1' } },
      [['100', '115', '90', '100']],
      { time: at(0), reason: 'stop_loss', level: '95', price: '95' },
      950,
    ],
    [
      'trailing_stop 0.1 armed at +5 %: P = 104 (< 105, off), then 108 (armed) → R = 97.2; low 96 → SELL at 97.2',
      { risk: { trailing_stop: '0.1', trailing_activation: '0.05' } },
      [
        ['100', '104', '99', '103'],
        ['103', '108', '102', '107'],
        ['107', '107', '96', '97'],
      ],
      { time: at(2), reason: 'trailing_stop', level: '97.2', price: '97.2' },
      972,
    ],
    [
      'exit_signal breakout over 2 bars: close 96 of hour 2 < min(lows 99, 98) = 98 → SELL at the open of hour 3, 97',
      { signals: { exit_signal: 'breakout', exit_breakout_bars: '2' } },
      [
        ['100', '101', '99', '100'],
        ['100', '101', '98', '100'],
        ['100', '100', '95', '96'],
        ['97', '98', '96', '97'],
      ],
      { time: at(3), reason: 'signal', level: null, price: '97' },
      970,
    ],
    [
      'max_daily_loss 0.05: E_H at hour 0 = 10 × 94 = 940 <= E(D−1) × 0.95 = 950 → SELL at the open of hour 1, 93',
      { risk: { max_daily_loss: '0.05' } },
      [
        ['100', '100', '94', '94'],
        ['93', '95', '92', '94'],
      ],
      { time: at(1), reason: 'daily_loss', level: null, price: '93' },
      930,
    ],
  ] as const)('%s', (_name, risk, bars, exit, equity) => {
    const r = run(risk as Overrides, bars as unknown as [string, string, string, string][]);
    expect(r.engine).toBe('reference');
    expect(r.result.exits).toEqual([{ symbol: 'AAAUSDT', quantity: '10', ...exit }]);
    expect(r.result.trades.map((t) => [t.date, t.side, t.quantity, t.price])).toEqual([
      ['2021-01-03', 'BUY', '10', '100'],
      ['2021-01-03', 'SELL', '10', exit.price],
    ]);
    expect(r.exact.strategy.map(Number)).toEqual([1000, equity, equity]);
    expect(r.result.halted_at).toBeNull();
  });

  it('max_drawdown 0.05: E_H = 940 <= 1000 × 0.95 → SELL at 93, halted at the close of hour 0; the 01-05 rebalance buys nothing', () => {
    const r = run(
      { risk: { max_drawdown: '0.05' } },
      [
        ['100', '100', '94', '94'],
        ['93', '95', '92', '94'],
      ],
      '2021-01-05',
    );
    expect(r.result.exits).toEqual([
      { time: at(1), symbol: 'AAAUSDT', reason: 'max_drawdown', level: null, quantity: '10', price: '93' },
    ]);
    expect(r.result.halted_at).toBe(at(1));
    expect(r.result.trades.filter((t) => t.side === 'BUY').map((t) => t.date)).toEqual(['2021-01-03']);
    expect(r.exact.strategy.map(Number)).toEqual([1000, 930, 930, 930]);
  });

  it('without the halt the same days buy again on the next decision day (the halt test can fail)', () => {
    const r = run(
      { risk: { max_daily_loss: '0.05' } },
      [
        ['100', '100', '94', '94'],
        ['93', '95', '92', '94'],
      ],
      '2021-01-05',
    );
    expect(r.result.trades.filter((t) => t.side === 'BUY').map((t) => t.date)).toEqual([
      '2021-01-03',
      '2021-01-05',
    ]);
  });

  it('a symbol without an hourly candle on D − 1 is not eligible (no_intraday_data, §4 row 9): all cash', () => {
    const settings = settingsFrom(
      loadConfig({
        env: {},
        overrides: {
          strategy: { top_n: '1', lookback_days: '1' },
          universe: { min_age_days: '0' },
          risk: { stop_loss: '0.05' },
        },
      }).config,
    );
    const r = runBacktest(market, { settings, from: '2021-01-03', to: '2021-01-03', hourly: new Map() });
    expect(r.result.trades).toEqual([]);
  });
});
