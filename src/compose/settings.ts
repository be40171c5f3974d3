/**
 * Shared pieces of the composition functions: the bundled data directory and the mapping of the
 * validated config onto the use cases' settings.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAINNET_URL, paperMarketUrl, TESTNET_URL } from '../adapters/binance/factory.ts';
import type { RebalanceSettings } from '../app/settings.ts';
import { riskSettingsFrom } from '../config/risk-config.ts';
import type { Config } from '../config/schema.ts';
import { BUNDLED_DATA_URL } from '../paths.ts';

/** The bundled dataset shipped in the package (`data/`). */
export const BUNDLED_DATA_DIR = fileURLToPath(BUNDLED_DATA_URL);

/** Maps the validated config onto the rebalance use case's settings. */
export function settingsFrom(config: Config): RebalanceSettings {
  return {
    account: config.paper.account || config.exchange.kind,
    exchangeKind: config.exchange.kind,
    venue: venueOf(config),
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
      allowEmpty: config.universe.allow_empty,
    },
    portfolio: {
      rebalanceMode: config.portfolio.rebalance_mode,
      cashBuffer: config.portfolio.cash_buffer,
      band: config.portfolio.band,
    },
    execution: { feeRate: config.execution.fee_rate, slippageBps: config.execution.slippage_bps },
    risk: riskSettingsFrom(config),
  };
}

/** The data directory of `config`: `[data] dir` resolved, else the bundled dataset. */
export function dataDirOf(config: Config): string {
  return config.data.dir ? path.resolve(config.data.dir) : BUNDLED_DATA_DIR;
}

/**
 * The venue an account's book belongs to (issue 9.1): `replay`, or `<kind> <base URL>` with the URL
 * normalised (no trailing slash) and the kind's default URL when `base_url` is empty; paper (issue 13.2):
 * `paper <market-data URL>` ({@link paperMarketUrl}). No interlock check: the Binance factory does that
 * before any request.
 */
export function venueOf(config: Config): string {
  const { kind, base_url } = config.exchange;
  if (kind === 'replay') return 'replay';
  if (kind === 'paper') return `paper ${paperMarketUrl(config)}`;
  const url = (base_url || (kind === 'live' ? MAINNET_URL : TESTNET_URL)).replace(/\/+$/, '');
  return `${kind} ${url}`;
}
