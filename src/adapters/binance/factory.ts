/**
 * The Binance factory: REST base URLs per exchange kind (paper, testnet, live), the mainnet interlock
 * (`kind = live` needs `allow_mainnet = true` and `--live`) and the API credentials (HMAC key/secret or
 * an Ed25519 private key file). Every check here runs before any request is sent.
 *
 * `kind = paper` (issue 13 item 2) reads Binance's PUBLIC market data only (klines, exchangeInfo, ticker
 * prices: rest-api.md "Market Data endpoints", no key) and never holds credentials: its REST client has
 * none, so a signed call (account, order) fails before any request; its orders are filled by the
 * simulated matching engine (`adapters/sim`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../../config/errors.ts';
import { CREDENTIAL_ENV, type Credentials } from '../../config/loader.ts';
import type { Config } from '../../config/schema.ts';
import { type BinanceCredentials, BinanceRest } from './binance-rest.ts';

/** Binance spot testnet REST endpoint (../shared/spec/binance/testnet/general-info.md). */
export const TESTNET_URL = 'https://testnet.binance.vision';
/** Binance spot mainnet REST endpoint (rest-api.md "General API Information"). */
export const MAINNET_URL = 'https://api.binance.com';

function configProblem(key: string, message: string): ConfigError {
  return new ConfigError([{ source: 'config', section: 'exchange', key, message }]);
}

/** True for Binance mainnet hosts (`*.binance.com`, `*.binance.us`); the testnet is `*.binance.vision`. */
export function isMainnetUrl(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase();
  return /(^|\.)binance\.(com|us)$/.test(host);
}

/**
 * The market-data base URL of a paper run: `[data] market_url`, else `[exchange] base_url`, else Binance's
 * public mainnet endpoint (its market-data endpoints need no key; no order is ever sent there). No
 * trailing slash.
 */
export function paperMarketUrl(config: Config): string {
  return (config.data.market_url || config.exchange.base_url || MAINNET_URL).replace(/\/+$/, '');
}

/**
 * The REST base URL of a real exchange from the config, enforcing the mainnet interlock.
 * @throws ConfigError naming the keys to set.
 */
export function exchangeBaseUrl(config: Config, live: boolean): string {
  const { kind, base_url, allow_mainnet } = config.exchange;
  if (kind === 'live') {
    const missing = [
      ...(allow_mainnet ? [] : ['allow_mainnet = true in [exchange]']),
      ...(live ? [] : ['the --live flag']),
    ];
    if (missing.length > 0) {
      throw configProblem(
        'kind',
        `[exchange] kind = live trades real money on Binance mainnet; it needs ${missing.join(' and ')} (nothing was sent). Use kind = testnet to practise.`,
      );
    }
    return base_url || MAINNET_URL;
  }
  const url = base_url || TESTNET_URL;
  if (isMainnetUrl(url)) {
    throw configProblem(
      'base_url',
      `[exchange] base_url = ${url} is Binance mainnet but kind = testnet; mainnet needs kind = live, allow_mainnet = true and --live (nothing was sent)`,
    );
  }
  return url;
}

/**
 * The API credentials: HMAC (`BINANCE_API_KEY` + `BINANCE_API_SECRET`) or Ed25519
 * (`BINANCE_API_KEY` + `BINANCE_PRIVATE_KEY_PATH`, a PEM file).
 * @throws ConfigError naming the missing variable or the unreadable file (never a value).
 */
export async function exchangeCredentials(c: Credentials | undefined): Promise<BinanceCredentials> {
  const apiKey = c?.apiKey ?? null;
  if (!apiKey || (!c?.apiSecret && !c?.privateKeyPath)) {
    const missing = [
      ...(apiKey ? [] : [CREDENTIAL_ENV.apiKey]),
      ...(c?.apiSecret || c?.privateKeyPath
        ? []
        : [`${CREDENTIAL_ENV.apiSecret} (or ${CREDENTIAL_ENV.privateKeyPath})`]),
    ];
    throw new ConfigError([
      {
        source: 'env',
        section: null,
        key: null,
        message: `no exchange API key: set ${missing.join(' and ')} in the environment (nothing was sent)`,
      },
    ]);
  }
  if (c.apiSecret) return { apiKey, apiSecret: c.apiSecret };
  const file = path.resolve(c.privateKeyPath as string);
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      {
        source: `env ${CREDENTIAL_ENV.privateKeyPath}`,
        section: null,
        key: null,
        message: `cannot read the Ed25519 private key file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      },
    ]);
  }
  if (!/-----BEGIN PRIVATE KEY-----/.test(pem)) {
    throw new ConfigError([
      {
        source: `env ${CREDENTIAL_ENV.privateKeyPath}`,
        section: null,
        key: null,
        message: `${file} is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----")`,
      },
    ]);
  }
  return { apiKey, privateKeyPem: pem };
}

/** A real exchange checked against the interlock, ready to be opened: its base URL and keys. */
export interface BinanceTarget {
  readonly kind: 'testnet' | 'live';
  /** REST base URL ({@link exchangeBaseUrl}). */
  readonly baseUrl: string;
  readonly credentials: BinanceCredentials;
}

/** The public market data of a paper run: its base URL ({@link paperMarketUrl}) and no credentials. */
export interface PaperTarget {
  readonly kind: 'paper';
  readonly baseUrl: string;
  readonly credentials: null;
}

/**
 * Resolves the Binance endpoint of `config` (`kind = paper | testnet | live`) before anything is opened:
 * testnet / live: the base URL under the mainnet interlock and the credentials; paper: the public
 * market-data URL and no credentials (none are read, even when set in the environment).
 * @param opts.live the `--live` flag; opts.credentials from the environment (`loadConfig().credentials()`).
 * @throws ConfigError (exit 78) from {@link exchangeBaseUrl} or {@link exchangeCredentials}; nothing is sent.
 */
export async function binanceTarget(
  config: Config,
  opts: { readonly live?: boolean; readonly credentials?: Credentials | undefined },
): Promise<BinanceTarget | PaperTarget> {
  if (config.exchange.kind === 'paper')
    return { kind: 'paper', baseUrl: paperMarketUrl(config), credentials: null };
  const baseUrl = exchangeBaseUrl(config, opts.live === true);
  const credentials = await exchangeCredentials(opts.credentials);
  return { kind: config.exchange.kind as 'testnet' | 'live', baseUrl, credentials };
}

/**
 * Opens the REST client of a {@link BinanceTarget} (or the key-less one of a {@link PaperTarget}) with
 * `[exchange]` timeout_ms, recv_window_ms and a request-weight budget of `weight_share` × 6000 per minute
 * (rest-api.md "LIMITS": REQUEST_WEIGHT 6000/min).
 * @throws the errors of `BinanceRest.open` (unreachable exchange, clock sync).
 */
export function openBinanceRest(
  config: Config,
  target: BinanceTarget | PaperTarget,
  logger: Logger,
): Promise<BinanceRest> {
  return BinanceRest.open({
    baseUrl: target.baseUrl,
    credentials: target.credentials,
    timeoutMs: config.exchange.timeout_ms,
    recvWindowMs: config.exchange.recv_window_ms,
    weightBudget: Math.floor(6000 * config.exchange.weight_share),
    logger,
  });
}
