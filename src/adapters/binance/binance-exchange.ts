/**
 * The exchange port over Binance spot REST ({@link BinanceRest}): account balances, MARKET orders by
 * quantity (SELL) or quoteOrderQty (BUY) with our clientOrderId and `newOrderRespType=FULL`, and order
 * lookup by clientOrderId.
 *
 * Never placed twice, even late: an order whose outcome is unknown (timeout, connection lost, 5XX, -1007)
 * is looked up by its clientOrderId (`GET /api/v3/order`) before anything is sent again. "Not found"
 * (-2013) is final only once the request can no longer reach the matching engine: after its
 * `timestamp + recvWindow` (+ a margin) on the exchange clock — Binance rejects a later arrival with
 * -1021 (rest-api.md "Timing security"). A clientOrderId is unique among OPEN orders only and a MARKET
 * order is never open, so the exchange's duplicate check cannot catch a late first request. Until that
 * time the adapter waits and looks again; only then is the order sent again, with the same clientOrderId.
 * A later run that finds a PENDING order passes {@link BinanceExchange.finalAfter} of the time it took the
 * account's lock to {@link BinanceExchange.queryOrder} for the same guarantee.
 * Business rejections (-1013 filter failure, -2010 insufficient balance, -1121 bad symbol, …) come back
 * as `RejectedOrder`s with Binance's code; everything else throws an {@link ExchangeError}.
 */
import type { Logger } from 'pino';
import { dec, decStr, floorStep } from '../../domain/decimal.ts';
import type { Balance, SymbolRules } from '../../domain/types.ts';
import {
  type AcceptedOrder,
  type Exchange,
  type MarketOrderRequest,
  type OrderFill,
  type OrderOutcome,
  type RejectedOrder,
  rejectedOrder,
} from '../../ports/exchange.ts';
import type { OpenOrder, StopLossRequest, StopOrders } from '../../ports/stop-orders.ts';
import { type BinanceRest, FINAL_LOOKUP_MARGIN_MS } from './binance-rest.ts';
import { ExchangeError, gaveUp } from './errors.ts';
import { checkOrderResponse } from './response-checks.ts';
import type { OrderResponse } from './schemas.ts';

/** Options of {@link BinanceExchange}. */
export interface BinanceExchangeOptions {
  readonly rest: BinanceRest;
  readonly kind: 'testnet' | 'live';
  /** §6 rules of a symbol (stepSize for formatting quantities). */
  rules(symbol: string): SymbolRules;
  /**
   * Attempts to place one MARKET order, counted apart for the two reasons to send it again (default 3
   * each): answers that say nothing was executed (429 / -1003, -1021), and unknown outcomes the exchange
   * still did not know once "not found" was final. A cheap 429 after two lost requests does not end the
   * order; three of either kind do.
   */
  readonly maxAttempts?: number;
  readonly logger: Logger;
}

/** Binance spot as an {@link Exchange}; see the module comment. */
export class BinanceExchange implements Exchange, StopOrders {
  readonly kind: 'testnet' | 'live';

  constructor(private readonly opts: BinanceExchangeOptions) {
    this.kind = opts.kind;
  }

