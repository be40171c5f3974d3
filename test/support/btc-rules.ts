import type { SymbolRules } from '../../src/domain/types.ts';

/**
 * BTCUSDT's §6 rules as the 2023-09-08 exchangeInfo snapshot gives them (LOT_SIZE/MARKET_LOT_SIZE
 * stepSize 0.00001, minQty 0.00001, NOTIONAL minNotional 5, PRICE_FILTER tickSize 0.01) — one copy for
 * the tests that need a symbol's rules without loading exchangeInfo.
 */
export const BTC_RULES: SymbolRules = {
  symbol: 'BTCUSDT',
  stepSize: '0.00001',
  minQty: '0.00001',
  minNotional: '5',
  tickSize: '0.01',
  source: 'test',
};

/**
 * A made-up XUSDT's §6 rules for the risk tests: stepSize and minQty 0.001, minNotional 5, tickSize
 * 0.0001.
 */
export const X_RULES: SymbolRules = {
  symbol: 'XUSDT',
  stepSize: '0.001',
  minQty: '0.001',
  minNotional: '5',
  tickSize: '0.0001',
  source: 'test',
};
