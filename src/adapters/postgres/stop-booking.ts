/**
 * Books a triggered exchange stop in ONE ledger transaction (port `StopJournal.bookTriggeredStop`,
 * issue 10): the order's outcome and fills, the intraday exit, the symbol's `position_risk` row and the
 * saved book (`balances`, `positions`). A kill before the commit leaves the stop `NEW` (the next run
 * cancels it, finds it filled and books it); a kill after it leaves a book that already shows the sale.
 * Decimals are exact strings (numeric), like the rest of the ledger adapter.
 */
import { type Kysely, sql } from 'kysely';
import type { TriggeredStopBooking } from '../../ports/stop-journal.ts';
import { IntradayStore } from './intraday-store.ts';
import { fillValues, outcomeValues } from './postgres-ledger.ts';
import type { Database } from './schema.ts';

const ZERO = /^-?0(\.0*)?$/;

/** See {@link TriggeredStopBooking}. @returns false when the stop was not `NEW` (nothing written). */
export async function bookTriggeredStop(db: Kysely<Database>, b: TriggeredStopBooking): Promise<boolean> {
  const accountId = b.accountId;
  const o = outcomeValues(b.outcome);
  return db.transaction().execute(async (trx) => {
    // The account row first (as saveState does): one booking or state save of the account at a time.
    const account = await sql<{ state_run_id: string | null }>`
      select state_run_id::text as state_run_id from accounts where id = ${accountId}::bigint for update`.execute(
      trx,
    );
    const state = account.rows[0];
    if (!state) throw new Error(`bookTriggeredStop: account ${accountId} is not in the ledger`);
    const order = await trx
      .updateTable('orders')
      .set(o)
      .where('id', '=', b.stop.id)
      .where('account_id', '=', accountId)
      .where('status', '=', 'NEW')
      .returning('run_id')
      .executeTakeFirst();
    if (!order) return false; // booked already (or never NEW): nothing more is written
    const runId = String(order.run_id);
    if (b.fills.length > 0) {
      await trx
        .insertInto('fills')
        .values(
          b.fills.map((f) => ({
            ...fillValues(f),
            order_id: b.stop.id,
            run_id: runId,
            account_id: accountId,
          })),
        )
        .execute();
    }
    const e = b.exit;
    await new IntradayStore(trx).recordIntradayExits(runId, accountId, [e]);
    const r = b.risk;
    if (r === null || ZERO.test(r.holding)) {
      await sql`delete from position_risk where account_id = ${accountId}::bigint and symbol = ${b.stop.symbol}`.execute(
        trx,
      );
    } else {
      await sql`
        insert into position_risk (account_id, symbol, cost_basis, holding, peak, last_candle_open, pending_reason,
                                   updated_run_id, updated_at)
        values (${accountId}::bigint, ${r.symbol}, ${r.costBasis}::numeric, ${r.holding}::numeric,
                ${r.peak}::numeric, ${r.lastCandleOpenMs === null ? null : new Date(r.lastCandleOpenMs)},
                ${r.pending}, ${runId}::bigint, ${new Date(e.at)})
        on conflict (account_id, symbol) do update set
          cost_basis = excluded.cost_basis, holding = excluded.holding, peak = excluded.peak,
          last_candle_open = excluded.last_candle_open, pending_reason = excluded.pending_reason,
          updated_run_id = excluded.updated_run_id, updated_at = excluded.updated_at`.execute(trx);
    }
    // The saved book: only when it already includes the run that placed the stop (else that run is
    // unsettled and the next run's crash recovery books the stop's fills with the run's other orders).
    const stateRun = state.state_run_id;
    if (stateRun === null || BigInt(stateRun) < BigInt(runId)) return true;
    for (const x of b.book.balances) {
      const total = sql`${x.free}::numeric + ${x.locked}::numeric`;
      if (ZERO.test(x.free) && ZERO.test(x.locked)) {
        await sql`delete from balances where account_id = ${accountId}::bigint and asset = ${x.asset}`.execute(
          trx,
        );
        continue;
      }
      await sql`
        insert into balances (account_id, asset, free, locked, run_id)
        values (${accountId}::bigint, ${x.asset}, ${total}, 0, ${stateRun}::bigint)
        on conflict (account_id, asset) do update set free = excluded.free, locked = 0, updated_at = now()`.execute(
        trx,
      );
    }
    for (const p of b.book.positions) {
      await sql`
        insert into positions (account_id, asset, symbol, quantity, cost_basis, realized_pnl, fees_quote, run_id)
        values (${accountId}::bigint, ${p.asset}, ${p.symbol}, ${p.quantity}::numeric, ${p.costBasis}::numeric,
                ${p.realizedPnl}::numeric, ${p.feesQuote}::numeric, ${stateRun}::bigint)
        on conflict (account_id, asset) do update set
          symbol = excluded.symbol, quantity = excluded.quantity, cost_basis = excluded.cost_basis,
          realized_pnl = excluded.realized_pnl, fees_quote = excluded.fees_quote, updated_at = now()`.execute(
        trx,
      );
    }
    return true;
  });
}
