/**
 * Tiny data directories in the shared layout (binance/klines-1d/<SYM>.csv, binance/exchangeInfo.json), written
 * to a temp dir, for hand-computed backtest scenarios. Loaded with the real loader (`loadDataset`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { KLINE_HEADER } from '../../../src/adapters/data/kline-csv.ts';
import { type BacktestMarket, backtestMarketOf } from '../../../src/app/backtest.ts';
import { DAY_MS, dayToMs, msToDay } from '../../../src/domain/time.ts';

/** One daily candle: `[day, open, close]` (high/low from open/close, volume 1000, quote volume 10000). */
export type TinyCandle = readonly [day: string, open: string, close: string];

/** A symbol of a tiny dataset with its §6 filters. */
export interface TinySymbol {
  readonly symbol: string;
  readonly baseAsset: string;
  /** LOT_SIZE stepSize = minQty (MARKET_LOT_SIZE stepSize 0, so LOT_SIZE applies). */
  readonly step: string;
  /** NOTIONAL.minNotional (applyMinToMarket true). */
  readonly minNotional: string;
  readonly candles: readonly TinyCandle[];
}

/**
 * Writes the dataset into a fresh temp directory and returns its path.
 * @param quoteVolume per-candle quote volume written (default 10000).
 */
export function writeTinyData(symbols: readonly TinySymbol[], quoteVolume = '10000'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'backtest-tiny-'));
  const klines = path.join(dir, 'binance', 'klines-1d');
  mkdirSync(klines, { recursive: true });
  for (const s of symbols) {
    const rows = s.candles.map(([day, open, close]) => {
      const hi = Number(open) > Number(close) ? open : close;
      const lo = Number(open) > Number(close) ? close : open;
      return `${dayToMs(day)},${open},${hi},${lo},${close},1000,${quoteVolume},10`;
    });
    writeFileSync(path.join(klines, `${s.symbol}.csv`), `${KLINE_HEADER}\n${rows.join('\n')}\n`);
  }
  const exchangeInfo = {
    timezone: 'UTC',
    serverTime: dayToMs('2024-01-01'),
    symbols: symbols.map((s) => ({
      symbol: s.symbol,
      status: 'TRADING',
      baseAsset: s.baseAsset,
      quoteAsset: 'USDT',
      filters: [
        {
          filterType: 'PRICE_FILTER',
          minPrice: '0.00000001',
          maxPrice: '1000000.00000000',
          tickSize: '0.00000001',
        },
        { filterType: 'LOT_SIZE', minQty: s.step, maxQty: '90000000.00000000', stepSize: s.step },
        {
          filterType: 'MARKET_LOT_SIZE',
          minQty: '0.00000000',
          maxQty: '90000000.00000000',
          stepSize: '0.00000000',
        },
        {
          filterType: 'NOTIONAL',
          minNotional: s.minNotional,
          applyMinToMarket: true,
          maxNotional: '9000000.00000000',
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
      ],
    })),
  };
  writeFileSync(path.join(dir, 'binance', 'exchangeInfo.json'), JSON.stringify(exchangeInfo));
  return dir;
}

/**
 * The hand-computed scenario of scenarios.test.ts: AAA, BBB and CCC over 2024-01-01 .. 2024-01-07. CCC is
 * halted on 2024-01-04 and reopens on 2024-01-05 redenominated /1000 (open 0.0045 after a close of 4.5:
 * ratio 0.001 < 0.2, a §2 split).
 */
export const SCENARIO: readonly TinySymbol[] = [
  usdtSymbol('AAA', '0.01000000', '5.00000000', {
    open: ['10', '10', '11', '12', '12.5', '12', '13'],
    close: ['10', '11', '12', '12.5', '12', '13', '14'],
  }),
  usdtSymbol('BBB', '1.00000000', '5.00000000', {
    open: ['20', '20', '21', '21', '22', '24', '23'],
    close: ['20', '21', '21', '22', '24', '23', '23'],
  }),
  // CCC is halted on 2024-01-04 (null: no candle)
  usdtSymbol('CCC', '1.00000000', '5.00000000', {
    open: ['4', '4', '4.1', null, '0.0045', '0.005', '0.006'],
    close: ['4', '5', '4.5', null, '0.005', '0.006', '0.0066'],
  }),
];

/** A scenario symbol `<baseAsset>USDT` with its §6 filters and its daily candles from 2024-01-01 (by column). */
function usdtSymbol(
  baseAsset: string,
  step: string,
  minNotional: string,
  days: Parameters<typeof dailyFrom>[1],
): TinySymbol {
  return { symbol: `${baseAsset}USDT`, baseAsset, step, minNotional, candles: dailyFrom('2024-01-01', days) };
}

/**
 * Daily candles written by column: day k (from `firstDay`, UTC) opens at `open[k]` and closes at
 * `close[k]`; a null marks a day without a candle (a halt).
 */
function dailyFrom(
  firstDay: string,
  { open, close }: { open: readonly (string | null)[]; close: readonly (string | null)[] },
): TinyCandle[] {
  const first = dayToMs(firstDay);
  return open.flatMap((o, k) => {
    const c = close[k];
    return o === null || c === null || c === undefined ? [] : [[msToDay(first + k * DAY_MS), o, c] as const];
  });
}

/**
 * The backtest market of `symbols` for the enclosing suite: written as tiny data ({@link writeTinyData})
 * and loaded with the real loader in a `beforeAll`, the directory removed in an `afterAll`. The getter is
 * valid inside the tests.
 */
export function useTinyMarket(symbols: readonly TinySymbol[]): () => BacktestMarket {
  let dir = '';
  let market: BacktestMarket | undefined;
  beforeAll(async () => {
    dir = writeTinyData(symbols);
    market = backtestMarketOf(await loadDataset(dir));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => market as BacktestMarket;
}
