/**
 * The intraday candles of a replayed pass (port `IntradayCandles`): the bundled hourly klines at the
 * replayed time τ (`intraday --at`). A candle is closed when its open time + 1 h ≤ τ; the last price of
 * a symbol at τ is the open of the hourly candle containing τ (the price the emulator quotes then),
 * else the close of its last closed candle.
 */
import type { Candle } from '../../domain/types.ts';
import type { IntradayCandles } from '../../ports/intraday-candles.ts';
import { HOUR_MS, type HourlyKlines } from './hourly-klines.ts';

/** {@link IntradayCandles} over `klines` at the fixed time `atMs` (UTC ms). */
export class ReplayIntradayCandles implements IntradayCandles {
  constructor(
    private readonly klines: HourlyKlines,
    private readonly atMs: number,
  ) {}

  now(): number {
    return this.atMs;
  }

  async closedCandles(symbol: string, fromMs: number): Promise<readonly Candle[]> {
    return this.klines.candlesBetween(symbol, fromMs, this.atMs - HOUR_MS);
  }

  async lastPrices(symbols: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const out = new Map<string, string>();
    const hour = this.atMs - (this.atMs % HOUR_MS);
    for (const s of symbols) {
      const current = this.klines.candlesBetween(s, hour, hour)[0];
      if (current) {
        out.set(s, current.open);
        continue;
      }
      const before = this.klines.candlesBetween(s, hour - 30 * 24 * HOUR_MS, hour - HOUR_MS);
      const last = before[before.length - 1];
      if (last) out.set(s, last.close);
    }
    return out;
  }

  requests(): number {
    return 0;
  }
}
