import type { NewOrder } from './ledger-rows.ts';

/** A STOP_LOSS order the ledger holds as resting on the exchange (status `NEW`). */
export interface OpenStopRow {
  /** Ledger order id. */
  readonly id: string;
  /** The run that placed it. */
  readonly runId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  /** Base quantity ordered, decimal string. */
  readonly quantity: string;
  /** Trigger price (quote per base), decimal string. */
  readonly stopPrice: string;
  /** The §10 reason of the level (strategy-semantics.md §10). */
  readonly reason: 'stop_loss' | 'trailing_stop';
}

/**
 * Port: the ledger's exchange-side stops (`[intraday] stop_on_exchange = true`, issue 10 item 7;
 * migration 009). A stop is an order of leg `stop`: recorded PENDING before it is sent, completed with
 * the exchange's answer through `OrderJournal.completeOrder`. Implemented by
 * `adapters/postgres/stop-store.ts` (delegated from PostgresLedger).
 */
export interface StopJournal {
  /**
   * Records a STOP_LOSS SELL (status `PENDING`, `order_type` STOP_LOSS) before it is sent.
   * @param stopPrice trigger price, decimal string. @returns its ledger id.
   */
  recordStopOrder(order: NewOrder, stopPrice: string, reason: OpenStopRow['reason']): Promise<string>;
  /** The account's stops the ledger has `NEW` (resting on the exchange), oldest first. */
  openStops(accountId: string): Promise<OpenStopRow[]>;
}
