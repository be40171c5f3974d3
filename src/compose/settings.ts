/**
 * Shared pieces of the composition functions: the bundled data directory and the mapping of the
 * validated config onto the use cases' settings.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RebalanceSettings } from '../app/settings.ts';
import type { Config } from '../config/schema.ts';
import { BUNDLED_DATA_URL } from '../paths.ts';

/** The bundled dataset shipped in the package (`data/`). */
export const BUNDLED_DATA_DIR = fileURLToPath(BUNDLED_DATA_URL);

/** Maps the validated config onto the rebalance use case's settings. */
export function settingsFrom(config: Config): RebalanceSettings {
  return {
    account: config.paper.account,
    exchangeKind: config.exchange.kind,
    quoteAsset: config.universe.quote_asset,
    initialQuote: config.paper.initial_quote,
    strategy: {
      mode: config.strategy.mode,
      lookbackDays: config.strategy.lookback_days,
      topN: config.strategy.top_n,
      rebalanceEveryDays: config.strategy.rebalance_every_days,
    },
    universe: {
      minAgeDays: config.universe.min_age_days,
      minMarketCap: config.universe.min_market_cap,
      minQuoteVolume: config.universe.min_quote_volume,
      exclude: config.universe.exclude,
      include: config.universe.include,
    },
    portfolio: {
      rebalanceMode: config.portfolio.rebalance_mode,
      cashBuffer: config.portfolio.cash_buffer,
      band: config.portfolio.band,
    },
    execution: { feeRate: config.execution.fee_rate, slippageBps: config.execution.slippage_bps },
  };
}

/** The data directory of `config`: `[data] dir` resolved, else the bundled dataset. */
export function dataDirOf(config: Config): string {
  return config.data.dir ? path.resolve(config.data.dir) : BUNDLED_DATA_DIR;
}
