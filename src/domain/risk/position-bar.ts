/**
 * One bar of one held symbol, end to end (strategy-semantics.md §10): the dust rule at the bar's open,
 * the levels from the state before the bar, steps 1–6, and the state after the bar. The fill itself
 * (§7 SELL at `exitFillPrice`) and what a rejected SELL means are the caller's.
 */
import type { SymbolRules } from '../types.ts';
import { type Bar, type BarOutcome, evaluateBar } from './evaluate-bar.ts';
import { isPosition } from './is-position.ts';
import { computeLevels, type LevelSettings, type Levels } from './levels.ts';
import { entryPrice, type PositionState } from './position-state.ts';

/** The result of one bar: dust (no order, state unchanged) or the §10 outcome with its levels. */
export type PositionBarResult =
  | { readonly kind: 'dust'; readonly state: PositionState }
  | {
      readonly kind: 'evaluated';
      /** The levels before the bar (for the decision record: entry, peak, F, R, S, T). */
      readonly levels: Levels;
      readonly outcome: BarOutcome;
      /** The state after the bar: only the peak changes, and only on `none` (step 6). */
      readonly state: PositionState;
    };

/**
 * Evaluates one bar for one symbol (§10).
 * @param state the position state before the bar (holding in base units, cost basis in quote).
 * @param bar the interval's candle (or the last price as a bar, §12), quote per base.
 * @param rules the symbol's §6 rules (dust test at the unslipped open).
 * @param signalAtClose the exit signal at this bar's close (false when off or undefined).
 * @returns `dust` when the holding is not a position at `bar.open` (or has no peak); otherwise the
 *   levels, the outcome and the state after the bar.
 */
export function evaluatePositionBar(
  state: PositionState,
  bar: Bar,
  rules: SymbolRules,
  settings: LevelSettings,
  signalAtClose: boolean,
): PositionBarResult {
  if (state.peak === null || !isPosition(state.holding, bar.open, rules)) return { kind: 'dust', state };
  const levels = computeLevels(entryPrice(state), state.peak, settings);
  const outcome = evaluateBar(levels, bar, signalAtClose);
  const next = outcome.newPeak.eq(state.peak) ? state : { ...state, peak: outcome.newPeak };
  return { kind: 'evaluated', levels, outcome, state: next };
}
