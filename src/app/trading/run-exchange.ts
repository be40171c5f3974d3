/**
 * The exchange of one trading run (a rebalance period or an intraday pass) and what the order executor
 * and the exchange stops run on over it.
 */
import type { Exchange } from '../../ports/exchange.ts';
import type { ExchangeContext, RebalanceDeps } from '../rebalance/deps.ts';
import type { ExchangeStopsDeps } from './exchange-stops.ts';
import type { OrderExecutorDeps } from './order-executor.ts';

/** What {@link openRunExchange} returns. */
export interface RunExchange {
  readonly exchange: Exchange;
  /** The simulated (`replay`) exchange: it fills at once, so a phase's orders go as one batch. */
  readonly batch: boolean;
  /** The executor's and the stops' deps: the exchange, the ledger, clock and logger of `deps`. */
  readonly executorDeps: OrderExecutorDeps & ExchangeStopsDeps;
}

/**
 * Opens the run's exchange (`deps.openExchange(ctx)`).
 * @param live a real exchange (testnet, mainnet): the executor gets `deps.exchangeNow`, so that a phase
 *   sends nothing once the exchange's UTC day is no longer the run's period (issue 14.4).
 * @throws Error when a dry run (`ctx.dryRun`) got an exchange other than the simulated one: nothing may
 *   be placed; what `deps.openExchange` throws.
 */
export async function openRunExchange(
  deps: RebalanceDeps,
  ctx: ExchangeContext,
  live: boolean,
): Promise<RunExchange> {
  const exchange = await deps.openExchange(ctx);
  if (ctx.dryRun && exchange.kind !== 'replay')
    throw new Error(`a dry run got a ${exchange.kind} exchange: refusing to place orders`);
  const { ledger, clock, logger } = deps;
  const executorDeps = {
    exchange,
    ledger,
    clock,
    logger,
    ...(live && deps.exchangeNow ? { exchangeNow: deps.exchangeNow } : {}),
  };
  return { exchange, batch: exchange.kind === 'replay', executorDeps };
}