  /** Non-zero balances of the whole account (`free` and `locked`), sorted by asset. */
  async balances(): Promise<readonly Balance[]> {
    const account = await this.opts.rest.account();
    return account.balances
      .filter((b) => !dec(b.free).isZero() || !dec(b.locked).isZero())
      .map((b) => ({ asset: b.asset, free: decStr(b.free), locked: decStr(b.locked) }))
      .sort((a, b) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
  }

  /**
   * Places a MARKET order. A SELL quantity is floored to the symbol's stepSize first (a quantity that
   * floors to 0 is not sent: `zero_quantity`).
   * @throws ExchangeError for auth, ban, invalid responses (incl. quantities that do not add up,
   *   {@link checkOrderResponse}: nothing further is sent), and an outcome still unknown after
   *   `maxAttempts` lookups (the order stays PENDING in the ledger; the next run resolves it).
   */
  async placeMarketOrder(req: MarketOrderRequest): Promise<OrderOutcome> {
    let quantity: string | undefined;
    if (req.quantity !== undefined) {
      const step = this.opts.rules(req.symbol).stepSize;
      const q = floorStep(req.quantity, step);
      if (q.isZero()) {
        return rejectedOrder(
          req,
          null,
          'zero_quantity',
          `quantity ${req.quantity} rounds to 0 at stepSize ${step}: not sent`,
        );
      }
      quantity = decStr(q);
    }
    const quoteOrderQty = req.quoteOrderQty === undefined ? undefined : decStr(req.quoteOrderQty);
    const max = this.opts.maxAttempts ?? 3;
    let limited = 0; // answers that say nothing was executed (429, -1021)
    let notPlaced = 0; // unknown outcomes the exchange did not know once "not found" was final
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.opts.rest.newOrder({
          symbol: req.symbol,
          side: req.side,
          newClientOrderId: req.clientOrderId,
          ...(quantity !== undefined ? { quantity } : {}),
          ...(quoteOrderQty !== undefined ? { quoteOrderQty } : {}),
        });
        checkOrderResponse(
          res,
          'POST /api/v3/order',
          res.fills?.map((f) => ({ price: f.price, qty: f.qty })),
        );
        this.warnIfPartial(res);
        return accepted(res, res.fills ?? []);
      } catch (err) {
        if (!(err instanceof ExchangeError)) throw err;
        if (err.kind === 'rejected' && err.code === -2010 && /duplicate/i.test(err.message)) {
          // Our clientOrderId is already on the exchange (placed by an earlier attempt): that order's outcome.
          const found = await this.queryOrder(req.symbol, req.clientOrderId);
          if (found) return found;
        }
        if (err.kind === 'rejected')
          return rejectedOrder(req, err.code, reasonOf(err), bareMessage(err.message));
        if (err.kind === 'retryable') {
          limited += 1;
          if (limited >= max) throw gaveUp(err, attempt);
          if (err.retryAfterMs !== null) await this.opts.rest.backOff(err);
          this.opts.logger.warn(
            { symbol: req.symbol, code: err.code, attempt },
            `${err.message}; sending the order again (nothing was executed)`,
          );
          continue;
        }
        if (err.kind !== 'unknown_outcome') throw err;
        // Unknown outcome: find out before anything is sent again.
        this.opts.logger.warn(
          { symbol: req.symbol, clientOrderId: req.clientOrderId, attempt },
          `${err.message}; outcome unknown: looking the order up by its clientOrderId`,
        );
        const found = await this.queryOrder(req.symbol, req.clientOrderId, {
          notBefore: err.lookupNotBefore ?? this.finalAfter(Date.now()),
        });
        if (found) return found;
        notPlaced += 1;
        if (notPlaced >= max) {
          throw new ExchangeError(
            `${err.message}; the exchange does not know order ${req.clientOrderId} after ${attempt} attempts: stopping (it stays PENDING in the ledger)`,
            'unknown_outcome',
            err.endpoint,
            err.code,
            req.symbol,
          );
        }
        this.opts.logger.warn(
          { symbol: req.symbol, clientOrderId: req.clientOrderId },
          'the exchange does not know the order: it was not placed; sending it again with the same clientOrderId',
        );
      }
    }
  }

  /**
   * The exchange-clock time (UTC ms) after which "not found" is final for an order whose request was
   * certainly signed by `signedByMs` (local UTC ms): signedBy + the measured offset + recvWindow +
   * {@link FINAL_LOOKUP_MARGIN_MS}. For a later run resolving a PENDING order, `signedByMs` is the time it
   * took the account's single-instance lock (the earlier process had stopped by then) — not the time of
   * the PENDING record, after which the request may have been signed late (backoffs, batches). Assumes
   * the order was sent with this client's recvWindow (`[exchange] recv_window_ms`). Pass the result to
   * {@link queryOrder} as `notBefore`.
   */
  finalAfter(signedByMs: number): number {
    return this.opts.rest.finalAfter(signedByMs + this.opts.rest.clockOffset().offsetMs);
  }

  /**
   * Looks an order up by our clientOrderId (`GET /api/v3/order`, then `GET /api/v3/myTrades` for its
   * fills when anything executed). Null when the exchange does not know it.
   * @param opts.notBefore exchange-clock time (UTC ms, e.g. {@link finalAfter}) before which "not found"
   *   is not final: an order not found before then is looked up again once the exchange clock has passed
   *   it (the call then waits, up to recvWindow + 1 s). Omitted: one lookup, "not found" at once.
   * @throws ExchangeError (`invalid_response`) when the order's quantities do not add up
   *   ({@link checkOrderResponse}).
   */
  async queryOrder(
    symbol: string,
    clientOrderId: string,
    opts: { readonly notBefore?: number } = {},
  ): Promise<OrderOutcome | null> {
    const { rest } = this.opts;
    let order = await rest.getOrder(symbol, clientOrderId);
    if (!order && opts.notBefore !== undefined && rest.now() < opts.notBefore) {
      this.opts.logger.info(
        { symbol, clientOrderId, waitMs: opts.notBefore - rest.now() },
        'order not found yet: its request may still reach the exchange until timestamp + recvWindow; waiting, then looking again',
      );
      await rest.waitUntil(opts.notBefore);
      order = await rest.getOrder(symbol, clientOrderId);
    }
    if (!order) return null;
    const fills: OrderFill[] = [];
    if (dec(order.executedQty).isZero()) checkOrderResponse(order, 'GET /api/v3/order', undefined);
    else {
      const found = order;
      const trades = (await this.opts.rest.myTrades(symbol, order.orderId)).filter(
        (x) => x.orderId === found.orderId,
      );
      checkOrderResponse(
        order,
        'GET /api/v3/order',
        trades.map((t) => ({ price: t.price, qty: t.qty, quoteQty: t.quoteQty })),
        'myTrades',
      );
      for (const t of trades) {
        fills.push({
          tradeId: String(t.id),
          price: decStr(t.price),
          quantity: decStr(t.qty),
          quoteQuantity: decStr(t.quoteQty),
          commission: decStr(t.commission),
          commissionAsset: t.commissionAsset,
        });
      }
    }
    this.warnIfPartial(order);
    return accepted(order, [], fills);
  }

  /**
   * Places a STOP_LOSS SELL (port {@link StopOrders}): quantity floored to stepSize, stopPrice floored to
   * tickSize (a stop below the level, never above it). -2010 "Order would trigger immediately" comes back
   * as `would_trigger_immediately`; a duplicate clientOrderId (-2010 "Duplicate order sent.", the stop is
   * already open from an earlier attempt) returns that order; an unknown outcome is looked up by the
   * clientOrderId (after recvWindow) before the same request is sent again.
   * @throws ExchangeError for auth, ban, invalid responses, or an outcome still unknown after `maxAttempts`.
   */
  async placeStopLoss(req: StopLossRequest): Promise<OrderOutcome> {
    const rules = this.opts.rules(req.symbol);
    const ref = { symbol: req.symbol, side: 'SELL' as const, clientOrderId: req.clientOrderId };
    const notSent = (reason: 'zero_quantity' | 'zero_price', why: string) =>
      rejectedOrder(ref, null, reason, `${why}: not sent`);
    const quantity = floorStep(req.quantity, rules.stepSize);
    if (quantity.isZero())
      return notSent('zero_quantity', `quantity ${req.quantity} rounds to 0 at stepSize ${rules.stepSize}`);
    const stopPrice = floorStep(req.stopPrice, rules.tickSize);
    if (stopPrice.isZero())
      return notSent('zero_price', `stopPrice ${req.stopPrice} rounds to 0 at tickSize ${rules.tickSize}`);
    const max = this.opts.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.opts.rest.newStopLossOrder({
          symbol: req.symbol,
          quantity: decStr(quantity),
          stopPrice: decStr(stopPrice),
          newClientOrderId: req.clientOrderId,
        });
        checkOrderResponse(res, 'POST /api/v3/order', undefined);
        return accepted(res, []);
      } catch (err) {
        if (!(err instanceof ExchangeError)) throw err;
        if (err.kind === 'rejected' && err.code === -2010 && /duplicate/i.test(err.message)) {
          const found = await this.queryOrder(req.symbol, req.clientOrderId);
          if (found) return found;
        }
        if (err.kind === 'rejected') {
          const reason =
            err.code === -2010 && /trigger immediately/i.test(err.message)
              ? 'would_trigger_immediately'
              : reasonOf(err);
          return rejectedOrder(ref, err.code, reason, bareMessage(err.message));
        }
        if (err.kind === 'retryable') {
          if (attempt >= max) throw gaveUp(err, attempt);
          if (err.retryAfterMs !== null) await this.opts.rest.backOff(err);
          continue;
        }
        if (err.kind !== 'unknown_outcome') throw err;
        const found = await this.queryOrder(req.symbol, req.clientOrderId, {
          notBefore: err.lookupNotBefore ?? this.finalAfter(Date.now()),
        });
        if (found) return found;
        if (attempt >= max) throw gaveUp(err, attempt);
      }
    }
  }

  /**
   * Cancels a stop by clientOrderId (port {@link StopOrders}) and returns its final state: the canceled
   * order (status `EXPIRED`, Binance CANCELED) when nothing executed, else — it triggered first — the
   * order looked up with its fills (`GET /api/v3/order` + `myTrades`); null when the exchange does not
   * know it.
   */
  async cancelStop(symbol: string, clientOrderId: string): Promise<OrderOutcome | null> {
    const canceled = await this.opts.rest.cancelOrder(symbol, clientOrderId);
    if (canceled !== null && dec(canceled.executedQty).isZero()) return accepted(canceled, []);
    return this.queryOrder(symbol, clientOrderId);
  }

  /** The account's open orders (`GET /api/v3/openOrders`, weight 80), port {@link StopOrders}. */
  async openOrders(): Promise<readonly OpenOrder[]> {
    const open = await this.opts.rest.openOrders();
    return open.map((o) => ({
      symbol: o.symbol,
      clientOrderId: o.clientOrderId,
      type: o.type,
      side: o.side,
      quantity: decStr(o.origQty),
      stopPrice: o.stopPrice === undefined || dec(o.stopPrice).isZero() ? null : decStr(o.stopPrice),
    }));
  }

  /** A partial fill (EXPIRED / PARTIALLY_FILLED with something executed) is logged, never silent. */
  private warnIfPartial(o: OrderResponse): void {
    if (o.status === 'FILLED' || dec(o.executedQty).isZero()) return;
    this.opts.logger.warn(
      { symbol: o.symbol, clientOrderId: o.clientOrderId, status: o.status, executedQty: o.executedQty },
      `order ${o.clientOrderId} ${o.symbol} partially filled: ${o.status} with executedQty ${o.executedQty}`,
    );
  }
}

