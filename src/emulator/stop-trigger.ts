/**
 * When a resting STOP_LOSS / TAKE_PROFIT order triggers, and at what price (pure, no I/O). The rules are
 * rest-api.md "New order" (`stopPrice`, `trailingDelta`: "This will execute a MARKET order when the
 * conditions are met") and faqs/trailing-stop-faq.md ("What kind of price changes will trigger my trailing
 * stop order?", scenarios A–D), applied to the emulator's price path (docs/emulator.md "Stop orders"):
 * a sequence of *jumps* (a candle's open: the price is there at once, a gap) and continuous linear
 * *moves* (inside a candle: open → low/high → high/low → close), so a level crossed by a move is traded
 * exactly at the level, and a level jumped over is traded at the price jumped to.
 * Prices are in the quote asset per base unit; `trailingDelta` is in BIPS (1 = 0.01 %); times UTC ms.
 */
import { Decimal } from '../domain/decimal.ts';

type D = Decimal;

/** The order's trigger rule. */
export interface StopSpec {
  readonly type: 'STOP_LOSS' | 'TAKE_PROFIT';
  readonly side: 'BUY' | 'SELL';
  /** The stop (activation) price; at least one of it and `trailingDelta` is set. */
  readonly stopPrice?: D;
  /** Trailing delta, BIPS (an integer ≥ 1). */
  readonly trailingDelta?: number;
  /** PRICE_FILTER tickSize (0: none): a trailing trigger level is traded at the first tick beyond it. */
  readonly tickSize: D;
}

/** The mutable tracking state of a resting order. */
export interface StopState {
  /** The stopPrice condition has been met (always true for a trailing order without stopPrice). */
  active: boolean;
  /** Trailing: the highest (SELL) / lowest (BUY) price since tracking began; null before. */
  extreme: D | null;
}

/** A trigger: the price of the MARKET order's reference trade and its time. */
export interface Trigger {
  readonly price: D;
  readonly time: number;
}

/**
 * True when the stopPrice condition is "market price ≤ stopPrice" (STOP_LOSS SELL, TAKE_PROFIT BUY), false
 * when it is "market price ≥ stopPrice" (TAKE_PROFIT SELL, STOP_LOSS BUY) — trailing-stop-faq.md table.
 */
export function triggersBelow(spec: Pick<StopSpec, 'type' | 'side'>): boolean {
  return (spec.type === 'STOP_LOSS') === (spec.side === 'SELL');
}

/** The stopPrice condition at price p (false without a stopPrice). */
export function stopConditionMet(spec: StopSpec, p: D): boolean {
  if (spec.stopPrice === undefined) return false;
  return triggersBelow(spec) ? p.lte(spec.stopPrice) : p.gte(spec.stopPrice);
}

/**
 * The state of an order accepted at price `p0` (the caller has rejected an order whose stopPrice condition
 * `p0` already meets: -2010 "Order would trigger immediately."): a trailing order without stopPrice tracks
 * from `p0` at once; any other waits for its stopPrice.
 */
export function initialState(spec: StopSpec, p0: D): StopState {
  return spec.stopPrice === undefined ? { active: true, extreme: p0 } : { active: false, extreme: null };
}

/** The trailing trigger level from the extreme: SELL `x × (1 − δ/10000)`, BUY `x × (1 + δ/10000)`. */
function trailLevel(spec: StopSpec, extreme: D): D {
  const f = new Decimal(spec.trailingDelta as number).div(10_000);
  return spec.side === 'SELL' ? extreme.times(Decimal.sub(1, f)) : extreme.times(Decimal.add(1, f));
}

/** A level to the first tick a trade reaches it at: SELL down, BUY up (no tick: unchanged). */
function onTick(spec: StopSpec, level: D): D {
  if (!spec.tickSize.gt(0)) return level;
  const n = level.div(spec.tickSize);
  const k = spec.side === 'SELL' ? n.floor() : n.ceil();
  return k.times(spec.tickSize);
}

