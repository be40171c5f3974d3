/**
 * The intraday candles of a live pass (port `IntradayCandles`) from Binance: `GET /api/v3/klines` of
 * `[intraday] interval` for a symbol only when it has candles the pass has not seen, and the last
 * prices of every symbol in ONE `GET /api/v3/ticker/price` (rest-api.md "Kline/Candlestick data",
 * "Symbol price ticker"). τ is the exchange's clock (local clock + the offset measured from serverTime).
 */
import { dec } from '../../domain/decimal.ts';
import type { Candle } from '../../domain/types.ts';
import type { IntradayCandles } from '../../ports/intraday-candles.ts';
import type { BinanceRest } from './binance-rest.ts';
import { candleOfRow } from './schemas.ts';

/** Binance's largest kline page. */
const KLINE_LIMIT = 1000;

/** {@link IntradayCandles} over a {@link BinanceRest}. */
export class BinanceIntradayCandles implements IntradayCandles {
  private made = 0;

  /**
   * @param rest the Binance client (its clock offset is measured by the first request).
   * @param interval e.g. `1h`; @param intervalMs its length.
   */
  constructor(
    private readonly rest: BinanceRest,
    private readonly interval: string,
    private readonly intervalMs: number,
  ) {}

  now(): number {
    return this.rest.now();
  }

  async closedCandles(symbol: string, fromMs: number): Promise<readonly Candle[]> {
    const now = this.now();
    const lastOpen = now - (now % this.intervalMs) - this.intervalMs;
    if (lastOpen < fromMs) return [];
    this.made++;
    const rows = await this.rest.klines(symbol, this.interval, {
      startTime: fromMs,
      endTime: lastOpen,
      limit: KLINE_LIMIT,
    });
    return rows.filter((r) => r[0] >= fromMs && r[0] + this.intervalMs <= now).map(candleOfRow);
  }

  async lastPrices(symbols: readonly string[]): Promise<ReadonlyMap<string, string>> {
    this.made++;
    const rows = await this.rest.tickerPrices();
    const wanted = new Set(symbols);
    const out = new Map<string, string>();
    for (const r of rows) if (wanted.has(r.symbol) && dec(r.price).gt(0)) out.set(r.symbol, r.price);
    return out;
  }

  requests(): number {
    return this.made;
  }
}
