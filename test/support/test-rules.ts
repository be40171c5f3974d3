import type { SymbolRules } from '../../src/domain/types.ts';

/**
 * The §6 rules of a made-up symbol (strategy-semantics.md §6; source `test`): `r` gives the LOT_SIZE
 * stepSize and minQty (base units), the NOTIONAL minNotional (quote asset) and the PRICE_FILTER tickSize.
 */
export function testRules(
  symbol: string,
  r: Pick<SymbolRules, 'stepSize' | 'minQty' | 'minNotional' | 'tickSize'>,
): SymbolRules {
  return { symbol, ...r, source: 'test' };
}
