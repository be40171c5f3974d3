/**
 * The IntradayBook's one-sided float screens (src/domain/risk/bar-screen.ts, the dust screens; issue 10
 * item 9b) change no decision: on real data (the bundled daily and hourly klines, 2021-04-15 → 2021-06-15,
 * through the May 2021 crash), each configuration runs twice — screens on (the default) and
 * `screens: false` (the exact §10 rule on every bar) — and the two books must hold the same exits, the same
 * fills and rejections (exact decimal strings), the same daily equity (exact) and the same halt. The
 * configurations cover every level and signal: stop + trailing + sma_cross (the benchmark's), a trailing stop
 * armed by trailing_activation + take_profit + breakout, and stop + take_profit + max_daily_loss +
 * max_drawdown in delta mode (top-ups raise peaks; the drawdown halt fires in May 2021).
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHourlyKlines } from '../../../src/adapters/data/hourly-klines.ts';
import { loadHourlyWindow } from '../../../src/adapters/data/hourly-window.ts';
import type { BacktestMarket } from '../../../src/app/backtest.ts';
import { IntradayBook } from '../../../src/app/backtest-intraday.ts';
import { settingsFrom } from '../../../src/compose/settings.ts';
import { loadConfig } from '../../../src/config/loader.ts';
import { FastUniverse } from '../../../src/domain/backtest/fast-universe.ts';
import { simulate } from '../../../src/domain/backtest/simulate.ts';
import { DAY_MS, dayToMs } from '../../../src/domain/time.ts';
import type { Candle } from '../../../src/domain/types.ts';
import { MOMENTUM_7D_ALL_PAIRS } from '../../support/backtest-params.ts';
import { bundledMarket } from './bundled-market.ts';

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));
const FROM = '2021-04-15';
const TO = '2021-06-15';
let market: BacktestMarket;
let hourly: Map<string, readonly Candle[]>;
let days: Map<string, Set<number>>;

beforeAll(async () => {
  market = await bundledMarket('2021-03-01', TO);
  hourly = loadHourlyWindow(await loadHourlyKlines(DATA, null), dayToMs(FROM), dayToMs(TO));
  days = new Map();
  for (const [sym, cs] of hourly) days.set(sym, new Set(cs.map((c) => c.openTime - (c.openTime % DAY_MS))));
});

function run(overrides: Record<string, Record<string, string>>, screens: boolean) {
  const s = settingsFrom(
    loadConfig({ env: {}, overrides: { strategy: { top_n: '5' }, ...overrides } }).config,
  );
  const book = new IntradayBook(
    market,
    {
      quoteAsset: 'USDT',
      initialQuote: s.initialQuote,
      feeRate: s.execution.feeRate,
      slippageBps: 5,
      rebalanceMode: s.portfolio.rebalanceMode,
      cashBuffer: 0,
      band: 0,
      details: true,
    },
    hourly,
    s.risk as NonNullable<typeof s.risk>,
    { screens },
  );
  const ranker = new FastUniverse(market, {
    ...MOMENTUM_7D_ALL_PAIRS,
    intradayDataOn: (sym, dayMs) => days.get(sym)?.has(dayMs) === true,
  });
  const from = market.dayIndex(dayToMs(FROM));
  const to = market.dayIndex(dayToMs(TO));
  const [curve] = simulate({ from, to, everyDays: 1 }, ranker, [
    { book, trade: { kind: 'rebalance', topN: 5 }, values: false },
  ]);
  return {
    equity: curve?.exact,
    exits: book.exits,
    fills: book.ledger.fills(),
    rejections: book.ledger.rejectionList,
    haltedAtMs: book.haltedAtMs,
    haltState: book.haltState.status,
  };
}

describe('float screens on/off: the same intraday backtest, decision for decision (real data)', () => {
  it.each([
    [
      'stop_loss 0.1 + trailing_stop 0.15 + sma_cross (the benchmark configuration)',
      { risk: { stop_loss: '0.1', trailing_stop: '0.15' }, signals: { exit_signal: 'sma_cross' } },
      ['signal', 'stop_loss', 'trailing_stop'],
    ],
    [
      'trailing_stop 0.05 armed at +3 % + take_profit 0.08 + breakout 24',
      {
        risk: { trailing_stop: '0.05', trailing_activation: '0.03', take_profit: '0.08' },
        signals: { exit_signal: 'breakout', exit_breakout_bars: '24' },
      },
      ['signal', 'take_profit', 'trailing_stop'],
    ],
    [
      'stop_loss 0.05 + take_profit 0.1 + max_daily_loss 0.08 + max_drawdown 0.3, delta mode',
      {
        risk: { stop_loss: '0.05', take_profit: '0.1', max_daily_loss: '0.08', max_drawdown: '0.3' },
        portfolio: { rebalance_mode: 'delta' },
      },
      ['max_drawdown', 'stop_loss', 'take_profit'],
    ],
  ] as const)('%s', (_name, overrides, reasons) => {
    const screened = run(overrides as Record<string, Record<string, string>>, true);
    const exact = run(overrides as Record<string, Record<string, string>>, false);
    // the case exercises the rules it names
    for (const r of reasons) expect(screened.exits.some((e) => e.reason === r)).toBe(true);
    // the same exits, fills, rejections, equity, halt time and halt state
    expect(screened).toEqual(exact);
    if (reasons.includes('max_drawdown' as never)) expect(screened.haltedAtMs).not.toBeNull(); // the halt too
  });
});
