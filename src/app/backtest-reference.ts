/**
 * The reference engine of the backtest: the very modules a live rebalance runs on, one call per day —
 * `evaluateUniverse` + `rankUniverse` for the universe (§3–§5), `planSells` / `planBuys` for the orders
 * (§8), the simulated exchange's account `SimAccount` (whose fills are `fillMarketSell` / `fillMarketBuy`, §7)
 * and average-cost accounting `applyFill` / `markPositions`, all in decimal.js.
 *
 * It is about two orders of magnitude slower than the fast engine (src/domain/backtest/) and serves as
 * its oracle: the tests run both on real data and hand-computed scenarios and require identical trades,
 * rejections and equity. It is also what a backtest falls back to when a value does not fit the fast
 * path's fixed scales (`FastPathUnsupported`).
 */

import {
  type AccountingFill,
  applyFill,
  markPositions,
  type Position,
} from '../domain/accounting/average-cost.ts';
import { ArrayLedger, type Book, type BookMark } from '../domain/backtest/book.ts';
import type { BookParams } from '../domain/backtest/fast-book.ts';
import type { FastUniverseParams, RankedTarget } from '../domain/backtest/fast-universe.ts';
import type { BacktestMarket, SymbolSeries } from '../domain/backtest/market.ts';
import type { Ranker } from '../domain/backtest/simulate.ts';
import { type Decimal, dec, decStr, floorStep, roundDown8, ZERO } from '../domain/decimal.ts';
import { SimAccount, type SimAccountOptions } from '../domain/execution/sim-account.ts';
import type { PlannedOrder, PlanPrices, PlanTarget } from '../domain/planning/plan.ts';
import { rebalanceStep } from '../domain/portfolio/rebalance-step.ts';
import { rankUniverse } from '../domain/ranking/rank.ts';
import type { Candle, Side } from '../domain/types.ts';
import {
  evaluateUniverse,
  type SymbolHistory,
  type UniverseDecision,
} from '../domain/universe/eligibility.ts';

/** §7's outcome of a SELL of quantity 0 at a symbol with a price (`fillMarketSell` → `checkFilters`). */
const DUST_SELL: ReturnType<SimAccount['executeMarketSync']> = {
  ok: false,
  code: -1013,
  reason: 'zero_quantity',
  message: 'Filter failure: LOT_SIZE',
};

/**
 * The simulated exchange's account over a book's balances, seeded lazily: an asset's balance is copied
 * from the book (`balanceOf`) the first time the account reads it (an order of its symbol, `freeOf`), so a
 * day's account costs nothing for the dust balances no order touches. Same values as a `SimAccount`
 * built with every balance (the book changes no balance but through this account while it is in use).
 */
class BookAccount extends SimAccount {
  private readonly seeded = new Set<string>();

  constructor(
    opts: Omit<SimAccountOptions, 'balances'>,
    private readonly balanceOf: (asset: string) => Decimal | undefined,
  ) {
    super({ ...opts, balances: [] });
  }

  private seed(asset: string): void {
    if (this.seeded.has(asset)) return;
    this.seeded.add(asset);
    const v = this.balanceOf(asset);
    if (v !== undefined && !v.isZero()) this.adjustFree(asset, v);
  }

  override freeOf(asset: string): Decimal {
    this.seed(asset);
    return super.freeOf(asset);
  }

  override executeMarketSync(
    order: Parameters<SimAccount['executeMarketSync']>[0],
    opts?: Parameters<SimAccount['executeMarketSync']>[1],
  ): ReturnType<SimAccount['executeMarketSync']> {
    const assets = this.opts.market.assets(order.symbol);
    if (assets !== null) {
      this.seed(assets.base);
      this.seed(assets.quote);
    }
    return super.executeMarketSync(order, opts);
  }
}

/** The domain's universe and ranking (`evaluateUniverse` + `rankUniverse`) as a {@link Ranker}. */
export class ReferenceUniverse implements Ranker {
  /** The decisions of the last selected day (one per symbol, in symbol order). */
  decisions: UniverseDecision[] = [];
  private readonly histories: SymbolHistory[];

