import type { OrderOutcome } from './exchange.ts';

/** A STOP_LOSS SELL to keep on the exchange (strategy-semantics.md §10 stop level; issue 10 item 7). */
export interface StopLossRequest {
  readonly symbol: string;
  /** Our deterministic clientOrderId, `^[a-zA-Z0-9-_]{1,36}$`. */
  readonly clientOrderId: string;
  /** Base quantity to sell when triggered (floored to stepSize by the adapter). */
  readonly quantity: string;
  /** Trigger price, quote per base (floored to tickSize by the adapter). */
  readonly stopPrice: string;
}

/** An open order of the account as the exchange lists it. */
export interface OpenOrder {
  readonly symbol: string;
  readonly clientOrderId: string;
  /** `STOP_LOSS`, `LIMIT`, … */
  readonly type: string;
  readonly side: 'BUY' | 'SELL';
  /** Base quantity ordered. */
  readonly quantity: string;
  /** Trigger price; null for orders without one. */
  readonly stopPrice: string | null;
}

/**
 * Exchange-side stop orders, for `[intraday] stop_on_exchange = true` (issue 10 item 7): placed after a
 * rebalance at each position's §10 stop level, cancelled before the next rebalance sells. A stop fills
 * at the market once triggered — after a gap, possibly far below the stop (gap risk, README). Real
 * exchanges only (testnet, live).
 */
export interface StopOrders {
  /**
   * Places a STOP_LOSS SELL. An accepted stop is `NEW` (open); a refusal is a `RejectedOrder`
   * (`would_trigger_immediately` when the last price is already at or below the stop: Binance -2010).
   * An unknown outcome is resolved by the clientOrderId before anything is sent again.
   */
  placeStopLoss(request: StopLossRequest): Promise<OrderOutcome>;
  /**
   * Cancels an open order by clientOrderId and returns its final state: `CANCELED`-as-`EXPIRED` with
   * nothing executed, or — when it had triggered before the cancel — the filled order with its fills;
   * null when the exchange does not know the order at all.
   */
  cancelStop(symbol: string, clientOrderId: string): Promise<OrderOutcome | null>;
  /** The account's open orders (all symbols). */
  openOrders(): Promise<readonly OpenOrder[]>;
}
