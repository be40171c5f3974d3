/**
 * The market as a run sees it at decision day D (strategy-semantics.md §1–§2, §4): the day itself, the
 * symbols, each symbol's candles of [D-1-L, D] with its segment info, the prices at D (the open of D in
 * replay, the exchange's last prices on a real one) and the trading rules of the symbols a run may trade.
 */
import { type Decimal, dec } from '../../domain/decimal.ts';
import type { PlanPrices } from '../../domain/planning/plan.ts';
import { indexAt, indexAtOrBefore } from '../../domain/series.ts';
import { DAY_MS, msToDay } from '../../domain/time.ts';
import type { Candle, SymbolInfo, SymbolRules } from '../../domain/types.ts';
import type { SymbolHistory } from '../../domain/universe/eligibility.ts';
import { isLeveragedToken, isStableOrFiat } from '../../domain/universe/excluded-assets.ts';
import type { MarketData } from '../../ports/market-data.ts';
import { UserInputError } from '../errors.ts';

/** The decision day of a run and the data's coverage (UTC ms of 00:00). */
export interface DecisionDay {
  readonly dayMs: number;
  /** `YYYY-MM-DD` of {@link dayMs}. */
  readonly period: string;
  readonly coverage: { readonly firstDayMs: number; readonly lastDayMs: number };
}

/**
 * The decision day: `requestedDayMs`, or the latest day of the data. A real exchange (`live`) trades only
 * its current day. @throws UserInputError for another day on a real exchange, or a day whose window
 * [D-1-L, D] (L = `lookbackDays`) is outside the data.
 */
export async function decisionDayOf(
  market: Pick<MarketData, 'coverage'>,
  requestedDayMs: number | undefined,
  opts: { readonly live: boolean; readonly exchangeKind: string; readonly lookbackDays: number },
): Promise<DecisionDay> {
  const coverage = await market.coverage();
  const dayMs = requestedDayMs ?? coverage.lastDayMs;
  const period = msToDay(dayMs);
  if (opts.live && dayMs !== coverage.lastDayMs) {
    throw new UserInputError(
      `decision day ${period}: a ${opts.exchangeKind} exchange trades now; its current UTC day is ${msToDay(coverage.lastDayMs)} (leave the decision day out, or use [exchange] kind = replay for another day)`,
    );
  }
  const L = opts.lookbackDays;
  if (dayMs > coverage.lastDayMs || dayMs - (L + 1) * DAY_MS < coverage.firstDayMs) {
    throw new UserInputError(
      `decision day ${period} is outside the data: it needs candles from ${msToDay(dayMs - (L + 1) * DAY_MS)} (D-1-L with lookback_days=${L}) to ${period}, and the data covers ${msToDay(coverage.firstDayMs)} .. ${msToDay(coverage.lastDayMs)}`,
    );
  }
  return { dayMs, period, coverage };
}

/** Which symbols a run considers ([universe] include / exclude, quote asset). */
export interface SnapshotUniverse {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** The market at D for one run. Mutable only through {@link MarketSnapshot.loadHeld} and {@link MarketSnapshot.loadRules}. */
export class MarketSnapshot {
  readonly historyOf: Map<string, SymbolHistory>;
  private livePrices: ReadonlyMap<string, string> | null = null;
  private readonly ruleMap = new Map<string, SymbolRules>();

  private constructor(
    private readonly market: MarketData,
    readonly day: DecisionDay,
    readonly live: boolean,
    readonly bySymbol: ReadonlyMap<string, SymbolInfo>,
    /** Every symbol's history of the window (a real exchange: empty for symbols the first §4 filters drop). */
    readonly histories: readonly SymbolHistory[],
    readonly windowFromMs: number,
    private readonly livePricesP: Promise<ReadonlyMap<string, string>> | null,
  ) {
    this.historyOf = new Map(histories.map((h) => [h.info.symbol, h]));
  }