/** The time at which a linear move from (a, ta) to (b, tb) passes price x (a ≠ b). */
function timeAt(a: D, b: D, ta: number, tb: number, x: D): number {
  if (a.eq(b)) return tb;
  const frac = x.minus(a).div(b.minus(a)).toNumber();
  return Math.floor(ta + (tb - ta) * Math.min(1, Math.max(0, frac)));
}

/**
 * The price jumps to `p` at `t` (a candle's open; a gap when it lands beyond a level). Activates the order
 * when `p` meets the stopPrice condition (a trailing order starts tracking at `p`); triggers it at `p` when
 * it is not trailing, or when trailing and `p` is beyond the trailing level.
 * @returns the trigger, or null (the state is updated).
 */
export function jump(spec: StopSpec, st: StopState, p: D, t: number): Trigger | null {
  if (!st.active) {
    if (!stopConditionMet(spec, p)) return null;
    st.active = true;
    if (spec.trailingDelta === undefined) return { price: p, time: t };
    st.extreme = p;
    return null;
  }
  if (spec.trailingDelta === undefined) return { price: p, time: t };
  const x = st.extreme ?? p;
  const level = trailLevel(spec, x);
  if (spec.side === 'SELL' ? p.lte(level) : p.gte(level)) return { price: p, time: t };
  st.extreme = spec.side === 'SELL' ? Decimal.max(x, p) : Decimal.min(x, p);
  return null;
}

/**
 * The price moves linearly from `a` (at `ta`, already processed) to `b` (at `tb`). A stopPrice crossed on
 * the way activates the order at the stopPrice (trailing-stop-faq.md: "the first trade that meets this
 * condition sets the highest/lowest price"); a non-trailing order triggers there. A trailing order
 * triggers where the move reaches its level (`extreme × (1 ∓ δ)`, on the tick), else follows the
 * new extreme.
 * @returns the trigger, or null (the state is updated).
 */
export function move(spec: StopSpec, st: StopState, a: D, b: D, ta: number, tb: number): Trigger | null {
  if (!st.active) {
    if (!stopConditionMet(spec, b)) return null;
    const s = spec.stopPrice as D;
    const ts = timeAt(a, b, ta, tb, s);
    st.active = true;
    if (spec.trailingDelta === undefined) return { price: s, time: ts };
    st.extreme = s;
    return move(spec, st, s, b, ts, tb);
  }
  if (spec.trailingDelta === undefined) return { price: a, time: ta };
  const x = st.extreme ?? a;
  const adverse = spec.side === 'SELL' ? b.lt(a) : b.gt(a);
  if (!adverse) {
    st.extreme = spec.side === 'SELL' ? Decimal.max(x, b) : Decimal.min(x, b);
    return null;
  }
  const level = onTick(spec, trailLevel(spec, x));
  if (spec.side === 'SELL' ? b.lte(level) : b.gte(level)) {
    return { price: level, time: timeAt(a, b, ta, tb, level) };
  }
  return null;
}

/** One candle (decimal prices; `openTime` UTC ms, `len` ms). */
export interface PathBar {
  readonly openTime: number;
  readonly len: number;
  readonly open: D;
  readonly high: D;
  readonly low: D;
  readonly close: D;
}

/**
 * The points of a candle's price path after its open (docs/emulator.md "Stop orders"): a rising candle
 * (close ≥ open) goes open → low → high → close, a falling one open → high → low → close, at a third,
 * two thirds and the last ms of the candle.
 */
export function intrabarPath(bar: PathBar): { price: D; time: number }[] {
  const up = bar.close.gte(bar.open);
  const third = Math.floor(bar.len / 3);
  return [
    { price: up ? bar.low : bar.high, time: bar.openTime + third },
    { price: up ? bar.high : bar.low, time: bar.openTime + 2 * third },
    { price: bar.close, time: bar.openTime + bar.len - 1 },
  ];
}
