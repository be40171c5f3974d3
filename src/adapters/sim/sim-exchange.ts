/**
 * The simulated exchange (`[exchange] kind = replay`): fills MARKET orders exactly as a Binance MARKET
 * order per strategy-semantics.md §7 (commission in the asset received, LOT_SIZE / NOTIONAL filters,
 * -1013 / -2010 rejections), at a reference price supplied by the caller (the open of the decision day
 * in replay). Balances are in memory; the caller loads them from and saves them to the ledger.
 *
 * It is also the matching engine of the local Binance emulator (`src/emulator`), which uses the
 * lower-level {@link SimExchange.executeMarketSync} (every MARKET shape Binance accepts, no clientOrderId
 * bookkeeping) and {@link SimExchange.lock} / {@link SimExchange.unlock} (balances reserved by resting
 * LIMIT orders).
 */
import { decStr } from '../../domain/decimal.ts';
import { SimAccount, type SimAccountOptions, type SimExecution } from '../../domain/execution/sim-account.ts';
import type { Balance } from '../../domain/types.ts';
import type { Clock } from '../../ports/clock.ts';
import {
  type Exchange,
  type MarketOrderRequest,
  type OrderOutcome,
  rejectedOrder,
} from '../../ports/exchange.ts';

export type {
  SimExecution,
  SimMarket,
  SimMarketOrder,
} from '../../domain/execution/sim-account.ts';

/** Options of {@link SimExchange}. */
export interface SimExchangeOptions extends SimAccountOptions {
  /** Transaction timestamps (UTC ms). */
  readonly clock: Clock;
}

/**
 * In-memory Binance-like spot account with MARKET orders only (the §7 fills of {@link SimAccount}) behind
 * the `Exchange` port: clientOrderId bookkeeping, order and trade ids, transaction times.
 * Never throws for business rejections: they come back as `REJECTED` outcomes with Binance's code.
 */
export class SimExchange extends SimAccount implements Exchange {
  readonly kind = 'replay' as const;
  private readonly orders = new Map<string, OrderOutcome>();
  private nextOrderId = 1;
  private nextTradeId = 1;
  private readonly clock: Clock;

  constructor(opts: SimExchangeOptions) {
    super(opts);
    this.clock = opts.clock;
  }

  /** Balances of every asset with a non-zero balance, sorted by asset; all free (no open orders). */
  async balances(): Promise<readonly Balance[]> {
    return this.balancesSync();
  }

  /**
   * Fills a MARKET order per §7. SELL needs `quantity`, BUY needs `quoteOrderQty` (the only shapes the
   * rebalancer sends). A clientOrderId seen before is rejected (-2010 `Duplicate order sent.`).
   */
  async placeMarketOrder(req: MarketOrderRequest): Promise<OrderOutcome> {
    return this.placeSync(req);
  }

  /** Synchronous {@link placeMarketOrder}. */
  placeSync(req: MarketOrderRequest): OrderOutcome {
    const reject = (code: number | null, reason: string, message: string): OrderOutcome =>
      rejectedOrder(req, code, reason, message);
    if (this.orders.has(req.clientOrderId)) return reject(-2010, 'duplicate_order', 'Duplicate order sent.');
    const assets = this.opts.market.assets(req.symbol);
    if (!assets) return reject(-1121, 'unknown_symbol', 'Invalid symbol.');
    let ex: SimExecution;
    if (req.side === 'SELL') {
      if (req.quantity === undefined)
        return reject(-1102, 'bad_request', "Mandatory parameter 'quantity' was not sent.");
      ex = this.executeMarketSync({ symbol: req.symbol, side: 'SELL', quantity: req.quantity });
    } else {
      if (req.quoteOrderQty === undefined) {
        return reject(-1102, 'bad_request', "Mandatory parameter 'quoteOrderQty' was not sent.");
      }
      ex = this.executeMarketSync({ symbol: req.symbol, side: 'BUY', quoteOrderQty: req.quoteOrderQty });
    }
    let outcome: OrderOutcome;
    if (!ex.ok) {
      outcome = reject(ex.code, ex.reason, ex.message);
    } else {
      const model = ex.fill;
      outcome = {
        status: 'FILLED',
        symbol: req.symbol,
        side: req.side,
        clientOrderId: req.clientOrderId,
        exchangeOrderId: String(this.nextOrderId++),
        executedQty: decStr(model.quantity),
        cummulativeQuoteQty: decStr(model.quoteQuantity),
        transactTime: this.clock.now(),
        fills: [
          {
            tradeId: String(this.nextTradeId++),
            price: decStr(model.price),
            quantity: decStr(model.quantity),
            quoteQuantity: decStr(model.quoteQuantity),
            commission: decStr(model.commission),
            commissionAsset: model.commissionIn === 'base' ? assets.base : assets.quote,
          },
        ],
      };
    }
    this.orders.set(req.clientOrderId, outcome);
    return outcome;
  }

  /** The outcome of an order placed on this instance, by clientOrderId; null when unknown. */
  async queryOrder(_symbol: string, clientOrderId: string): Promise<OrderOutcome | null> {
    return this.orders.get(clientOrderId) ?? null;
  }
}
