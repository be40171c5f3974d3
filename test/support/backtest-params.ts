/** Universe and book settings shared by the backtest engine tests on the bundled real data. */
import type { BookParams } from '../../src/domain/backtest/fast-book.ts';
import type { FastUniverseParams } from '../../src/domain/backtest/fast-universe.ts';

/**
 * Momentum over 7 days, listed for at least 30 days, no market-cap or quote-volume floor, nothing
 * excluded or forced in (strategy-semantics.md §3-§4 with the size filters off): every USDT pair that is
 * old enough competes.
 */
export const MOMENTUM_7D_ALL_PAIRS: FastUniverseParams = {
  quoteAsset: 'USDT',
  lookbackDays: 7,
  minAgeDays: 30,
  minMarketCap: 0,
  minQuoteVolume: 0,
  exclude: [],
  include: [],
  mode: 'momentum',
};

/**
 * A USDT book that rebalances in full (§8 `full`), keeps no cash buffer and has no band, with the cash,
 * fee rate and slippage (bps) of `s` (the settings of a config); `details`: collect fills and rejections.
 */
export function fullRebalanceBook(
  s: {
    readonly initialQuote: string;
    readonly execution: { readonly feeRate: string; readonly slippageBps: number };
  },
  details: boolean,
): BookParams {
  return {
    quoteAsset: 'USDT',
    initialQuote: s.initialQuote,
    feeRate: s.execution.feeRate,
    slippageBps: s.execution.slippageBps,
    rebalanceMode: 'full',
    cashBuffer: 0,
    band: 0,
    details,
  };
}
