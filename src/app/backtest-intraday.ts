/**
 * The intraday rules in a backtest (strategy-semantics.md §10, issue 10 item 3): a {@link ReferenceBook}
 * (domain planner, SimExchange, decimal.js) that also runs §10's hours of every day on hourly candles,
 * with the domain's risk modules — position state (`position-state.ts`), levels and one-bar evaluation
 * (`position-bar.ts`), exit signals (`exit-signal.ts`), portfolio risk (`portfolio-risk.ts`) and the halt
 * (`halt.ts`).
 *
 * Timeline of a day `D` (§10): 1. §2 token swaps (peaks scaled, cost basis kept); 2. on a decision day the
 * rebalance at the daily open — it cancels every pending exit, and while halted it selects nothing; 3. for
 * each hour `H = D 00:00 … D 23:00`: the pending exits of symbols with a candle at `H` execute at its open,
 * then each position with a candle at `H` is evaluated (symbol order), then portfolio risk at `H`'s close;
 * 4. §9's equity at the daily close.
 */

import type { BookParams } from '../domain/backtest/fast-book.ts';
import type { RankedTarget } from '../domain/backtest/fast-universe.ts';
import type { BacktestMarket } from '../domain/backtest/market.ts';
import { type Decimal, dec, decStr, floorStep, ZERO } from '../domain/decimal.ts';
import { type LevelScreen, levelScreenOf, SCREEN_REL, screenBar } from '../domain/risk/bar-screen.ts';
import { barOf, type PendingReason } from '../domain/risk/evaluate-bar.ts';
import { buysAllowed, type HaltState, nextHaltState, RUNNING } from '../domain/risk/halt.ts';
import { type HourlyBars, type HourlyColumns, hourlyBarsOfCandles } from '../domain/risk/hourly-bars.ts';
import { isPosition } from '../domain/risk/is-position.ts';
import { checkPortfolioRisk, equityAt, pickMark } from '../domain/risk/portfolio-risk.ts';
import { evaluatePositionBar } from '../domain/risk/position-bar.ts';
import {
  applyBuyFill,
  applySellFill,
  applyTokenSwap,
  buyOpensPosition,
  FLAT,
  type PositionState,
} from '../domain/risk/position-state.ts';
import type { RiskSettings } from '../domain/risk/risk-settings.ts';
import { exitSignalSeriesOfText, exitSignalSeriesOfUnits } from '../domain/signals/exit-signal.ts';
import { DAY_MS } from '../domain/time.ts';
import type { Candle, Side } from '../domain/types.ts';
import { ReferenceBook } from './backtest-reference.ts';
import type { BacktestExit } from './backtest-result.ts';

/** The simulated exchange of the reference book (derived, so this file names no adapter). */
type BookExchange = ReturnType<ReferenceBook['exchange']>;
/** One execution of it. */
type BookExecution = ReturnType<BookExchange['executeMarketSync']>;

/** One hour in ms. */
export const HOUR_MS = 3_600_000;

/**
 * Hourly candles by symbol (ascending open times on the hour, UTC ms; any window that covers the backtest):
 * built candles, or `HourlyBars` that build a candle only for the rows priced exactly (the CLI's
 * `loadHourlyBars`).
 */
export type HourlyCandles = ReadonlyMap<string, readonly Candle[] | HourlyBars>;

/** The {@link HourlyBars} of one entry of {@link HourlyCandles}. */
function barsOf(entry: readonly Candle[] | HourlyBars): HourlyBars {
  return Array.isArray(entry) ? hourlyBarsOfCandles(entry) : (entry as HourlyBars);
}

/**
 * §4 row 9's "hourly data on day D" per symbol, for the universe's `intradayDataOn`: whether `symbol` has
 * at least one hourly candle opening on the UTC day starting at `dayMs` (00:00 UTC ms). Built once from
 * the open times (one byte per day of each symbol's span); no candle is built.
 */
