import type {
  CompletedOrder,
  FillRow,
  FillRowOut,
  NewOrder,
  OrderOutcomeRow,
  OrderRowOut,
} from './ledger-rows.ts';

/** The orders of a run: recorded before they are sent, completed with their fills, recovered after a crash. Implemented by `adapters/postgres` (PostgresLedger). */
export interface OrderJournal {
  /** Records an order before it is sent (status `PENDING`), returning its ledger id. */
  recordOrder(order: NewOrder): Promise<string>;
  /** Records the outcome of an order and its fills (one transaction). */
  completeOrder(orderId: string, outcome: OrderOutcomeRow, fills: readonly FillRow[]): Promise<void>;
  /** Records several orders (status `PENDING`) in one transaction before they are sent; their ids in order. */
  recordOrders(orders: readonly NewOrder[]): Promise<string[]>;
  /** Records the outcomes and fills of several orders in one transaction. */
  completeOrders(
    items: readonly { orderId: string; outcome: OrderOutcomeRow; fills: readonly FillRow[] }[],
  ): Promise<void>;
  /**
   * Records orders with their outcomes and fills in one transaction, returning their ledger ids in order.
   * Only for the in-process simulated exchange, where an order has no effect outside the process until
   * it is recorded; orders to a real exchange are recorded with {@link recordOrder} before they are sent.
   */
  recordCompletedOrders(items: readonly CompletedOrder[]): Promise<string[]>;

  /** Orders and fills of a run, in the order they were recorded (for reports and tests). */
  runOrders(runId: string): Promise<{ orders: OrderRowOut[]; fills: FillRowOut[] }>;

  /**
   * Crash recovery: of the account's `rebalance`/`intraday` runs that never completed (status `failed`,
   * `abandoned` or still `running`, not dry runs), the `PENDING` orders (recorded, outcome unknown) and
   * the fills recorded after the last fill the saved state holds (`accounts.state_fill_id`, migration
   * 010) with their orders — i.e. what reached the exchange but is not in the saved state yet. A failed
   * run may have saved the state with its booked fills (issue 14), so its PENDING orders are returned
   * whatever run the state is of. Orders and fills oldest first.
   */
  unsettledOrders(accountId: string): Promise<{ orders: OrderRowOut[]; fills: FillRowOut[] }>;
}
