/**
 * Shared piece of the composition functions: the market caps of a run on a real exchange.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { BinanceRest } from '../adapters/binance/binance-rest.ts';
import { CMC_TOP200_FILE, parseCmcTop200Csv } from '../adapters/data/cmc-csv.ts';
import { locateFile, readDataText } from '../adapters/data/data-files.ts';
import { BundledMarketCaps } from '../adapters/marketcap/bundled-snapshots.ts';
import { CoinGeckoMarketCaps } from '../adapters/marketcap/coingecko.ts';
import type { Config } from '../config/schema.ts';
import type { MarketCaps } from '../ports/market-caps.ts';
import { dataDirOf } from './settings.ts';

/** The market caps of a real exchange's run: the bundled snapshots (caps file only) or CoinGecko. */
export async function liveMarketCaps(
  config: Config,
  logger: Logger,
  rest: BinanceRest,
  env: Readonly<Record<string, string | undefined>>,
): Promise<MarketCaps> {
  if (config.data.market_caps === 'coingecko') {
    return new CoinGeckoMarketCaps({
      baseUrl: config.data.coingecko_url,
      apiKey: env.COINGECKO_API_KEY || null,
      timeoutMs: config.exchange.timeout_ms,
      now: () => rest.now(),
      logger,
    });
  }
  const dir = dataDirOf(config);
  const file = await locateFile(path.join(dir, 'marketcap', CMC_TOP200_FILE));
  if (!file) {
    logger.warn({ dir }, 'no market-cap snapshots: the min_market_cap filter has no data');
    return new BundledMarketCaps([]);
  }
  return new BundledMarketCaps(parseCmcTop200Csv(await readDataText(file), file), file);
}
