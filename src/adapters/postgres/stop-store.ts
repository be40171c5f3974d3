/**
 * The ledger's exchange-side stops (port `StopJournal`, migration 009) over the ledger's Kysely
 * instance: the STOP_LOSS columns of `orders` (`order_type`, `stop_price`, `stop_reason`). Decimals are
 * read as strings (numeric), like the rest of the ledger adapter.
 */
import { type Kysely, sql } from 'kysely';
import type { OpenStopRow } from '../../ports/stop-journal.ts';
import type { Database } from './schema.ts';

/** Queries of the exchange-side stops. */
export class StopStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Marks the PENDING order `orderId` (just recorded) as a STOP_LOSS with its trigger price and reason. */
  async markStop(orderId: string, stopPrice: string, reason: OpenStopRow['reason']): Promise<void> {
    const r = await sql`
      update orders set order_type = 'STOP_LOSS', stop_price = ${stopPrice}::numeric, stop_reason = ${reason}
      where id = ${orderId}::bigint and status = 'PENDING'`.execute(this.db);
    if (Number(r.numAffectedRows ?? 0n) !== 1) throw new Error(`stop order ${orderId}: not a PENDING order`);
  }

  /** The account's STOP_LOSS orders with status NEW, oldest first. */
  async openStops(accountId: string): Promise<OpenStopRow[]> {
    const r = await sql<{
      id: string | number;
      run_id: string | number;
      client_order_id: string;
      symbol: string;
      quantity: string;
      stop_price: string;
      stop_reason: OpenStopRow['reason'];
    }>`
      select id, run_id, client_order_id, symbol, quantity::text as quantity, stop_price::text as stop_price,
             stop_reason
      from orders
      where account_id = ${accountId}::bigint and order_type = 'STOP_LOSS' and status = 'NEW'
      order by id`.execute(this.db);
    return r.rows.map((x) => ({
      id: String(x.id),
      runId: String(x.run_id),
      clientOrderId: x.client_order_id,
      symbol: x.symbol,
      quantity: x.quantity,
      stopPrice: x.stop_price,
      reason: x.stop_reason,
    }));
  }
}