export function hourlyDataDays(hourly: HourlyCandles): (symbol: string, dayMs: number) => boolean {
  const days = new Map<string, { readonly firstDay: number; readonly has: Uint8Array }>();
  for (const [symbol, entry] of hourly) {
    const bars = barsOf(entry);
    if (bars.length === 0) continue;
    const firstDay = Math.floor(bars.openTime(0) / DAY_MS);
    const has = new Uint8Array(Math.floor(bars.openTime(bars.length - 1) / DAY_MS) - firstDay + 1);
    for (let k = 0; k < bars.length; k++) has[Math.floor(bars.openTime(k) / DAY_MS) - firstDay] = 1;
    days.set(symbol, { firstDay, has });
  }
  return (symbol, dayMs) => {
    const d = days.get(symbol);
    if (d === undefined || dayMs % DAY_MS !== 0) return false;
    return d.has[dayMs / DAY_MS - d.firstDay] === 1;
  };
}

interface HourlySeries {
  readonly bars: HourlyBars;
  /** `open`, `high`, `low` of each candle as doubles (the screens). */
  readonly columns: HourlyColumns;
  /** Open time of candle 0 (UTC ms). */
  readonly firstMs: number;
  /** `(openTime − firstMs) / HOUR_MS` → candle index, −1 for an hour without a candle. */
  readonly slot: Int32Array;
  /** Exit signal at the close of each candle (§10), or null when `exit_signal = none`. */
  readonly signal: readonly boolean[] | null;
}

/** Index of the candle of `series` that opens at `H` (UTC ms, on the hour), or −1. */
function candleIndexAt(series: HourlySeries, H: number): number {
  const j = (H - series.firstMs) / HOUR_MS;
  return j >= 0 && j < series.slot.length ? (series.slot[j] as number) : -1;
}

/** What {@link IntradayBook} caches per position state object (states are immutable, replaced on change). */
interface StateScreen {
  /** `floor_step(holding)` as a double, or −1 when it is 0 or below minQty (exact, §10 dust rule). */
  readonly sellable: number;
  /** Doubles of the state's levels (computed on first use). */
  levels: LevelScreen | null;
}

/** Rebalance context: which symbols were positions at the daily open, which were sold whole. */
interface RebalanceContext {
  /** Whether symbol `i`'s holding before the rebalance was a position at the open (asked for BUYs only). */
  readonly wasPosition: (i: number) => boolean;
  readonly soldWhole: Set<number>;
  readonly wholeSellIntent: Set<number>;
}

/** The {@link ReferenceBook} with §10's intraday exits, portfolio risk and halt (see the module docstring). */
export class IntradayBook extends ReferenceBook {
  /** Every intraday exit that filled, in time order (the results file's `exits`). */
  readonly exits: BacktestExit[] = [];
  /** UTC ms of the close of the hour in which the drawdown halt was set, or null. */
  haltedAtMs: number | null = null;
  /** Hourly bars by symbol index; their {@link HourlySeries} is laid out on first use. */
  private readonly hourlyBars = new Map<number, HourlyBars>();
  private readonly hourly = new Map<number, HourlySeries | null>();
  /** Per position state: sellable quantity and level doubles, for the screens of {@link evaluateHour}. */
  private readonly screens = new WeakMap<PositionState, StateScreen>();
  /** `floor_step(h)` as a double per holding value (decimals are immutable), for {@link isPositionAt}. */
  private readonly sellableOf = new WeakMap<Decimal, number>();
  /** Doubles of cost bases and holdings, for {@link levelScreenOf}. */
  private readonly doubles = new WeakMap<Decimal, number>();
  private readonly risk = new Map<number, PositionState>();
  /**
   * The symbols whose state could act on a bar, in symbol order — a peak and a sellable holding
   * (`floor_step(h) > 0` and `>= minQty`, exact): the others are dust at every open (§10 dust rule) and
   * `evaluatePositionBar` would return `dust` on each of their bars. Kept up to date by {@link setRisk} /
   * {@link deleteRisk}, each change in a new array (a loop over the old one is not disturbed); a peak
   * raise keeps the holding, so it keeps the list.
   */
  private riskOrder: readonly number[] = [];
  private readonly pending = new Map<number, PendingReason>();
  private halt: HaltState = RUNNING;
  private previousDayEquity: Decimal;
  private equityPeak: Decimal;
  private ctx: RebalanceContext | null = null;
  private readonly portfolioRiskOn: boolean;
  private readonly screensOn: boolean;

