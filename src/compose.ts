/**
 * The composition root: builds the adapters from the validated config (one function, no service
 * locator) for the jobs and the CLI. Order matters: everything that can be rejected from the config
 * alone is checked before any data is read, any exchange is contacted or the ledger is opened.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { BinanceExchange } from './adapters/binance/binance-exchange.ts';
import { BinanceMarketData } from './adapters/binance/binance-market-data.ts';
import { type BinanceCredentials, BinanceRest } from './adapters/binance/binance-rest.ts';
import { checkDataDir, loadDataset } from './adapters/data/bundled-dataset.ts';
import { CMC_TOP200_FILE, parseCmcTop200Csv } from './adapters/data/cmc-csv.ts';
import { locateFile, readDataText } from './adapters/data/data-files.ts';
import { LockFileLocker } from './adapters/lock/lock-file.ts';
import { BundledMarketCaps } from './adapters/marketcap/bundled-snapshots.ts';
import { CoinGeckoMarketCaps } from './adapters/marketcap/coingecko.ts';
import { openLedger } from './adapters/postgres/connect.ts';
import { AdvisoryLocker } from './adapters/postgres/instance-lock.ts';
import { PostgresMarketCache } from './adapters/postgres/market-cache.ts';
import type { PostgresLedger } from './adapters/postgres/postgres-ledger.ts';
import { SimExchange } from './adapters/sim/sim-exchange.ts';
import type { ExchangeContext, RebalanceDeps } from './app/rebalance.ts';
import type { RebalanceSettings } from './app/settings.ts';
import { ConfigError } from './config/errors.ts';
import { CREDENTIAL_ENV, type Credentials } from './config/loader.ts';
import { riskSettingsFrom } from './config/risk-config.ts';
import type { Config } from './config/schema.ts';
import { BUNDLED_DATA_URL } from './paths.ts';
import { systemClock } from './ports/clock.ts';
import type { HeldLock } from './ports/instance-lock.ts';
import type { Ledger } from './ports/ledger.ts';
import type { MarketCaps } from './ports/market-caps.ts';

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
    risk: riskSettingsFrom(config),
  };
}

/** Opened adapters and how to close them. */
export interface Adapters {
  readonly deps: RebalanceDeps;
  readonly ledger: Ledger;
  /** The Binance REST client (real exchanges only): request and weight counters. */
  readonly rest?: BinanceRest;
  /** The Binance market data (real exchanges only): kline request counter. */
  readonly market?: BinanceMarketData;
  close(): Promise<void>;
}

/**
 * Opens the ledger of `config` — Postgres at `[database] url` / `DATABASE_URL`, else embedded PGlite at
 * `[database] data_dir` — and applies pending migrations.
 * @throws LedgerConnectionError for an unreachable database; the error of a failing migration.
 */
export async function openMigratedLedger(config: Config, logger: Logger): Promise<Ledger> {
  const ledger = await openLedger({
    ...(config.database.url ? { url: config.database.url } : {}),
    dataDir: path.resolve(config.database.data_dir),
    logger,
  });
  try {
    await ledger.migrate();
  } catch (err) {
    await ledger.close();
    throw err;
  }
  return ledger;
}

/** A lock that holds nothing (an in-memory PGlite, or a read-only command on a Postgres server). */
const NO_LOCK: HeldLock = { release: async () => {} };

/**
 * Takes the instance lock of `config`'s ledger before it is opened (issue 9 item 4): on a Postgres
 * server the account's advisory lock on one dedicated connection, taken only by commands that write the
 * book (`writesBook`); for embedded PGlite the exclusive lock file `<data_dir>.lock`, taken by EVERY
 * command that opens the directory (PGlite is one process per directory). Waits `[database]
 * lock_wait_ms`.
 * @throws LockHeldError (exit 75) naming the holder; LedgerConnectionError (exit 69) for an unreachable
 *   server.
 */
export async function takeInstanceLock(
  config: Config,
  opts: { readonly command: string; readonly writesBook: boolean; readonly logger?: Logger },
): Promise<HeldLock> {
  // The account as the use case names it (settingsFrom resolves any default).
  const req = {
    account: settingsFrom(config).account,
    command: opts.command,
    waitMs: config.database.lock_wait_ms,
  };
  if (config.database.url) {
    if (!opts.writesBook) return NO_LOCK;
    return new AdvisoryLocker(config.database.url, {
      // The server closed the lock's connection: another instance may now take the account.
      onLost: (err) =>
        opts.logger?.error(
          { account: req.account, code: (err as { code?: string }).code },
          'account lock lost',
        ),
    }).acquire(req);
  }
  const dir = config.database.data_dir;
  if (dir === ':memory:' || dir.startsWith('memory://')) return NO_LOCK;
  return new LockFileLocker(`${path.resolve(dir)}.lock`).acquire(req);
}

