/**
 * Wiring of download-data: the Binance REST client without credentials (public market data only) on
 * `[data] market_url` (default: the mainnet REST endpoint of the factory, whose public market-data
 * endpoints need no key), with `[exchange]` timeout_ms and a request-weight budget of weight_share × 6000
 * per minute, and the kline downloader.
 */
import type { Logger } from 'pino';
import { BinanceRest, type RestStats } from '../adapters/binance/binance-rest.ts';
import { MAINNET_URL } from '../adapters/binance/factory.ts';
import {
  type DownloadRequest,
  type DownloadSummary,
  downloadKlines,
} from '../adapters/data/kline-download.ts';
import type { Config } from '../config/schema.ts';

/** A finished download: what was written and the requests it cost. */
export interface DownloadOutcome {
  readonly summary: DownloadSummary;
  readonly stats: RestStats;
  /** The market-data base URL used. */
  readonly baseUrl: string;
  /** Wall time, ms. */
  readonly elapsedMs: number;
}

/** The market-data base URL of `config`: `[data] market_url`, else Binance's public REST endpoint. */
export function marketDataUrl(config: Config): string {
  return config.data.market_url || MAINNET_URL;
}

/**
 * Opens the public REST client of `config` and downloads `req` (see `downloadKlines`).
 * @throws the errors of `downloadKlines` (UserInputError 2, DataError 66, ExchangeError 69).
 */
export async function composeDownload(
  config: Config,
  logger: Logger,
  req: Omit<DownloadRequest, 'concurrency'>,
): Promise<DownloadOutcome> {
  const baseUrl = marketDataUrl(config);
  const rest = await BinanceRest.open({
    baseUrl,
    credentials: null,
    timeoutMs: config.exchange.timeout_ms,
    recvWindowMs: config.exchange.recv_window_ms,
    weightBudget: Math.floor(6000 * config.exchange.weight_share),
    logger,
  });
  const started = Date.now();
  const summary = await downloadKlines(rest, { ...req, concurrency: config.exchange.concurrency });
  return { summary, stats: rest.stats(), baseUrl, elapsedMs: Date.now() - started };
}
