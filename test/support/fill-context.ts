import type { FillContext, ModelFill, ModelOutcome } from '../../src/domain/execution/market-fill.ts';
import type { SymbolRules } from '../../src/domain/types.ts';

/**
 * The §7 fill context of a hand-computed test (strategy-semantics.md §7): `rules`, no slippage (0 bps)
 * and fee rate 0.001 (0.1 %) unless `c` says otherwise; `c` gives the reference price (quote asset per
 * base unit, or null for "no candle") and the free balance (quote for a BUY, base for a SELL).
 */
export function fillContext(
  rules: SymbolRules,
  c: Pick<FillContext, 'referencePrice' | 'available'> & Partial<FillContext>,
): FillContext {
  return { rules, slippageBps: 0, feeRate: '0.001', ...c };
}

/**
 * The fill of an outcome the test expects to fill.
 * @throws Error `rejected: <reason>` when the model rejected the order.
 */
export function filled(o: ModelOutcome): ModelFill {
  if (!o.ok) throw new Error(`rejected: ${o.reason}`);
  return o;
}