  /**
   * Loads the symbols and the candles of [D-1-L, D] of each (§2). On a real exchange (`live`), symbols
   * the first §4 filters drop whatever their candles (excluded, not TRADING) cost no request, and the last
   * prices are fetched while the candles load.
   * @throws UserInputError for an include/exclude symbol not in the market data.
   */
  static async load(
    market: MarketData,
    day: DecisionDay,
    opts: {
      readonly live: boolean;
      /** Days of candles before D to load (L + 1, deeper with the §11 entry filter on). */
      readonly historyDays: number;
      readonly universe: SnapshotUniverse;
    },
  ): Promise<MarketSnapshot> {
    const { live, universe } = opts;
    const infos = await market.symbols();
    const livePricesP = live && market.currentPrices ? market.currentPrices() : null;
    livePricesP?.catch(() => undefined);
    const bySymbol = new Map(infos.map((i) => [i.symbol, i]));
    for (const [key, list] of [
      ['include', universe.include],
      ['exclude', universe.exclude],
    ] as const) {
      const unknown = list.filter((sym) => !bySymbol.has(sym));
      if (unknown.length > 0) {
        throw new UserInputError(
          `[universe] ${key}: unknown symbol(s) ${unknown.join(', ')} (not in the market data)`,
        );
      }
    }
    const windowFrom = day.dayMs - opts.historyDays * DAY_MS;
    const skipCandles = (info: SymbolInfo): boolean =>
      live &&
      (info.status !== 'TRADING' ||
        isStableOrFiat(info.baseAsset) ||
        isLeveragedToken(info.symbol) ||
        universe.exclude.includes(info.symbol) ||
        (universe.include.length > 0 && !universe.include.includes(info.symbol)));
    const histories: SymbolHistory[] = await Promise.all(
      infos.map(async (info) => {
        if (skipCandles(info)) return { info, candles: [], splits: [], firstOpenTime: null };
        const candles = await market.dailyCandles(info.symbol, windowFrom, day.dayMs);
        const seg = await market.segmentInfo(info.symbol);
        return { info, candles, splits: seg.splits, firstOpenTime: seg.firstOpenTime };
      }),
    );
    return new MarketSnapshot(market, day, live, bySymbol, histories, windowFrom, livePricesP);
  }

  /**
   * Held symbols get their candles from `fromMs` to D (a holding may need its last close from long ago);
   * on a real exchange also their segment info again (splits since the last run, §2).
   */
  async loadHeld(symbols: readonly string[], fromMs: number): Promise<void> {
    for (const symbol of symbols) {
      const h = this.historyOf.get(symbol);
      if (!h) continue;
      const candles = await this.market.dailyCandles(symbol, fromMs, this.day.dayMs);
      const seg = this.live ? await this.market.segmentInfo(symbol) : null;
      this.historyOf.set(symbol, { ...h, candles, ...(seg ? { splits: seg.splits } : {}) });
    }
  }

  /** Awaits the real exchange's last prices (no-op in replay); call before {@link openAt} on a real exchange. */
  async loadPrices(): Promise<void> {
    if (this.livePricesP) this.livePrices = await this.livePricesP;
  }

  /** The unslipped decision price at D: the last price (real exchange, TRADING only) or the open of D; null when none. */
  openAt(symbol: string): string | null {
    if (this.livePrices) {
      return this.bySymbol.get(symbol)?.status === 'TRADING' ? (this.livePrices.get(symbol) ?? null) : null;
    }
    const c = this.historyOf.get(symbol)?.candles;
    if (!c) return null;
    const i = indexAt(c, this.day.dayMs);
    return i >= 0 ? (c[i] as Candle).open : null;
  }

  /** The close of the last candle at or before `atOrBeforeMs`, or null. */
  lastCloseAt(symbol: string, atOrBeforeMs: number): string | null {
    const c = this.historyOf.get(symbol)?.candles;
    if (!c) return null;
    const i = indexAtOrBefore(c, atOrBeforeMs);
    return i >= 0 ? (c[i] as Candle).close : null;
  }

  /** §8 prices: the decision price at D and the last close before D. */
  planPrices(): PlanPrices {
    const asDec = (p: string | null): Decimal | null => (p === null ? null : dec(p));
    return {
      open: (sym) => asDec(this.openAt(sym)),
      lastClose: (sym) => asDec(this.lastCloseAt(sym, this.day.dayMs - DAY_MS)),
    };
  }

  /** Loads the trading rules (§6) of the symbols a run may trade. */
  async loadRules(symbols: Iterable<string>): Promise<void> {
    for (const sym of new Set(symbols)) this.ruleMap.set(sym, await this.market.symbolRules(sym));
  }

  /** The rules of a loaded symbol. @throws Error for a symbol whose rules were not loaded. */
  rules(symbol: string): SymbolRules {
    const r = this.ruleMap.get(symbol);
    if (!r) throw new Error(`no rules loaded for ${symbol}`);
    return r;
  }
}
