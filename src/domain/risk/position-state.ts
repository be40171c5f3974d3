/**
 * Position state of one held symbol (strategy-semantics.md §10 "Position state"): cost basis `C`,
 * holding `h`, entry `e = C / h`, peak `P`. Exact decimals; pure update rules for BUY fills, SELL fills,
 * token swaps (§2) and evaluated bars.
 */
import { type Decimal, dec, roundDown8, ZERO } from '../decimal.ts';

/** The §10 state of one symbol. Quote amounts in the quote asset, quantities in base units. */
export interface PositionState {
  /** Cost basis `C` (quote): what the BUY fills of this position spent, reduced pro rata by SELLs. */
  readonly costBasis: Decimal;
  /** Holding `h` (base units, after commissions, §7). */
  readonly holding: Decimal;
  /** Peak `P` (quote per base); null before the first BUY of the position. */
  readonly peak: Decimal | null;
}

/** No holding, no cost, no peak. */
export const FLAT: PositionState = { costBasis: ZERO, holding: ZERO, peak: null };

/** The parts of a BUY fill the state needs (a `ModelFill` or an exchange fill fits). */
export interface BuyFillLike {
  /** Fill price `p` (quote per base, slipped). */
  readonly price: Decimal;
  /** Quote spent `q · p`. */
  readonly quoteQuantity: Decimal;
  /** Base received after the commission, `q − q · f` (§7). */
  readonly baseDelta: Decimal;
}

/**
 * The last entry divided per cost-basis decimal (decimals are immutable), with the holding it was divided
 * by: the states a peak raise makes share both, so a backtest divides once per BUY or SELL, not per bar.
 */
const entries = new WeakMap<Decimal, { readonly holding: Decimal; readonly entry: Decimal }>();

/**
 * Entry price `e = C / h` (quote per base, §10), divided at 60 significant digits (remembered per cost
 * basis and holding decimal: the same value each time).
 * @throws when the holding is zero (no position, no entry).
 */
export function entryPrice(state: PositionState): Decimal {
  if (state.holding.isZero()) throw new Error('entry price of an empty holding');
  const hit = entries.get(state.costBasis);
  if (hit !== undefined && hit.holding === state.holding) return hit.entry;
  const entry = state.costBasis.div(state.holding);
  entries.set(state.costBasis, { holding: state.holding, entry });
  return entry;
}

/**
 * Whether a BUY fill in a rebalance *opens* the position (§10): before that rebalance's orders the
 * symbol was not a position (zero holding, or dust by `isPosition` at the daily open of `D`), or a SELL
 * of its whole holding filled in that same rebalance.
 * @param wasPositionAtOpen `isPosition(h, open(D), rules)` before the rebalance's orders.
 * @param soldWholeInRebalance a SELL of the whole holding filled in this rebalance.
 */
export function buyOpensPosition(wasPositionAtOpen: boolean, soldWholeInRebalance: boolean): boolean {
  return !wasPositionAtOpen || soldWholeInRebalance;
}

/**
 * Applies a BUY fill (§10): `C += q · p`, `h += q − q · f`; then an opening BUY sets `P := e` (the new
 * entry, after the fill) and any other BUY (a delta top-up) sets `P := max(P, p)`.
 * @param opens from `buyOpensPosition`. A top-up of a state without a peak (a holding whose risk state
 *   was never recorded, e.g. bought before the intraday worker existed) takes `P := p`, the reading of
 *   `max(P, p)` with no `P`.
 */
export function applyBuyFill(state: PositionState, fill: BuyFillLike, opens: boolean): PositionState {
  const costBasis = state.costBasis.plus(fill.quoteQuantity);
  const holding = state.holding.plus(fill.baseDelta);
  if (opens) {
    const next = { costBasis, holding, peak: null };
    return { ...next, peak: entryPrice(next) };
  }
  return { costBasis, holding, peak: state.peak === null ? fill.price : maxDec(state.peak, fill.price) };
}

/**
 * Applies a SELL fill of `q` base units (§10): `C −= C · q / h_before`, `h −= q`. Selling the whole
 * holding leaves `FLAT` (no cost, no peak); otherwise the peak is kept.
 * @param quantity `q` (base units, > 0, at most the holding; throws otherwise).
 */
export function applySellFill(state: PositionState, quantity: Decimal): PositionState {
  if (quantity.lte(0) || quantity.gt(state.holding)) {
    throw new Error(`SELL of ${quantity.toFixed()} from a holding of ${state.holding.toFixed()}`);
  }
  if (quantity.eq(state.holding)) return FLAT;
  const costBasis = state.costBasis.minus(state.costBasis.times(quantity).div(state.holding));
  return { costBasis, holding: state.holding.minus(quantity), peak: state.peak };
}

/**
 * Converts a holding across a token swap / redenomination (§2, §10), before anything else that day:
 * `h := round_down_8(h · close_before / open_after)`, `C` kept, `P := P · open_after / close_before`.
 * @param closeBefore close of the last candle before the gap; @param openAfter open of the first
 *   candle of the new segment (both > 0; throws otherwise).
 */
export function applyTokenSwap(
  state: PositionState,
  closeBefore: Decimal | string,
  openAfter: Decimal | string,
): PositionState {
  const before = dec(closeBefore);
  const after = dec(openAfter);
  if (before.lte(0) || after.lte(0)) throw new Error('token swap with a non-positive price');
  return {
    costBasis: state.costBasis,
    holding: roundDown8(state.holding.times(before).div(after)),
    peak: state.peak === null ? null : state.peak.times(after).div(before),
  };
}

/** §10 step 6: after an evaluated bar without exit, `P := max(P, high)`. A null peak stays null. */
export function raisePeak(state: PositionState, high: Decimal): PositionState {
  if (state.peak === null || !high.gt(state.peak)) return state;
  return { ...state, peak: high };
}

function maxDec(a: Decimal, b: Decimal): Decimal {
  return b.gt(a) ? b : a;
}