  /**
   * @param market the day grid (its whole candle series are handed to `evaluateUniverse`).
   * @param params filter and ranking parameters.
   */
  constructor(
    private readonly market: BacktestMarket,
    private readonly params: FastUniverseParams,
  ) {
    this.histories = market.series.map((s) => ({
      info: s.info,
      candles: s.candles,
      splits: s.splits,
      firstOpenTime: s.firstOpenTime,
    }));
  }

  /** See {@link Ranker.select}. */
  select(d: number, topN: number): RankedTarget[] {
    const p = this.params;
    const caps = p.minMarketCap > 0 ? this.market.capsAt(d) : new Map();
    this.decisions = evaluateUniverse(this.market.dayMs(d), this.histories, caps, {
      quoteAsset: p.quoteAsset,
      lookbackDays: p.lookbackDays,
      minAgeDays: p.minAgeDays,
      minMarketCap: p.minMarketCap,
      minQuoteVolume: p.minQuoteVolume,
      exclude: p.exclude,
      include: p.include,
      tradingRule: 'history',
      ...(p.entryFilter !== undefined ? { entryFilter: p.entryFilter } : {}),
      ...(p.intradayDataOn !== undefined ? { intradayDataOn: p.intradayDataOn } : {}),
    });
    return rankUniverse(this.decisions, p.mode, topN)
      .filter((r) => r.selected)
      .map((r) => ({ symbolIndex: this.market.indexOf.get(r.symbol) as number, rank: r.rank }));
  }
}

/**
 * A {@link Book} over the domain's planner, the simulated exchange and average-cost accounting, in
 * decimal.js (see the module docstring).
 */
export class ReferenceBook implements Book {
  readonly ledger = new ArrayLedger();
  /** Balances by asset (the quote asset included), non-zero only; changed through {@link setBalance}. */
  protected readonly balances = new Map<string, Decimal>();
  /** Per holding decimal: the dust SELL of its symbol, or null when it does not floor to 0 ({@link dustSellOf}). */
  private readonly zeroFloor = new WeakMap<
    Decimal,
    { readonly i: number; readonly order: PlannedOrder | null }
  >();
  /** {@link holdings} until a balance changes. */
  private holdingsCache: { asset: string; symbolIndex: number; quantity: Decimal }[] | null = null;
  /** Average-cost positions (README "Accounting") up to the fills still in {@link unaccounted}. */
  private positions = new Map<string, Position>();
  /** Fills not yet applied to {@link positions} (applied in order when the positions are read). */
  private readonly unaccounted: {
    readonly asset: string;
    readonly symbol: string;
    readonly fill: AccountingFill;
  }[] = [];
  private readonly assetSymbol = new Map<string, number>();
  private readonly initial: Decimal;

  /**
   * @param market the day grid.
   * @param params book parameters.
   */
  constructor(
    protected readonly market: BacktestMarket,
    protected readonly params: BookParams,
  ) {
    this.initial = dec(params.initialQuote);
    this.balances.set(params.quoteAsset, this.initial);
    market.series.forEach((s, i) => {
      if (s.info.quoteAsset === params.quoteAsset) this.assetSymbol.set(s.info.baseAsset, i);
    });
  }

  protected series(i: number): SymbolSeries {
    return this.market.series[i] as SymbolSeries;
  }

  protected candleAt(i: number, d: number): Candle | null {
    const s = this.series(i);
    const k = d >= 0 && d < s.at.length ? (s.at[d] as number) : -1;
    return k < 0 ? null : (s.candles[k] as Candle);
  }

  protected lastCloseAt(i: number, d: number): string | null {
    const s = this.series(i);
    const k = d >= 0 ? (s.atOrBefore[Math.min(d, s.atOrBefore.length - 1)] as number) : -1;
    return k < 0 ? null : (s.candles[k] as Candle).close;
  }

  private symbolIndexOfAsset(asset: string): number {
    const i = this.assetSymbol.get(asset);
    if (i === undefined)
      throw new Error(`no ${asset}${this.params.quoteAsset} symbol for a holding of ${asset}`);
    return i;
  }

