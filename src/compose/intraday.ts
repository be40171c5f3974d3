/**
 * The composition of the intraday pass (`momentum-rebalancer intraday`, issue 10 item 4): the rebalance's
 * adapters (same exchange factory, venue checks and instance lock, {@link openAdapters}) plus the intraday
 * candles — Binance klines of `[intraday] interval` and the ticker for `kind = testnet | live`, the bundled
 * hourly klines at the replayed time `atMs` for `kind = replay`.
 */
import type { Logger } from 'pino';
import { BinanceIntradayCandles } from '../adapters/binance/intraday-klines.ts';
import { loadHourlyKlines } from '../adapters/data/hourly-klines.ts';
import { ReplayIntradayCandles } from '../adapters/data/replay-intraday.ts';
import { UserInputError } from '../app/errors.ts';
import { intervalMs } from '../app/intraday/interval.ts';
import type { IntradayDeps } from '../app/intraday/run-intraday.ts';
import type { Config } from '../config/schema.ts';
import type { Ledger } from '../ports/ledger.ts';
import { type Adapters, type OpenOptions, openAdapters } from './rebalance.ts';
import { dataDirOf } from './settings.ts';

/**
 * The intraday pass's deps over adapters already opened for a real exchange (the scheduler daemon's): the
 * same adapters plus the Binance klines / ticker of `[intraday] interval`.
 * @throws Error when the adapters have no Binance client (replay: a pass needs `--at`).
 */
export function intradayDepsOf(config: Config, adapters: Adapters): IntradayDeps {
  if (!adapters.rest) throw new Error('the scheduled intraday pass needs [exchange] kind = testnet or live');
  const interval = config.intraday.interval;
  return {
    ...adapters.deps,
    candles: new BinanceIntradayCandles(adapters.rest, interval, intervalMs(interval)),
  };
}

/** Opened adapters of the pass and how to close them. */
export interface IntradayAdapters {
  readonly deps: IntradayDeps;
  readonly ledger: Ledger;
  close(): Promise<void>;
}

/**
 * Opens the adapters of an intraday pass.
 * @param atMs replay only: the pass time τ (UTC ms, `--at`); required there, refused for a real exchange.
 * @throws UserInputError for `--at` missing in replay or given for a real exchange, or an interval other
 *   than `1h` in replay (the bundled data is hourly); what {@link openAdapters} throws.
 */
export async function openIntradayAdapters(
  config: Config,
  logger: Logger,
  opts: OpenOptions & { readonly atMs?: number },
): Promise<IntradayAdapters> {
  const interval = config.intraday.interval;
  const replay = config.exchange.kind === 'replay';
  if (replay && opts.atMs === undefined)
    throw new UserInputError('intraday on [exchange] kind = replay needs --at YYYY-MM-DDTHH:MMZ');
  if (!replay && opts.atMs !== undefined)
    throw new UserInputError(`--at is for [exchange] kind = replay; ${config.exchange.kind} passes run now`);
  if (replay && interval !== '1h')
    throw new UserInputError(
      `[intraday] interval = ${interval}: a replayed pass reads the bundled hourly klines; use interval = 1h`,
    );
  const step = intervalMs(interval);
  const adapters = await openAdapters(config, logger, { command: 'intraday', ...opts });
  try {
    const candles =
      replay || !adapters.rest
        ? new ReplayIntradayCandles(await loadHourlyKlines(dataDirOf(config)), opts.atMs as number)
        : new BinanceIntradayCandles(adapters.rest, interval, step);
    return { deps: { ...adapters.deps, candles }, ledger: adapters.ledger, close: () => adapters.close() };
  } catch (err) {
    await adapters.close();
    throw err;
  }
}
