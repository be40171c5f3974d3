/**
 * The composition function of the rebalance job: builds the adapters from the validated config (no
 * service locator). Order matters: everything that can be rejected from the config alone is checked
 * before any data is read, any exchange is contacted or the ledger is opened.
 */
import type { Logger } from 'pino';
import { BinanceExchange } from '../adapters/binance/binance-exchange.ts';
import { BinanceMarketData } from '../adapters/binance/binance-market-data.ts';
import type { BinanceRest } from '../adapters/binance/binance-rest.ts';
import { binanceTarget, openBinanceRest } from '../adapters/binance/factory.ts';
import { checkDataDir, loadDataset } from '../adapters/data/bundled-dataset.ts';
import { PostgresMarketCache } from '../adapters/postgres/market-cache.ts';
import type { PostgresLedger } from '../adapters/postgres/postgres-ledger.ts';
import { SimExchange } from '../adapters/sim/sim-exchange.ts';
import type { ExchangeContext, RebalanceDeps } from '../app/rebalance.ts';
import type { Credentials } from '../config/loader.ts';
import type { Config } from '../config/schema.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { HeldLock } from '../ports/instance-lock.ts';
import type { Ledger } from '../ports/ledger.ts';
import { closeAll, openMigratedLedger, openMigratedLedgerUnder, takeInstanceLock } from './ledger.ts';
import { liveMarketCaps } from './market-caps.ts';
import { dataDirOf } from './settings.ts';

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
  /** The local clock of a real-exchange run (default: the system clock; tests set one). */
  readonly clock?: Clock;
  /**
   * The caller already holds the account's instance lock for longer than these adapters live (the
   * scheduler daemon holds it for its whole life, src/compose/schedule.ts): none is taken, `close()`
   * releases none.
   */
  readonly lockHeld?: boolean;
}

/** Takes the instance lock of a book-writing command, unless the caller holds it ({@link OpenOptions.lockHeld}). */
function lockFor(config: Config, logger: Logger, opts: OpenOptions): Promise<HeldLock> {
  if (opts.lockHeld) return Promise.resolve({ release: async () => {} });
  return takeInstanceLock(config, { command: opts.command ?? 'rebalance', writesBook: true, logger });
}

/**
 * Opens the adapters of a rebalance for `config`: the market data (bundled dataset or `[data] dir`, or
 * Binance for `kind = paper | testnet | live`), the migrated ledger ({@link openMigratedLedger}) and the
 * exchange factory (the simulated one for replay and paper).
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
  const dataDir = dataDirOf(config);
  // The dataset and the ledger open concurrently (file reads and WASM compilation overlap), after the
  // data directory's layout is known to be right, so a wrong --data creates no database.
  await checkDataDir(dataDir);
  const lock = await lockFor(config, logger, opts);
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
    // The instance lock above is held for the whole run: a `running` run of the account is a dead one's.
    holdsAccountLock: true,
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

/**
 * Adapters for `kind = paper | testnet | live`: Binance over binance-api-node, klines cached in the
 * ledger. Paper (issue 13 item 2): the same market data from the public endpoints with a key-less client;
 * every order is filled by the simulated matching engine at the last price (ticker) with slippage_bps and
 * the §7 rules of the live exchangeInfo, from and into the ledger's book.
 */
async function openBinanceAdapters(config: Config, logger: Logger, opts: OpenOptions): Promise<Adapters> {
  const target = await binanceTarget(config, opts);
  const lock = await lockFor(config, logger, opts);
  const ledger = (await openMigratedLedgerUnder(lock, config, logger)) as PostgresLedger;
  try {
    const rest = await openBinanceRest(config, target, logger);
    const url = new URL(target.baseUrl);
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
    const kind = target.kind;
    logger.info({ kind, host: url.host }, 'exchange');
    const deps: RebalanceDeps = {
      market,
      caps,
      ledger,
      // The instance lock above is held for the whole run: a `running` run of the account is a dead one's.
      holdsAccountLock: true,
      clock: opts.clock ?? systemClock,
      logger,
      exchangeStats: () => rest.stats(),
      exchangeNow: () => rest.now(),
      async openExchange(ctx: ExchangeContext) {
        // Paper fills at the exchange's last prices, stamped with the exchange's clock; a dry run
        // simulates the orders the same way and places nothing.
        if (kind === 'paper') return simulatedExchange(ctx, config, { now: () => rest.now() });
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