  /**
   * @param market the day grid (daily candles drive §3–§8 and §9).
   * @param params book parameters.
   * @param hourlyCandles hourly candles by symbol (drive §10 only).
   * @param settings the §10 settings (fractions as numbers).
   * @param options `screens: false` evaluates every bar and every dust test with the exact rule only, without
   *   the one-sided float screens (same decisions, slower: for the tests that hold the two equal).
   */
  constructor(
    market: BacktestMarket,
    params: BookParams,
    hourlyCandles: HourlyCandles,
    private readonly settings: RiskSettings,
    options: { readonly screens?: boolean } = {},
  ) {
    super(market, params);
    this.screensOn = options.screens ?? true;
    this.previousDayEquity = dec(params.initialQuote);
    this.equityPeak = dec(params.initialQuote);
    this.portfolioRiskOn = settings.maxDailyLoss > 0 || settings.maxDrawdown > 0;
    for (const [symbol, entry] of hourlyCandles) {
      const i = market.indexOf.get(symbol);
      if (i !== undefined) this.hourlyBars.set(i, barsOf(entry));
    }
  }

  /**
   * The hourly series of symbol `i` (null without hourly candles), laid out on first use — the symbols
   * the strategy never holds never pay for their slots and exit signals.
   */
  private hourlyOf(i: number): HourlySeries | null {
    const hit = this.hourly.get(i);
    if (hit !== undefined) return hit;
    const bars = this.hourlyBars.get(i);
    let series: HourlySeries | null = null;
    if (bars !== undefined && bars.length > 0) {
      const n = bars.length;
      const firstMs = bars.openTime(0);
      const slot = new Int32Array((bars.openTime(n - 1) - firstMs) / HOUR_MS + 1);
      slot.fill(-1);
      for (let k = 0; k < n; k++) slot[(bars.openTime(k) - firstMs) / HOUR_MS] = k;
      const columns = bars.columns();
      let signal: boolean[] | null = null;
      if (this.settings.exitSignal !== 'none') {
        // exact units (doubles holding integers) when every price has one, else the text's exact paths
        signal = exitSignalSeriesOfUnits(columns.closeUnits, columns.lowUnits, this.settings);
        if (signal === null) {
          const candles = Array.from({ length: n }, (_, k) => bars.candle(k));
          signal = exitSignalSeriesOfText(
            candles.map((c) => c.close),
            candles.map((c) => c.low),
            this.settings,
          );
        }
      }
      series = { bars, columns, firstMs, slot, signal };
    }
    this.hourly.set(i, series);
    return series;
  }

  private setRisk(i: number, state: PositionState): void {
    this.risk.set(i, state);
    this.placeInOrder(i, state.peak !== null && this.sellable(i, state.holding) >= 0);
  }

  private deleteRisk(i: number): void {
    if (this.risk.delete(i)) this.placeInOrder(i, false);
  }

