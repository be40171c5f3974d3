/**
 * The dust rule (strategy-semantics.md §10 "Position state", §6): a holding is a *position* while a
 * SELL of it could execute at the bar's open; anything else is dust and gets no intraday order.
 */
import { type Decimal, dec, floorStep } from '../decimal.ts';
import type { SymbolRules } from '../types.ts';

/**
 * `floor_step(h) > 0`, `floor_step(h) >= minQty` and `floor_step(h) · open >= minNotional` (§6 rules).
 * @param holding `h` (base units). @param open the bar's unslipped open (quote per base).
 * @param rules stepSize, minQty, minNotional of the symbol (§6).
 */
export function isPosition(holding: Decimal, open: Decimal, rules: SymbolRules): boolean {
  const q = floorStep(holding, rules.stepSize);
  return q.gt(0) && q.gte(dec(rules.minQty)) && q.times(open).gte(dec(rules.minNotional));
}