/**
 * {@link openMigratedLedger} under the instance lock of a command that does not write the account's
 * book (db:migrate, status, history, recording backtests): for PGlite the directory's lock file is taken
 * first (one process per directory); on a Postgres server nothing is locked. `close()` closes the
 * ledger, then releases the lock.
 * @throws LockHeldError (exit 75), LedgerConnectionError (exit 69), a failing migration's error.
 */
export async function openLockedLedger(
  config: Config,
  logger: Logger,
  command: string,
): Promise<{ ledger: Ledger; close(): Promise<void> }> {
  const lock = await takeInstanceLock(config, { command, writesBook: false });
  let ledger: Ledger;
  try {
    ledger = await openMigratedLedger(config, logger);
  } catch (err) {
    await lock.release();
    throw err;
  }
  return { ledger, close: () => closeAll(ledger, lock) };
}

/** What the CLI adds to the config for a real exchange. */
export interface OpenOptions {
  /** The `--live` flag: with `kind = live` and `allow_mainnet = true`, allows mainnet. */
  readonly live?: boolean;
  /** Exchange credentials from the environment (`loadConfig(...).credentials()`). */
  readonly credentials?: Credentials;
  /** Environment for optional keys (COINGECKO_API_KEY); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The command opening the adapters (default `rebalance`): the instance lock ({@link takeInstanceLock})
   * is taken under this name before the ledger opens and released by `close()`.
   */
  readonly command?: string;
}

/** Binance spot testnet REST endpoint (../shared/spec/binance/testnet/general-info.md). */
export const TESTNET_URL = 'https://testnet.binance.vision';
/** Binance spot mainnet REST endpoint (rest-api.md "General API Information"). */
export const MAINNET_URL = 'https://api.binance.com';

/**
 * Opens the adapters of a rebalance for `config`: the market data (bundled dataset or `[data] dir`, or
 * Binance for `kind = testnet | live`), the migrated ledger ({@link openMigratedLedger}) and the
 * exchange factory.
 * @throws ConfigError (exit 78) — before any request or file read — for `kind = live` without both
 *   `allow_mainnet = true` and `--live`, a testnet base_url pointing at mainnet, or missing / unreadable
 *   keys; DataError for a missing or corrupt data directory; LedgerConnectionError for an unreachable
 *   database.
 */
export async function openAdapters(
  config: Config,
  logger: Logger,
  opts: OpenOptions = {},
): Promise<Adapters> {
  if (config.exchange.kind !== 'replay') return openBinanceAdapters(config, logger, opts);
  const dataDir = config.data.dir ? path.resolve(config.data.dir) : BUNDLED_DATA_DIR;
  // The dataset and the ledger open concurrently (file reads and WASM compilation overlap), after the
  // data directory's layout is known to be right, so a wrong --data creates no database.
  await checkDataDir(dataDir);
  const lock = await takeInstanceLock(config, {
    command: opts.command ?? 'rebalance',
    writesBook: true,
    logger,
  });
  const t0 = performance.now();
  const timed = <T>(name: string, p: Promise<T>) =>
    p.finally(() => logger.debug({ ms: Math.round(performance.now() - t0) }, `${name} ready`));
  const [dataResult, ledgerResult] = await Promise.allSettled([
    timed('dataset', loadDataset(dataDir)),
    timed('ledger', openMigratedLedger(config, logger)),
  ]);
  if (dataResult.status === 'rejected' || ledgerResult.status === 'rejected') {
    if (ledgerResult.status === 'fulfilled') await ledgerResult.value.close();
    await lock.release();
    throw dataResult.status === 'rejected'
      ? dataResult.reason
      : (ledgerResult as PromiseRejectedResult).reason;
  }
  const dataset = dataResult.value;
  const ledger = ledgerResult.value;
  for (const w of dataset.warnings) logger.warn(w);
  const deps: RebalanceDeps = {
    market: dataset,
    caps: dataset.marketCaps,
    ledger,
    clock: systemClock,
    logger,
    async openExchange(ctx: ExchangeContext) {
      // Replayed fills happen at the open of the decision day.
      return simulatedExchange(ctx, config, { now: () => ctx.dayMs });
    },
  };
  return { deps, ledger, close: () => closeAll(ledger, lock) };
}