  /** Puts `i` in or takes it out of {@link riskOrder} (a new array when that changes it). */
  private placeInOrder(i: number, acts: boolean): void {
    const order = this.riskOrder;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((order[mid] as number) < i) lo = mid + 1;
      else hi = mid;
    }
    if ((order[lo] === i) === acts) return;
    const next = order.slice();
    if (acts) next.splice(lo, 0, i);
    else next.splice(lo, 1);
    this.riskOrder = next;
  }

  /** The symbols that may act on a bar (see `riskOrder`), in symbol order. */
  private riskSymbols(): readonly number[] {
    return this.riskOrder;
  }

  /** The halt state (`running`, `daily_loss_stop`, `halted`). */
  get haltState(): HaltState {
    return this.halt;
  }

  private holdingOf(i: number): Decimal {
    return this.balances.get(this.series(i).info.baseAsset) ?? ZERO;
  }

  /** §2 conversions; a position's cost basis is kept and its peak scaled by `open_after / close_before` (§10). */
  override convertSplits(d: number): void {
    super.convertSplits(d);
    for (const [i, state] of [...this.risk]) {
      const split = this.series(i).splitOn.get(d);
      if (!split) continue;
      const next = applyTokenSwap(state, split.closeBefore, split.openAfter);
      if (next.holding.isZero()) this.deleteRisk(i);
      else this.setRisk(i, next);
    }
  }

  /**
   * The rebalance at the open of `d` (§8), after which pending exits are cancelled; while halted it
   * selects nothing (`K = 0`, §10). Records which holdings were positions at the open (for §10's "opens").
   */
  override rebalance(d: number, targets: readonly RankedTarget[]): void {
    this.halt = nextHaltState(this.halt, { type: 'rebalance', atMs: this.market.dayMs(d) });
    this.pending.clear();
    // the holdings before the orders (the array is replaced, not changed, when a balance changes); the dust
    // test is made for the bought symbols only
    const before = this.holdings();
    const wasPosition = (i: number): boolean => {
      const h = before.find((x) => x.symbolIndex === i);
      const open = h === undefined ? undefined : this.candleAt(i, d)?.open;
      return h !== undefined && open !== undefined && this.isPositionAt(i, h.quantity, open);
    };
    this.ctx = { wasPosition, soldWhole: new Set(), wholeSellIntent: new Set() };
    try {
      // halted (max_drawdown): K = 0, sell what is left and buy nothing; a daily-loss stop lifted above
      super.rebalance(d, buysAllowed(this.halt) ? targets : []);
    } finally {
      this.ctx = null;
    }
  }

  protected override execute(
    d: number,
    ex: BookExchange,
    order: Parameters<ReferenceBook['execute']>[2],
  ): void {
    if (this.ctx && order.side === 'SELL') {
      const i = this.market.indexOf.get(order.symbol) as number;
      // §10 "a SELL of its whole holding": the planner wanted the whole holding (leg `sell`: every full-mode
      // SELL, delta's exit) — its quantity is floored to the step, so it may be below a holding with dust.
      if (order.leg === 'sell') this.ctx.wholeSellIntent.add(i);
    }
    super.execute(d, ex, order);
  }

  /** Books a fill like the reference book, then updates the §10 position state of the symbol. */
  protected override book(d: number, i: number, side: Side, ex: BookExchange, out: BookExecution): void {
    const before = this.holdingOf(i);
    super.book(d, i, side, ex, out);
    if (!out.ok) return;
    const state = this.risk.get(i) ?? { ...FLAT, holding: before };
    let next: PositionState;
    if (side === 'BUY') {
      const opens = this.ctx ? buyOpensPosition(this.ctx.wasPosition(i), this.ctx.soldWhole.has(i)) : true;
      next = applyBuyFill(
        state,
        {
          price: out.fill.price,
          quoteQuantity: out.fill.quoteQuantity,
          baseDelta: this.holdingOf(i).minus(before),
        },
        opens,
      );
    } else {
      next = state.holding.isZero() ? state : applySellFill(state, out.fill.quantity);
      if (this.ctx?.wholeSellIntent.has(i)) this.ctx.soldWhole.add(i);
    }
    if (next.holding.isZero()) this.deleteRisk(i);
    else this.setRisk(i, next);
  }

  /** A §7 SELL of the whole holding of `i` at decision price `x` (slipped by the exchange); records the exit. */
  private exitSell(
    d: number,
    i: number,
    reason: string,
    level: Decimal | null,
    x: Decimal,
    hourMs: number,
  ): void {
    const info = this.series(i).info;
    const symbol = info.symbol;
    const ex = this.exchange(d, (s) => (s === symbol ? x : null));
    const out = ex.executeMarketSync({ symbol, side: 'SELL', quantity: this.holdingOf(i) });
    this.book(d, i, 'SELL', ex, out);
    if (!out.ok) return;
    this.exits.push({
      time: new Date(hourMs).toISOString(),
      symbol,
      reason,
      level: level === null ? null : decStr(level),
      quantity: decStr(out.fill.quantity),
      price: decStr(out.fill.price),
    });
  }

  /** §10 timeline step 3: the 24 hours of day `d`. */
  intraday(d: number): void {
    const dayMs = this.market.dayMs(d);
    for (let h = 0; h < 24; h++) {
      const H = dayMs + h * HOUR_MS;
      // pending exits whose next bar is H execute at its open (dust gets no order)
      if (this.pending.size > 0) {
        for (const i of [...this.pending.keys()].sort((a, b) => a - b)) {
          const hs = this.hourlyOf(i);
          const k = hs === null ? -1 : candleIndexAt(hs, H);
          if (k < 0) continue;
          const reason = this.pending.get(i) as PendingReason;
          this.pending.delete(i);
          const open = dec((hs as HourlySeries).bars.candle(k).open);
          if (!isPosition(this.holdingOf(i), open, this.market.rules(i))) continue;
          this.exitSell(d, i, reason, null, open, H);
        }
      }
      // each position with a candle at H, in symbol order
      for (const i of this.riskSymbols()) {
        const hs = this.hourlyOf(i);
        const k = hs === null ? -1 : candleIndexAt(hs, H);
        if (k < 0 || this.pending.has(i)) continue;
        this.evaluateHour(d, i, hs as HourlySeries, k, H);
      }
      if (this.portfolioRiskOn) this.portfolioRisk(d, H);
    }
  }

  /**
   * §10 "One bar" for the position of `i` on its candle `k` (opening at `H`): the exact rule
   * (`evaluatePositionBar`), behind two one-sided float screens that only skip work whose outcome they
   * prove: surely dust (`floor_step(h) · open` below minNotional by more than {@link SCREEN_REL}: no
   * order; leftover dust of sold positions is seen every hour) and, for a surely sellable holding,
   * {@link screenBar} (no level, no signal: step 6, the peak compared exactly with the high).
   */
  private evaluateHour(d: number, i: number, hs: HourlySeries, k: number, H: number): void {
    const state = this.risk.get(i) as PositionState;
    const signal = hs.signal?.[k] === true;
    if (state.peak === null) return; // no peak: dust for evaluatePositionBar
    if (!this.screensOn) {
      this.evaluateExact(d, i, state, hs.bars.candle(k), signal, H);
      return;
    }
    const screen = this.screenOf(i, state);
    if (screen.sellable < 0) return;
    const open = hs.columns.open[k] as number;
    const minNotional = this.market.rules(i).minNotional;
    const notional = screen.sellable * open;
    if (notional < Number(minNotional) * (1 - SCREEN_REL)) return; // surely dust at this open
    if (notional > Number(minNotional) * (1 + SCREEN_REL)) {
      // surely a position at this open: the level screen may prove step 6
      if (screen.levels === null)
        screen.levels = levelScreenOf(
          this.doubleOf(state.costBasis),
          this.doubleOf(state.holding),
          state.peak.toNumber(),
          this.settings,
        );
      const verdict = screenBar(
        screen.levels,
        open,
        hs.columns.high[k] as number,
        hs.columns.low[k] as number,
        signal,
      );
      if (verdict === 'quiet') return;
      if (verdict === 'raise') {
        const high = dec(hs.bars.candle(k).high);
        if (high.gt(state.peak)) this.risk.set(i, { ...state, peak: high });
        return;
      }
    }
    this.evaluateExact(d, i, state, hs.bars.candle(k), signal, H);
  }

  /** §10 "One bar" by the exact rule (`evaluatePositionBar`), and what its outcome does to the book. */
  private evaluateExact(
    d: number,
    i: number,
    state: PositionState,
    candle: Candle,
    signal: boolean,
    H: number,
  ): void {
    const r = evaluatePositionBar(state, barOf(candle), this.market.rules(i), this.settings, signal);
    if (r.kind === 'dust') return;
    const o = r.outcome;
    if (o.kind === 'exit') this.exitSell(d, i, o.reason, o.level, o.price, H);
    else if (o.kind === 'pending_signal') this.pending.set(i, 'signal');
    else this.risk.set(i, r.state);
  }

  /**
   * §10's dust rule (`isPosition`) for a holding of `i` at an open given as text: decided in doubles when
   * `floor_step(h) · open` is clear of minNotional by more than {@link SCREEN_REL} (`floor_step(h)` and the
   * minQty test exact, cached per holding value), by the exact rule otherwise.
   */
  private isPositionAt(i: number, holding: Decimal, openText: string): boolean {
    if (!this.screensOn) return isPosition(holding, dec(openText), this.market.rules(i));
    const sellable = this.sellable(i, holding);
    if (sellable < 0) return false;
    const notional = sellable * Number(openText);
    const minNotional = Number(this.market.rules(i).minNotional);
    if (notional < minNotional * (1 - SCREEN_REL)) return false;
    if (notional > minNotional * (1 + SCREEN_REL)) return true;
    return isPosition(holding, dec(openText), this.market.rules(i));
  }

  /**
   * `floor_step(h)` of symbol `i` as a double when it is above 0 and at least minQty (exact tests); else −1.
   * Cached per holding value (a peak raise keeps the holding's decimal, so its states share the entry).
   */
  private sellable(i: number, holding: Decimal): number {
    let out = this.sellableOf.get(holding);
    if (out === undefined) {
      const rules = this.market.rules(i);
      const exact = floorStep(holding, rules.stepSize);
      out = exact.gt(0) && exact.gte(dec(rules.minQty)) ? exact.toNumber() : -1;
      this.sellableOf.set(holding, out);
    }
    return out;
  }

  /** The correctly rounded double of a decimal, cached per decimal (cost basis, holding). */
  private doubleOf(x: Decimal): number {
    let out = this.doubles.get(x);
    if (out === undefined) {
      out = x.toNumber();
      this.doubles.set(x, out);
    }
    return out;
  }

  /**
   * The cached screen of a position state: `floor_step(h)` as a double when it is above 0 and at least
   * minQty (exact, once per state; −1 otherwise), and the level doubles once asked for.
   */
  private screenOf(i: number, state: PositionState): StateScreen {
    let screen = this.screens.get(state);
    if (screen === undefined) {
      screen = { sellable: this.sellable(i, state.holding), levels: null };
      this.screens.set(state, screen);
    }
    return screen;
  }

  /** Portfolio risk at the close of hour `H` (§10). */
  private portfolioRisk(d: number, H: number): void {
    const endMs = H + HOUR_MS;
    const marks = this.holdings().map((x) => {
      const hs = this.hourlyOf(x.symbolIndex);
      let hourly: { close: Decimal; closedAtMs: number } | null = null;
      if (hs) {
        // the most recent hourly candle closed by the end of H
        for (let t = H; t >= H - 23 * HOUR_MS; t -= HOUR_MS) {
          const k = candleIndexAt(hs, t);
          if (k >= 0) {
            hourly = { close: dec(hs.bars.candle(k).close), closedAtMs: t + HOUR_MS };
            break;
          }
        }
        if (hourly === null) {
          const k = lastIndexAtOrBefore(hs.bars, H);
          if (k >= 0) {
            const c = hs.bars.candle(k);
            hourly = { close: dec(c.close), closedAtMs: c.openTime + HOUR_MS };
          }
        }
      }
      // the daily candle closed by the end of H: that of D when H is the last hour, else D − 1 or before
      const dd = endMs >= this.market.dayMs(d) + DAY_MS ? d : d - 1;
      const dailyClose = this.lastCloseAt(x.symbolIndex, dd);
      const daily =
        dailyClose === null
          ? null
          : { close: dec(dailyClose), closedAtMs: this.lastCloseTime(x.symbolIndex, dd) };
      const mark = pickMark(hourly, daily);
      if (mark === null) throw new Error(`no price to mark ${x.asset} at ${new Date(endMs).toISOString()}`);
      return { holding: x.quantity, mark };
    });
    const equity = equityAt(this.balances.get(this.params.quoteAsset) ?? ZERO, marks);
    const check = checkPortfolioRisk(equity, this.previousDayEquity, this.equityPeak, this.settings);
    this.equityPeak = check.newPeak;
    if (check.reason !== null) {
      for (const i of this.risk.keys()) if (!this.pending.has(i)) this.pending.set(i, check.reason);
    }
    const was = this.halt.status;
    this.halt = nextHaltState(this.halt, {
      type: 'risk',
      dailyLoss: check.dailyLoss,
      drawdown: check.drawdown,
      atMs: endMs,
    });
    if (this.halt.status === 'halted' && was !== 'halted' && this.haltedAtMs === null)
      this.haltedAtMs = endMs;
  }

  private lastCloseTime(i: number, d: number): number {
    const s = this.series(i);
    const k = d >= 0 ? (s.atOrBefore[Math.min(d, s.atOrBefore.length - 1)] as number) : -1;
    return k < 0 ? 0 : (s.candles[k] as Candle).openTime + DAY_MS;
  }

  /** §9 close-of-day equity; it is `E(D − 1)` of the next day's daily-loss rule. */
  override mark(d: number, values: boolean, minShare = 0) {
    const m = super.mark(d, values, minShare);
    this.previousDayEquity = dec(m.equity);
    return m;
  }
}

function lastIndexAtOrBefore(bars: HourlyBars, t: number): number {
  let lo = 0;
  let hi = bars.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (bars.openTime(mid) <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
