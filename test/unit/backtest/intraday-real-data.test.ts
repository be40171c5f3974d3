/**
 * A real-data intraday backtest (issue 10 item 3): 2021, top 5, stop_loss 0.1 + trailing_stop 0.15 +
 * exit_signal sma_cross (12/48) on the real Binance hourly klines of ../shared/data/binance/klines-1h, daily
 * candles of the bundled data. It must complete, fire every configured exit kind, book each exit as a SELL
 * fill, and keep the accounting identity of README "Accounting" (to 60 significant digits, see below: equity − initial_quote = realized
 * + unrealized P/L, average cost, fees included) on the IntradayBook at the end.
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
import { dec } from '../../../src/domain/decimal.ts';
import { DAY_MS, dayToMs } from '../../../src/domain/time.ts';
import type { Candle } from '../../../src/domain/types.ts';
import { fullRebalanceBook, MOMENTUM_7D_ALL_PAIRS } from '../../support/backtest-params.ts';
import { bundledMarket } from './bundled-market.ts';

const SHARED = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
let market: BacktestMarket;
let hourly: Map<string, readonly Candle[]>;

beforeAll(async () => {
  market = await bundledMarket('2020-12-01', '2021-12-31');
  hourly = loadHourlyWindow(await loadHourlyKlines(SHARED), dayToMs('2021-01-01'), dayToMs('2021-12-31'));
});

describe('intraday backtest on real 2021 data (top 5, stop_loss + trailing_stop + sma_cross)', () => {
  it('completes, fires every configured exit, books each as a SELL and keeps the accounting identity', () => {
    const s = settingsFrom(
      loadConfig({
        env: {},
        overrides: {
          strategy: { top_n: '5' },
          risk: { stop_loss: '0.1', trailing_stop: '0.15' },
          signals: { exit_signal: 'sma_cross' },
        },
      }).config,
    );
    const risk = s.risk as NonNullable<typeof s.risk>;
    const book = new IntradayBook(market, fullRebalanceBook(s, true), hourly, risk);
    const days = new Map<string, Set<number>>();
    for (const [sym, cs] of hourly) days.set(sym, new Set(cs.map((c) => c.openTime - (c.openTime % DAY_MS))));
    const ranker = new FastUniverse(market, {
      ...MOMENTUM_7D_ALL_PAIRS,
      intradayDataOn: (sym, dayMs) => days.get(sym)?.has(dayMs) === true,
    });
    const from = market.dayIndex(dayToMs('2021-01-01'));
    const to = market.dayIndex(dayToMs('2021-12-31'));
    const [curve] = simulate({ from, to, everyDays: 1 }, ranker, [
      { book, trade: { kind: 'rebalance', topN: 5 }, values: false },
    ]);
    expect(curve?.exact).toHaveLength(365);
    const id = book.accountingIdentity(to);
    // Exact up to decimal.js's 60 significant digits: a stop fills at the level S = e × (1 − stop_loss)
    // (§10), and e = C / h is itself a 60-digit quotient, so products of such prices round in the 60th
    // digit (measured: they differ by ~1e-57 relative). A real accounting error would be ≥ 1e-8.
    const diff = dec(id.total).minus(dec(id.realizedPlusUnrealized)).abs();
    expect(diff.lte(dec(id.total).abs().times('1e-40'))).toBe(true);
    const reasons = new Set(book.exits.map((e) => e.reason));
    expect([...reasons].sort()).toEqual(['signal', 'stop_loss', 'trailing_stop']);
    expect(book.exits.map((e) => e.time)).toEqual(book.exits.map((e) => e.time).sort());
    const sells = book.ledger
      .fills()
      .filter((f) => f.side === 'SELL')
      .map((f) => `${f.symbol} ${f.quantity} ${f.price}`);
    for (const e of book.exits) expect(sells).toContain(`${e.symbol} ${e.quantity} ${e.price}`);
    // only symbols with hourly data were ever bought (§4 row 9)
    for (const f of book.ledger.fills()) expect(hourly.has(f.symbol)).toBe(true);
    expect(book.haltedAtMs).toBeNull();
  });
});