function accepted(
  res: OrderResponse,
  rawFills: NonNullable<OrderResponse['fills']>,
  fills?: OrderFill[],
): AcceptedOrder | RejectedOrder {
  const status = res.status;
  if (status === 'REJECTED') {
    return {
      status: 'REJECTED',
      symbol: res.symbol,
      side: res.side,
      clientOrderId: res.clientOrderId,
      code: null,
      reason: 'exchange_error',
      message: 'order status REJECTED',
    };
  }
  const mapped =
    fills ??
    rawFills.map((f) => ({
      tradeId: String(f.tradeId),
      price: decStr(f.price),
      quantity: decStr(f.qty),
      quoteQuantity: decStr(dec(f.price).times(dec(f.qty))),
      commission: decStr(f.commission),
      commissionAsset: f.commissionAsset,
    }));
  return {
    status:
      status === 'FILLED' || status === 'PARTIALLY_FILLED' || status === 'NEW'
        ? status
        : status === 'PENDING_NEW'
          ? 'NEW'
          : 'EXPIRED',
    symbol: res.symbol,
    side: res.side,
    clientOrderId: res.clientOrderId,
    exchangeOrderId: String(res.orderId),
    executedQty: decStr(res.executedQty),
    cummulativeQuoteQty: decStr(res.cummulativeQuoteQty),
    fills: mapped,
    transactTime: res.transactTime ?? res.updateTime ?? res.time ?? 0,
  };
}

/** Our reason for a Binance rejection (errors.md; filters.md for -1013). */
function reasonOf(err: ExchangeError): string {
  const m = err.message;
  if (err.code === -1013) {
    if (/NOTIONAL/.test(m)) return 'min_notional';
    if (/LOT_SIZE/.test(m)) return 'lot_size';
    return 'filter_failure';
  }
  if (err.code === -2010) return /market is closed/i.test(m) ? 'market_closed' : 'insufficient_balance';
  if (err.code === -1121) return 'unknown_symbol';
  return 'exchange_error';
}

/** `POST /api/v3/order BTCUSDT: Binance -1013 Filter failure: NOTIONAL` → `Filter failure: NOTIONAL`. */
function bareMessage(message: string): string {
  const m = /Binance -?\d+ (.*)$/.exec(message);
  return m ? (m[1] as string) : message;
}