  /** Non-quote holdings, sorted by asset (the same array until a balance changes: do not mutate). */
  protected holdings(): readonly { asset: string; symbolIndex: number; quantity: Decimal }[] {
    if (this.holdingsCache === null)
      this.holdingsCache = [...this.balances.entries()]
        .filter(([a, q]) => a !== this.params.quoteAsset && q.gt(0))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([asset, quantity]) => ({ asset, symbolIndex: this.symbolIndexOfAsset(asset), quantity }));
    return this.holdingsCache;
  }

  /**
   * Sets the balance of `asset` (a zero deletes it); the cached {@link holdings} are replaced by a copy with
   * that entry changed (an earlier array stays as it was).
   */
  private setBalance(asset: string, v: Decimal): void {
    if (v.isZero()) this.balances.delete(asset);
    else this.balances.set(asset, v);
    const cached = this.holdingsCache;
    if (asset === this.params.quoteAsset || cached === null) return;
    let lo = 0;
    let hi = cached.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cached[mid] as { asset: string }).asset < asset) lo = mid + 1;
      else hi = mid;
    }
    const at = cached[lo];
    const found = at !== undefined && at.asset === asset;
    const next = cached.slice();
    if (v.gt(0)) {
      const symbolIndex = found ? at.symbolIndex : this.symbolIndexOfAsset(asset);
      next.splice(lo, found ? 1 : 0, { asset, symbolIndex, quantity: v });
    } else if (found) next.splice(lo, 1);
    this.holdingsCache = next;
  }

  /** The average-cost positions with every fill so far applied. */
  private accountedPositions(): Map<string, Position> {
    for (const u of this.unaccounted)
      this.positions = applyFill(this.positions, u.asset, u.symbol, this.params.quoteAsset, u.fill);
    this.unaccounted.length = 0;
    return this.positions;
  }

  /** §2 conversion, exactly as the rebalance use case does it (`convertAcrossSplit`). */
  convertSplits(d: number): void {
    for (const h of this.holdings()) {
      const split = this.series(h.symbolIndex).splitOn.get(d);
      if (!split) continue;
      const after = roundDown8(h.quantity.times(dec(split.closeBefore)).div(dec(split.openAfter)));
      this.setBalance(h.asset, after);
      const positions = this.accountedPositions();
      const pos = positions.get(h.asset);
      if (pos) positions.set(h.asset, { ...pos, quantity: after });
    }
  }

  /**
   * The simulated exchange at the open of day `d` over the current balances (each copied when an order
   * first reads it: {@link BookAccount}); `priceOf` overrides the reference price (the intraday exits fill
   * at a bar's open or a level, §10).
   */
  protected exchange(d: number, priceOf?: (symbol: string) => Decimal | null): SimAccount {
    return new BookAccount(
      {
        market: {
          assets: (symbol) => {
            const i = this.market.indexOf.get(symbol);
            if (i === undefined) return null;
            const info = this.series(i).info;
            return { base: info.baseAsset, quote: info.quoteAsset };
          },
          rules: (symbol) => this.market.rules(this.market.indexOf.get(symbol) as number),
          referencePrice: (symbol) =>
            priceOf !== undefined
              ? priceOf(symbol)
              : (this.candleAt(this.market.indexOf.get(symbol) as number, d)?.open ?? null),
        },
        feeRate: this.params.feeRate,
        slippageBps: this.params.slippageBps,
      },
      (asset) => this.balances.get(asset),
    );
  }

  protected execute(d: number, ex: SimAccount, order: PlannedOrder): void {
    const i = this.market.indexOf.get(order.symbol) as number;
    if (order.side === 'SELL' && (order.quantity as Decimal).isZero() && this.candleAt(i, d) !== null) {
      // A SELL of dust: the planner floors the quantity to the step (plan.ts) and §7 (`fillMarketSell`)
      // rejects q = 0 as `zero_quantity` (-1013 LOT_SIZE) once the symbol has a price at D — the same
      // outcome without pricing the fill (a full-mode book plans one such SELL per dust holding a day).
      this.book(d, i, 'SELL', ex, DUST_SELL);
      return;
    }
    const out = ex.executeMarketSync(
      order.side === 'SELL'
        ? { symbol: order.symbol, side: 'SELL', quantity: order.quantity as Decimal }
        : { symbol: order.symbol, side: 'BUY', quoteOrderQty: order.quoteOrderQty as Decimal },
    );
    this.book(d, i, order.side, ex, out);
  }

  protected book(
    d: number,
    i: number,
    side: Side,
    ex: SimAccount,
    out: ReturnType<SimAccount['executeMarketSync']>,
  ): void {
    if (!out.ok) {
      if (this.params.details)
        this.ledger.rejectionList.push({
          date: this.market.date(d),
          symbol: this.series(i).info.symbol,
          side,
          reason: out.reason,
        });
      return;
    }
    const f = out.fill;
    const commissionAsset = f.commissionIn === 'base' ? out.baseAsset : out.quoteAsset;
    // applied to the positions when they are read (accountingIdentity): only tests read them
    this.unaccounted.push({
      asset: out.baseAsset,
      symbol: this.series(i).info.symbol,
      fill: {
        side,
        quantity: f.quantity,
        quoteQuantity: f.quoteQuantity,
        commission: f.commission,
        commissionAsset,
        commissionQuote: f.commissionQuote,
      },
    });
    this.setBalance(out.baseAsset, ex.freeOf(out.baseAsset));
    this.setBalance(out.quoteAsset, ex.freeOf(out.quoteAsset));
    this.ledger.notionals.push(Number(decStr(f.quoteQuantity)));
    this.ledger.fees.push(Number(decStr(f.commissionQuote)));
    if (this.params.details) {
      this.ledger.fillList.push({
        date: this.market.date(d),
        symbol: this.series(i).info.symbol,
        side,
        quantity: decStr(f.quantity),
        price: decStr(f.price),
        quote_quantity: decStr(f.quoteQuantity),
        commission: decStr(f.commission),
        commission_asset: commissionAsset,
      });
    }
  }

  /** §8 as one `rebalanceStep` (domain/portfolio): `planSells` → SimAccount → `planBuys` (cash after the sells) → SimAccount. */
  rebalance(d: number, targets: readonly RankedTarget[]): void {
    const quote = this.params.quoteAsset;
    const prices: PlanPrices = {
      open: (symbol) => {
        const c = this.candleAt(this.market.indexOf.get(symbol) as number, d);
        return c ? dec(c.open) : null;
      },
      lastClose: (symbol) => {
        const c = this.lastCloseAt(this.market.indexOf.get(symbol) as number, d - 1);
        return c === null ? null : dec(c);
      },
    };
    const rules = (symbol: string) => this.market.rules(this.market.indexOf.get(symbol) as number);
    const planTargets: PlanTarget[] = targets.map((t) => {
      const info = this.series(t.symbolIndex).info;
      return { symbol: info.symbol, asset: info.baseAsset, rank: t.rank };
    });
    // full mode: the planner SELLs every holding in full, in symbol order (plan.ts); a holding whose SELL
    // floors to 0 with a candle at D is §7's zero_quantity (`execute`'s DUST_SELL) and plays no other part in
    // the plan, so its SELL is made here (once per holding value: the dust left by full sells stays the
    // same decimal day after day) and executed in its place in the symbol order
    const holdings: { asset: string; symbol: string; quantity: Decimal }[] = [];
    const dust: PlannedOrder[] = [];
    const full = this.params.rebalanceMode === 'full';
    for (const h of this.holdings()) {
      const symbol = this.series(h.symbolIndex).info.symbol;
      const dustSell = full ? this.dustSellOf(h.symbolIndex, h.asset, h.quantity) : null;
      if (dustSell !== null && this.candleAt(h.symbolIndex, d) !== null) dust.push(dustSell);
      else holdings.push({ asset: h.asset, symbol, quantity: h.quantity });
    }
    dust.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    const params = {
      mode: this.params.rebalanceMode,
      cashBuffer: this.params.cashBuffer,
      band: this.params.band,
    };
    const ex = this.exchange(d);
    const cash = this.balances.get(quote) ?? ZERO;
    // One rebalanceStep (§8): the SELLs, then the BUYs sized with the cash the simulated account holds after them.
    rebalanceStep({ holdings, targets: planTargets, cash, prices, rules, params }, (phase, orders) => {
      let k = 0;
      for (const o of orders) {
        if (phase === 'sell')
          while (k < dust.length && (dust[k] as PlannedOrder).symbol < o.symbol)
            this.execute(d, ex, dust[k++] as PlannedOrder);
        this.execute(d, ex, o);
      }
      if (phase === 'sell') while (k < dust.length) this.execute(d, ex, dust[k++] as PlannedOrder);
      return ex.freeOf(quote);
    });
  }

  /**
   * The full-mode SELL of a holding `q` of symbol `i` (base asset `asset`) when it floors to 0 at the
   * symbol's step (the planner's order, quantity 0), else null; remembered per holding decimal and symbol.
   */
  private dustSellOf(i: number, asset: string, q: Decimal): PlannedOrder | null {
    const hit = this.zeroFloor.get(q);
    if (hit !== undefined && hit.i === i) return hit.order;
    const order: PlannedOrder | null = floorStep(q, this.market.rules(i).stepSize).isZero()
      ? {
          symbol: this.series(i).info.symbol,
          asset,
          side: 'SELL',
          leg: 'sell',
          quantity: ZERO,
          quoteOrderQty: null,
          decisionPrice: null,
          why: 'full rebalance: a SELL of dust (floors to 0)',
        }
      : null;
    this.zeroFloor.set(q, { i, order });
    return order;
  }

  /** A BUY through the simulated exchange (the BTC-hold benchmark). */
  buy(d: number, symbolIndex: number, quoteOrderQty: string): void {
    const ex = this.exchange(d);
    const symbol = this.series(symbolIndex).info.symbol;
    this.book(d, symbolIndex, 'BUY', ex, ex.executeMarketSync({ symbol, side: 'BUY', quoteOrderQty }));
  }

  /** §9 in decimal.js: `cash + Σ h × close` (last known close). */
  mark(d: number, values: boolean, minShare = 0): BookMark {
    const quote = this.params.quoteAsset;
    const cash = this.balances.get(quote) ?? ZERO;
    let equity = cash;
    const marked: [number, Decimal][] = [];
    for (const h of this.holdings()) {
      const close = this.lastCloseAt(h.symbolIndex, d);
      if (close === null) throw new Error(`no price to mark ${h.asset}`);
      const v = h.quantity.times(dec(close));
      equity = equity.plus(v);
      if (values) marked.push([h.symbolIndex, v]);
    }
    const equityText = decStr(equity);
    if (!values) return { equity: equityText };
    const least = minShare * Number(equityText);
    const shown: [number, number][] = [];
    for (const [i, v] of marked) {
      // v > 0 is below 10^(e + 1) (e its decimal exponent): surely below the share when that is, by a margin
      // far above the rounding of the doubles (the dust every full sell leaves); else the exact float
      if (least > 0 && 10 ** (v.e + 1) < least * (1 - 1e-9)) continue;
      const x = Number(decStr(v));
      if (x >= least) shown.push([i, x]);
    }
    shown.sort((a, b) => a[0] - b[0]);
    return { equity: equityText, values: shown, cash: Number(decStr(cash)) };
  }

  /**
   * The accounting identity of README "Accounting" at the close of day `d`:
   * `equity − initial_quote = Σ realized + Σ unrealized` (average cost, fees included).
   * @returns both sides as decimal strings.
   */
  accountingIdentity(d: number): { total: string; realizedPlusUnrealized: string } {
    const positions = this.accountedPositions();
    const marks = new Map<string, Decimal>();
    for (const [asset, pos] of positions) {
      if (pos.quantity.isZero()) continue;
      const close = this.lastCloseAt(this.symbolIndexOfAsset(asset), d);
      if (close !== null) marks.set(asset, dec(close));
    }
    const marked = markPositions(positions, marks);
    const equity = (this.balances.get(this.params.quoteAsset) ?? ZERO).plus(marked.marketValue);
    return {
      total: decStr(equity.minus(this.initial)),
      realizedPlusUnrealized: decStr(marked.realizedPnl.plus(marked.unrealizedPnl)),
    };
  }
}
