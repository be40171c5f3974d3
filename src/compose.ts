/**
 * The composition root: builds the adapters from the validated config (one function, no service
 * locator) for the jobs and the CLI. Order matters: everything that can be rejected from the config
 * alone is checked before any data is read, any exchange is contacted or the ledger is opened.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { checkDataDir, loadDataset } from './adapters/data/bundled-dataset.ts';
import { openLedger } from './adapters/postgres/connect.ts';
import { SimExchange } from './adapters/sim/sim-exchange.ts';
import { NotAvailableError } from './app/errors.ts';
import type { ExchangeContext, RebalanceDeps } from './app/rebalance.ts';
import type { RebalanceSettings } from './app/settings.ts';
import type { Config } from './config/schema.ts';
import { BUNDLED_DATA_URL } from './paths.ts';
import { systemClock } from './ports/clock.ts';
import type { Ledger } from './ports/ledger.ts';

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

/** Opened adapters and how to close them. */
export interface Adapters {
  readonly deps: RebalanceDeps;
  readonly ledger: Ledger;
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

/**
 * Opens the adapters of a rebalance for `config`: the market data (bundled dataset or `[data] dir`),
 * the migrated ledger ({@link openMigratedLedger}) and the exchange factory.
 * @throws NotAvailableError (exit 78) for `kind = testnet | live` (built in a later release) — before
 *   anything is read or opened; DataError for a missing or corrupt data directory; LedgerConnectionError
 *   for an unreachable database.
 */
export async function openAdapters(config: Config, logger: Logger): Promise<Adapters> {
  if (config.exchange.kind !== 'replay') {
    throw new NotAvailableError(
      `[exchange] kind = ${config.exchange.kind} is not available yet in this version; allowed now: replay`,
    );
  }
  const dataDir = config.data.dir ? path.resolve(config.data.dir) : BUNDLED_DATA_DIR;
  // The dataset and the ledger open concurrently (file reads and WASM compilation overlap), after the
  // data directory's layout is known to be right, so a wrong --data creates no database.
  await checkDataDir(dataDir);
  const t0 = performance.now();
  const timed = <T>(name: string, p: Promise<T>) =>
    p.finally(() => logger.debug({ ms: Math.round(performance.now() - t0) }, `${name} ready`));
  const [dataResult, ledgerResult] = await Promise.allSettled([
    timed('dataset', loadDataset(dataDir)),
    timed('ledger', openMigratedLedger(config, logger)),
  ]);
  if (dataResult.status === 'rejected' || ledgerResult.status === 'rejected') {
    if (ledgerResult.status === 'fulfilled') await ledgerResult.value.close();
    throw dataResult.status === 'rejected'
      ? dataResult.reason
      : (ledgerResult as PromiseRejectedResult).reason;
  }
  const dataset = dataResult.value;
  const ledger = ledgerResult.value;
  for (const w of dataset.warnings) logger.warn(w);
  const feeRate = config.execution.fee_rate;
  const slippageBps = config.execution.slippage_bps;
  const deps: RebalanceDeps = {
    market: dataset,
    caps: dataset.marketCaps,
    ledger,
    clock: systemClock,
    logger,
    async openExchange(ctx: ExchangeContext) {
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
        feeRate,
        slippageBps,
        // Replayed fills happen at the open of the decision day.
        clock: { now: () => ctx.dayMs },
      });
    },
  };
  return { deps, ledger, close: () => ledger.close() };
}
