/**
 * Market caps from dated snapshots (the bundled CoinMarketCap monthly top-200 file), implementing the
 * `MarketCaps` port for strategy-semantics.md §4 filter 7.
 */
import { partitionPoint } from '../../domain/series.ts';
import { DAY_MS } from '../../domain/time.ts';
import type { MarketCapObservation, MarketCaps } from '../../ports/market-caps.ts';

/**
 * `MarketCaps` over a fixed set of snapshot rows (e.g. from `parseCmcTop200Csv`).
 *
 * `capsAt(dayMs, maxAgeDays)` returns the tickers of the latest snapshot dated `<= dayMs`, provided it is
 * at most `maxAgeDays` days old (`dayMs - snapshotMs <= maxAgeDays * 86_400_000`), else nothing; a
 * ticker absent from that snapshot (e.g. fallen out of the top 200) has no cap. Where one snapshot lists
 * a ticker twice, the larger cap counts (§4 filter 7). Tickers are CMC symbols (= Binance base asset); caps are USD floats;
 * times are UTC ms. With no rows every lookup is an empty map.
 */
export class BundledMarketCaps implements MarketCaps {
  /** Snapshot days ascending (00:00 UTC ms). */
  readonly snapshotDays: readonly number[];
  private readonly byDay: readonly ReadonlyMap<string, MarketCapObservation>[];

  /**
   * @param rows observations in any order; several snapshots and duplicate tickers allowed.
   * @param source where the rows come from, for messages (e.g. the CSV file's path).
   */
  constructor(
    rows: readonly MarketCapObservation[],
    readonly source = 'bundled CoinMarketCap monthly top-200 snapshots',
  ) {
    const groups = new Map<number, Map<string, MarketCapObservation>>();
    for (const r of rows) {
      let g = groups.get(r.snapshotMs);
      if (!g) {
        g = new Map();
        groups.set(r.snapshotMs, g);
      }
      const prev = g.get(r.ticker);
      if (!prev || r.capUsd > prev.capUsd) g.set(r.ticker, r);
    }
    const days = [...groups.keys()].sort((a, b) => a - b);
    this.snapshotDays = days;
    this.byDay = days.map((d) => groups.get(d) as Map<string, MarketCapObservation>);
  }

  /** Number of snapshots. */
  get size(): number {
    return this.snapshotDays.length;
  }

  /** Port method; see {@link capsAtSync}. */
  async capsAt(dayMs: number, maxAgeDays: number): Promise<ReadonlyMap<string, MarketCapObservation>> {
    return this.capsAtSync(dayMs, maxAgeDays);
  }

  /**
   * The caps in force on `dayMs` (UTC ms), per the class docstring. A fresh map on every call.
   * @throws RangeError when `maxAgeDays` is negative or not finite, or `dayMs` is not finite.
   */
  capsAtSync(dayMs: number, maxAgeDays: number): Map<string, MarketCapObservation> {
    if (!Number.isFinite(dayMs)) throw new RangeError(`dayMs must be a finite UTC ms time, got ${dayMs}`);
    if (!(maxAgeDays >= 0) || !Number.isFinite(maxAgeDays)) {
      throw new RangeError(`maxAgeDays must be a finite number >= 0, got ${maxAgeDays}`);
    }
    const out = new Map<string, MarketCapObservation>();
    const oldest = dayMs - maxAgeDays * DAY_MS;
    // last snapshot dated <= dayMs
    const days = this.snapshotDays;
    const idx = partitionPoint(days.length, (i) => (days[i] as number) <= dayMs) - 1;
    if (idx < 0 || (this.snapshotDays[idx] as number) < oldest) return out;
    for (const [ticker, obs] of this.byDay[idx] as ReadonlyMap<string, MarketCapObservation>)
      out.set(ticker, obs);
    return out;
  }
}
