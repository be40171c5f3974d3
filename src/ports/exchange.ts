import type { Balance, Side } from '../domain/types.ts';

/** A MARKET order as we send it: SELL by `quantity` (base) or BUY by `quoteOrderQty` (quote). */
export interface MarketOrderRequest {
  readonly symbol: string;
  readonly side: Side;
  /** Our deterministic clientOrderId, `^[a-zA-Z0-9-_]{1,36}$`. */
  readonly clientOrderId: string;
  /** Base quantity (decimal string); set for SELL orders. */
  readonly quantity?: string;
  /** Quote amount to spend (decimal string); set for BUY orders. */
  readonly quoteOrderQty?: string;
}

/** One fill (Binance `fills[]` of a FULL order response), decimal strings. */
export interface OrderFill {
  readonly tradeId: string;
  readonly price: string;
  /** Base quantity. */
  readonly quantity: string;
  /** `price * quantity`, quote asset. */
  readonly quoteQuantity: string;
  readonly commission: string;
  readonly commissionAsset: string;
}

/** The exchange's answer to an order that it accepted. */
export interface AcceptedOrder {
  readonly status: 'FILLED' | 'PARTIALLY_FILLED' | 'EXPIRED' | 'NEW';
  readonly symbol: string;
  readonly side: Side;
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  /** Executed base quantity. */
  readonly executedQty: string;
  /** Executed quote quantity. */
  readonly cummulativeQuoteQty: string;
  readonly fills: readonly OrderFill[];
  /** Transaction time, UTC ms. */
  readonly transactTime: number;
}

/** An order the exchange refused; nothing changed on the account. */
export interface RejectedOrder {
  readonly status: 'REJECTED';
  readonly symbol: string;
  readonly side: Side;
  readonly clientOrderId: string;
  /** Binance error code where there is one (-1013 filter failure, -2010 insufficient balance, …). */
  readonly code: number | null;
  /**
   * Machine-readable reason: `zero_quantity`, `min_qty`, `min_notional`, `no_price`,
   * `insufficient_balance`, `unknown_symbol`, or `exchange_error`.
   */
  readonly reason: string;
  /** Human-readable message, e.g. Binance's `Filter failure: NOTIONAL`. Never holds secrets. */
  readonly message: string;
}

/** Outcome of placing or querying an order. */
export type OrderOutcome = AcceptedOrder | RejectedOrder;

/**
 * The trading side of an exchange: only the calls the rebalancer uses.
 * Implementations: `adapters/sim` (replay/paper), later `adapters/binance` (testnet, live).
 */
export interface Exchange {
  /**
   * `replay` = the simulated matching engine (§7 fills; a replay run over the bundled candles, or a paper
   * run at the last prices: the book is the exchange, checked to the last digit), `testnet` or `live`.
   */
  readonly kind: 'replay' | 'testnet' | 'live';
  /** Current balances of every asset with a non-zero balance. */
  balances(): Promise<readonly Balance[]>;
  /**
   * Places a MARKET order and returns its outcome. A business rejection (filters, balance) is returned
   * as a `RejectedOrder`, never thrown; transport failures throw.
   */
  placeMarketOrder(request: MarketOrderRequest): Promise<OrderOutcome>;
  /**
   * Looks an order up by our clientOrderId; null when the exchange does not know it.
   * @param opts.notBefore exchange-clock time (UTC ms, from {@link finalAfter}) before which "not found"
   *   is not final: the lookup is repeated once that time has passed (the call waits).
   */
  queryOrder(
    symbol: string,
    clientOrderId: string,
    opts?: { readonly notBefore?: number },
  ): Promise<OrderOutcome | null>;
  /**
   * Real exchanges: the exchange-clock time (UTC ms) after which an order whose request was certainly
   * signed by `signedByMs` (local UTC ms) can no longer be executed — that time + recvWindow (+ margin).
   * A later run resolving a PENDING order passes the time it took the account's single-instance lock
   * (the earlier process had stopped by then) and gives the result to {@link queryOrder} as `notBefore`.
   * Absent where orders cannot arrive late (replay).
   */
  finalAfter?(signedByMs: number): number;
}

/** A {@link RejectedOrder} for `req` (shared by the exchange adapters). */
export function rejectedOrder(
  req: Pick<MarketOrderRequest, 'symbol' | 'side' | 'clientOrderId'>,
  code: number | null,
  reason: string,
  message: string,
): RejectedOrder {
  return {
    status: 'REJECTED',
    symbol: req.symbol,
    side: req.side,
    clientOrderId: req.clientOrderId,
    code,
    reason,
    message,
  };
}
