/**
 * One position through one intraday pass (strategy-semantics.md §12 with §10's rules): a pending exit
 * executes at the next bar's open; else every candle of the interval closed since the previous pass is
 * evaluated (oldest first, §10 steps 1–6 with the exit signal at its close), then the last price as a bar
 * `open = high = low = close = last`. Pure: the pass sends the SELL and stores the state.
 */
import type { Decimal } from '../../domain/decimal.ts';
import { dec, decStr } from '../../domain/decimal.ts';
import { barOf, type ExitReason, lastPriceBar, type PendingReason } from '../../domain/risk/evaluate-bar.ts';
import { isPosition } from '../../domain/risk/is-position.ts';
import type { Levels } from '../../domain/risk/levels.ts';
import { evaluatePositionBar } from '../../domain/risk/position-bar.ts';
import { entryPrice, type PositionState } from '../../domain/risk/position-state.ts';
import type { RiskSettings } from '../../domain/risk/risk-settings.ts';
import { exitSignalAt } from '../../domain/signals/exit-signal.ts';
import type { Candle, SymbolRules } from '../../domain/types.ts';

/** What one position brings to the pass. */
export interface PositionInput {
  readonly symbol: string;
  /** The §10 state before the pass (holding = the book's holding). */
  readonly state: PositionState;
  /** An exit decided earlier, to execute at the next bar's open. */
  readonly pending: PendingReason | null;
  /** Earlier candles (for the exit signal's SMAs / channel), ascending; may be empty. */
  readonly history: readonly Candle[];
  /** The closed candles not evaluated yet, ascending. */
  readonly candles: readonly Candle[];
  /** The last price now (quote per base), or null when the exchange gave none. */
  readonly last: Decimal | null;
  /** The pass time τ, UTC ms. */
  readonly nowMs: number;
  readonly rules: SymbolRules;
}

/** An exit the pass must send: a MARKET SELL of the whole holding. */
export interface PositionExit {
  readonly reason: ExitReason;
  /** The level that fired (`S` or `T`), null for an exit at an open (pending exits). */
  readonly level: Decimal | null;
  /** Decision price `x` (quote per base). */
  readonly price: Decimal;
  /** Open time of the bar that fired (τ for the last-price bar), UTC ms. */
  readonly atMs: number;
}

/** What the pass decided for one position. */
export interface PositionOutcome {
  /** The state after the pass (the peak raised by bars without exit). */
  readonly state: PositionState;
  /** The exit still pending after the pass (only when it could not execute: no bar and no price). */
  readonly pending: PendingReason | null;
  readonly exit: PositionExit | null;
  /** The decision record (decimals as strings): entry, peak, levels, last price, what fired or why not. */
  readonly detail: Record<string, unknown>;
}

/**
 * Evaluates one position (see the module docstring).
 * @param settings the §10 settings.
 */
export function evaluatePosition(p: PositionInput, settings: RiskSettings): PositionOutcome {
  let state = p.state;
  let pending = p.pending;
  const all = [...p.history, ...p.candles];
  const closes = settings.exitSignal === 'none' ? [] : all.map((c) => dec(c.close));
  const lows = settings.exitSignal === 'none' ? [] : all.map((c) => dec(c.low));
  const bars: { open: Decimal; high: Decimal; low: Decimal; close: Decimal; atMs: number; k: number }[] =
    p.candles.map((c, i) => ({ ...barOf(c), atMs: c.openTime, k: p.history.length + i }));
  if (p.last !== null) bars.push({ ...lastPriceBar(p.last), atMs: p.nowMs, k: -1 });
  let levels: Levels | null = null;
  let why = 'no candle and no price';
  let evaluated = 0;
  for (const bar of bars) {
    if (pending !== null) {
      // §10: a pending exit executes at the open of the symbol's next bar (dust gets no order)
      const reason = pending;
      pending = null;
      if (!isPosition(state.holding, bar.open, p.rules)) {
        why = `pending ${reason} exit dropped: dust at ${decStr(bar.open)}`;
        continue;
      }
      return done({ reason, level: null, price: bar.open, atMs: bar.atMs });
    }
    evaluated++;
    const signal =
      bar.k >= 0 && settings.exitSignal !== 'none' && exitSignalAt(closes, lows, bar.k, settings);
    const r = evaluatePositionBar(state, bar, p.rules, settings, signal);
    if (r.kind === 'dust') {
      why = state.peak === null ? 'no peak recorded' : `dust at ${decStr(bar.open)}: no order (§10)`;
      continue;
    }
    levels = r.levels;
    const o = r.outcome;
    if (o.kind === 'exit') return done({ reason: o.reason, level: o.level, price: o.price, atMs: bar.atMs });
    if (o.kind === 'pending_signal') {
      pending = 'signal';
      why = `signal at the close of ${new Date(bar.atMs).toISOString()}: SELL at the next bar's open`;
      continue;
    }
    state = r.state;
    why = 'no rule fired';
  }
  return {
    state,
    pending,
    exit: null,
    detail: detailOf(null, why),
  };

  function done(exit: PositionExit): PositionOutcome {
    return { state, pending: null, exit, detail: detailOf(exit, `${exit.reason} fired`) };
  }

  function detailOf(exit: PositionExit | null, what: string): Record<string, unknown> {
    const s = (d: Decimal | null | undefined) => (d == null ? null : decStr(d));
    return {
      entry: state.holding.isZero() ? null : s(entryPrice(state)),
      peak: s(state.peak),
      holding: s(state.holding),
      stop: s(levels?.stop?.level ?? null),
      stop_reason: levels?.stop?.reason ?? null,
      take_profit: s(levels?.takeProfit ?? null),
      last_price: s(p.last),
      candles: p.candles.length,
      bars_evaluated: evaluated,
      first_candle: p.candles[0] ? new Date(p.candles[0].openTime).toISOString() : null,
      last_candle:
        p.candles.length > 0 ? new Date((p.candles.at(-1) as Candle).openTime).toISOString() : null,
      fired: exit ? exit.reason : null,
      level: exit ? s(exit.level) : null,
      decision_price: exit ? s(exit.price) : null,
      what,
    };
  }
}
