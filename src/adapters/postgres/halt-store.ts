/**
 * The persisted kill switch (port `HaltJournal`, migration 005) over the ledger's Kysely instance: one
 * row per account in `risk_halts` (none = running) and a journal in `risk_halt_events`. Ids are decimal
 * strings, times UTC ms, like the rest of the ledger adapter.
 */
import type { Kysely } from 'kysely';
import { type HaltEvent, type HaltState, nextHaltState, RUNNING } from '../../domain/risk/halt.ts';
import type { HaltEventMeta, HaltEventRow } from '../../ports/halt-journal.ts';
import type { Database } from './schema.ts';

type Row = { status: string; since: Date | null; reason: string | null };

/** Parses a `risk_halts` row into the domain state. @throws Error on a status the domain does not know. */
function stateOf(row: Row | undefined): HaltState {
  if (row === undefined || row.status === 'running') return RUNNING;
  const sinceMs = row.since === null ? 0 : row.since.getTime();
  if (row.status === 'daily_loss_stop') return { status: 'daily_loss_stop', sinceMs };
  if (row.status === 'halted') return { status: 'halted', sinceMs, reason: 'max_drawdown' };
  throw new Error(`risk_halts: unknown status "${row.status}"`);
}

function rowOf(state: HaltState): Row {
  switch (state.status) {
    case 'running':
      return { status: 'running', since: null, reason: null };
    case 'daily_loss_stop':
      return { status: state.status, since: new Date(state.sinceMs), reason: 'daily_loss' };
    case 'halted':
      return { status: state.status, since: new Date(state.sinceMs), reason: state.reason };
  }
}

/** The account's current halt state (`running` when no row). */
export async function readHaltState(db: Kysely<Database>, accountId: string): Promise<HaltState> {
  const row = await db
    .selectFrom('risk_halts')
    .select(['status', 'since', 'reason'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return stateOf(row);
}

/**
 * Applies `event` in one transaction: locks (or creates) the account's row, computes `nextHaltState`,
 * stores it and journals the event when the state changed or the event is an operator reset.
 */
export async function applyHaltEvent(
  db: Kysely<Database>,
  accountId: string,
  event: HaltEvent,
  meta: HaltEventMeta,
): Promise<{ before: HaltState; after: HaltState }> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('risk_halts')
      .values({
        account_id: accountId,
        status: 'running',
        since: null,
        reason: null,
        updated_at: new Date(event.atMs),
      })
      .onConflict((oc) => oc.column('account_id').doNothing())
      .execute();
    const row = await trx
      .selectFrom('risk_halts')
      .select(['status', 'since', 'reason'])
      .where('account_id', '=', accountId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const before = stateOf(row);
    const after = nextHaltState(before, event);
    const changed = JSON.stringify(before) !== JSON.stringify(after);
    if (changed) {
      await trx
        .updateTable('risk_halts')
        .set({ ...rowOf(after), updated_at: new Date(event.atMs) })
        .where('account_id', '=', accountId)
        .execute();
    }
    if (changed || event.type === 'operator_reset') {
      await trx
        .insertInto('risk_halt_events')
        .values({
          account_id: accountId,
          at: new Date(event.atMs),
          event: event.type,
          from_status: before.status,
          to_status: after.status,
          actor: meta.actor,
          run_id: meta.runId ?? null,
          detail: meta.detail === undefined ? null : JSON.stringify(meta.detail),
        })
        .execute();
    }
    return { before, after };
  });
}

/**
 * The account's halt events, newest first: in the order they were applied (id), which is the order of the
 * state changes — a replay account mixes the data's timeline (the intraday pass's hours, the rebalance's
 * decision time) with the wall clock of an operator's reset, so `at` alone would misorder them.
 */
export async function readHaltEvents(
  db: Kysely<Database>,
  accountId: string,
  limit: number,
): Promise<HaltEventRow[]> {
  const rows = await db
    .selectFrom('risk_halt_events')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at.getTime(),
    event: r.event as HaltEvent['type'],
    from_status: r.from_status as HaltState['status'],
    to_status: r.to_status as HaltState['status'],
    actor: r.actor,
    run_id: r.run_id,
    detail: r.detail,
  }));
}
