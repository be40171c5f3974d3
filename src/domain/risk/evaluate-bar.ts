/**
 * One-bar evaluation of a position (strategy-semantics.md §10 "One bar", steps 1–6), the slipped exit
 * fill price, and the execution of a pending exit at the next bar's open. Pure and exact.
 */
import { type Decimal, dec } from '../decimal.ts';
import { fillPrice } from '../execution/market-fill.ts';
import type { Candle } from '../types.ts';
import type { Levels, StopReason } from './levels.ts';

/** A bar of the interval (or the last price as a bar, §12), prices in quote per base. */
export interface Bar {
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
}

/** Every reason an intraday exit records (§10). */
export type ExitReason = StopReason | 'take_profit' | 'signal' | 'daily_loss' | 'max_drawdown';

/** Reasons of an exit that waits for the next bar's open. */
export type PendingReason = 'signal' | 'daily_loss' | 'max_drawdown';

/** An exit that fires in this bar: SELL the whole holding at the decision price `x`. */
export interface BarExit {
  readonly kind: 'exit';
  readonly reason: ExitReason;
  /** The level that fired (`S` or `T`); null for an exit at an open without a level (pending exits). */
  readonly level: Decimal | null;
  /** Decision price `x` (unslipped), quote per base. */
  readonly price: Decimal;
}

/** The outcome of one bar, with the peak after it. */
export type BarOutcome =
  | (BarExit & { readonly newPeak: Decimal })
  | { readonly kind: 'pending_signal'; readonly reason: 'signal'; readonly newPeak: Decimal }
  | { readonly kind: 'none'; readonly newPeak: Decimal };

/** Converts a candle's decimal strings to a `Bar`. */
export function barOf(candle: Pick<Candle, 'open' | 'high' | 'low' | 'close'>): Bar {
  return { open: dec(candle.open), high: dec(candle.high), low: dec(candle.low), close: dec(candle.close) };
}

/**
 * Evaluates one bar in the §10 order; the first step that fires wins:
 * 1. `S` set and `open <= S` → exit at `x = open` (a gap through the stop);
 * 2. `T` set and `open >= T` → exit at `x = open`;
 * 3. `S` set and `low <= S` → exit at `x = S`;
 * 4. `T` set and `high >= T` → exit at `x = T` (so a bar through both levels exits at the stop);
 * 5. `signalAtClose` → `pending_signal`: the SELL executes at the next bar's open (step 6 skipped);
 * 6. none → `P := max(P, high)`.
 * The caller has checked `isPosition` at this bar's open and computed `levels` from the state before
 * the bar. An exit or a pending signal leaves the peak unchanged (so does a rejected SELL, §10).
 * @param signalAtClose the exit signal (sma_cross / breakout) at this bar's close; false when off or
 *   undefined.
 */
export function evaluateBar(levels: Levels, bar: Bar, signalAtClose: boolean): BarOutcome {
  const s = levels.stop;
  const t = levels.takeProfit;
  const peak = levels.peak;
  if (s && bar.open.lte(s.level))
    return { kind: 'exit', reason: s.reason, level: s.level, price: bar.open, newPeak: peak };
  if (t && bar.open.gte(t))
    return { kind: 'exit', reason: 'take_profit', level: t, price: bar.open, newPeak: peak };
  if (s && bar.low.lte(s.level))
    return { kind: 'exit', reason: s.reason, level: s.level, price: s.level, newPeak: peak };
  if (t && bar.high.gte(t)) return { kind: 'exit', reason: 'take_profit', level: t, price: t, newPeak: peak };
  if (signalAtClose) return { kind: 'pending_signal', reason: 'signal', newPeak: peak };
  return { kind: 'none', newPeak: bar.high.gt(peak) ? bar.high : peak };
}

/**
 * The last price as a bar (§12): `open = high = low = close = last` (quote per base), evaluated after
 * the closed candles of a live pass.
 */
export function lastPriceBar(last: Decimal): Bar {
  return { open: last, high: last, low: last, close: last };
}

/**
 * A pending exit (signal, daily_loss, max_drawdown) executes at the open of the symbol's next bar
 * (§10): decision price `x = open`, no level.
 */
export function pendingExitAtOpen(reason: PendingReason, nextBar: Bar): BarExit {
  return { kind: 'exit', reason, level: null, price: nextBar.open };
}

/**
 * The fill price of an intraday exit, a §7 SELL: `p = x · (1 − slippage_bps / 1e4)`.
 * @param x decision price (quote per base). @param slippageBps slippage in bps (1e-4).
 */
export function exitFillPrice(x: Decimal, slippageBps: number): Decimal {
  return fillPrice('SELL', x, slippageBps);
}