/**
 * The simulated exchange (§7 fills) for a run: starting from the book's balances, filling at
 * `ctx.openAt` (the open of D in replay, the last price live) with the configured fee and slippage.
 */
function simulatedExchange(ctx: ExchangeContext, config: Config, clock: { now(): number }): SimExchange {
  return new SimExchange({
    market: {
      assets: (symbol) => {
        const info = ctx.symbols.get(symbol);
        return info ? { base: info.baseAsset, quote: info.quoteAsset } : null;
      },
      rules: (symbol) => ctx.rules(symbol),
      referencePrice: (symbol) => ctx.openAt(symbol),
    },
    balances: ctx.balances,
    feeRate: config.execution.fee_rate,
    slippageBps: config.execution.slippage_bps,
    clock,
  });
}

function configProblem(key: string, message: string): ConfigError {
  return new ConfigError([{ source: 'config', section: 'exchange', key, message }]);
}

/** True for Binance mainnet hosts (`*.binance.com`, `*.binance.us`); the testnet is `*.binance.vision`. */
export function isMainnetUrl(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase();
  return /(^|\.)binance\.(com|us)$/.test(host);
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

/** The market caps of a real exchange's run: the bundled snapshots (caps file only) or CoinGecko. */
async function liveMarketCaps(
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
  const dir = config.data.dir ? path.resolve(config.data.dir) : BUNDLED_DATA_DIR;
  const file = await locateFile(path.join(dir, 'marketcap', CMC_TOP200_FILE));
  if (!file) {
    logger.warn({ dir }, 'no market-cap snapshots: the min_market_cap filter has no data');
    return new BundledMarketCaps([]);
  }
  return new BundledMarketCaps(parseCmcTop200Csv(await readDataText(file), file));
}

/** Adapters for `kind = testnet | live`: Binance over binance-api-node, klines cached in the ledger. */
async function openBinanceAdapters(config: Config, logger: Logger, opts: OpenOptions): Promise<Adapters> {
  const baseUrl = exchangeBaseUrl(config, opts.live === true);
  const credentials = await exchangeCredentials(opts.credentials);
  const lock = await takeInstanceLock(config, {
    command: opts.command ?? 'rebalance',
    writesBook: true,
    logger,
  });
  let ledger: PostgresLedger;
  try {
    ledger = (await openMigratedLedger(config, logger)) as PostgresLedger;
  } catch (err) {
    await lock.release();
    throw err;
  }
  try {
    const rest = await BinanceRest.open({
      baseUrl,
      credentials,
      timeoutMs: config.exchange.timeout_ms,
      recvWindowMs: config.exchange.recv_window_ms,
      weightBudget: Math.floor(6000 * config.exchange.weight_share),
      logger,
    });
    const url = new URL(baseUrl);
    const market = new BinanceMarketData({
      rest,
      cache: new PostgresMarketCache(ledger.db),
      source: url.host,
      quoteAsset: config.universe.quote_asset,
      minHistoryDays: Math.max(config.strategy.lookback_days + 2, config.universe.min_age_days + 1),
      concurrency: config.exchange.concurrency,
      logger,
    });
    const caps = await liveMarketCaps(config, logger, rest, opts.env ?? process.env);
    const kind = config.exchange.kind as 'testnet' | 'live';
    logger.info({ kind, host: url.host }, 'exchange');
    const deps: RebalanceDeps = {
      market,
      caps,
      ledger,
      clock: systemClock,
      logger,
      exchangeStats: () => rest.stats(),
      async openExchange(ctx: ExchangeContext) {
        // A dry run simulates the orders at the exchange's last prices and places nothing.
        if (ctx.dryRun) return simulatedExchange(ctx, config, systemClock);
        return new BinanceExchange({ rest, kind, rules: (symbol) => ctx.rules(symbol), logger });
      },
    };
    return { deps, ledger, rest, market, close: () => closeAll(ledger, lock) };
  } catch (err) {
    await closeAll(ledger, lock);
    throw err;
  }
}

/** Closes the ledger, then releases the instance lock (even when closing fails). */
async function closeAll(ledger: Ledger, lock: HeldLock): Promise<void> {
  try {
    await ledger.close();
  } finally {
    await lock.release();
  }
}
