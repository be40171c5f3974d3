/**
 * The ledger port over Postgres (a server through `pg`, or embedded PGlite), with kysely.
 *
 * Values are parsed at this boundary: ids (`bigint`) are exposed as decimal strings, `numeric` values
 * as canonical decimal strings (no exponent, no trailing zeros: `decStr`), instants as UTC ms numbers,
 * days as `YYYY-MM-DD`. Decimal inputs are validated and canonicalised with `decStr` before they are
 * sent, as strings; no ledger value passes through a JS float.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { decStr } from '../../domain/decimal.ts';
import type { HaltEvent, HaltState } from '../../domain/risk/halt.ts';
import { dayToMs } from '../../domain/time.ts';
import type { Balance } from '../../domain/types.ts';
import type { HaltEventMeta, HaltEventRow } from '../../ports/halt-journal.ts';
import type {
  AccountRow,
  AccountState,
  CompletedOrder,
  FillRow,
  FillRowOut,
  Ledger,
  NewAccount,
  NewOrder,
  NewRun,
  OrderOutcomeRow,
  OrderRowOut,
  PositionRow,
  ReconciliationRow,
  RunEnd,
  RunKind,
  RunRow,
  RunStatus,
  UnfinishedState,
  UniverseDecisionRow,
} from '../../ports/ledger.ts';
import { applyHaltEvent, readHaltEvents, readHaltState } from './halt-store.ts';
import { IntradayStore } from './intraday-store.ts';
import { type MigrationReport, migrate } from './migrate.ts';
import type { Database } from './schema.ts';
import { balanceColumns, positionColumns } from './state-rows.ts';
import { bookTriggeredStop } from './stop-booking.ts';
import { StopStore } from './stop-store.ts';
import { heldUnsettledFills, lastFillId, saveUnfinishedState, unsettledScope } from './unfinished-state.ts';

/** Minimal structured logger (pino-compatible). */
export interface LedgerLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link PostgresLedger}. */
export interface PostgresLedgerOptions {
  /** Which engine is behind the Kysely instance (for logs and tests). */
  readonly backend: 'postgres' | 'pglite';
  /** The database, for messages: a redacted URL or the PGlite directory. */
  readonly target: string;
  readonly logger?: LedgerLogger | undefined;
}

/** Rows per multi-row INSERT (keeps the bind parameters far below Postgres' 65535). */
const CHUNK = 500;
/**
 * Statuses of a run whose state was saved (the account's book moved forward). A `halted` rebalance sold
 * what was left under the kill switch (§10): it is a completed rebalance of its period.
 */
const SAVED_STATE_STATUSES = ['completed', 'completed_with_rejections', 'halted'];

/**
 * `Ledger` on Postgres. Build it with `openLedger` (connect.ts), which configures the drivers so that
 * `bigint`/`numeric`/`date` arrive as text; constructing it over another Kysely instance requires the
 * same configuration.
 *
 * Semantics beyond the port's docstrings:
 * - `completedRun` / `lastCompletedRun` ignore dry runs (a dry run rebalances nothing).
 * - `finishRun` only finishes a `running` run; it throws if the run does not exist or is already
 *   finished. `duration_ms` is `finishedAt − startedAt`.
 * - `saveState` called again for the same run replaces that run's snapshots.
 * - Every method throws `Error` naming the id when a referenced account, run or order does not exist,
 *   and passes database errors through (e.g. a duplicate `clientOrderId` violates `orders_client_order_id_key`).
 */
export class PostgresLedger implements Ledger {
  /** The Kysely instance (typed tables in schema.ts); for reports and tests. */
  readonly db: Kysely<Database>;
  /** `postgres` (server) or `pglite` (embedded). */
  readonly backend: 'postgres' | 'pglite';
  /** Redacted URL or PGlite directory. */
  readonly target: string;
  readonly #logger: LedgerLogger | undefined;

  /**
   * @param db Kysely instance over a driver configured as in connect.ts.
   * @param opts backend kind, redacted target, logger.
   */
  constructor(db: Kysely<Database>, opts: PostgresLedgerOptions) {
    this.db = db;
    this.backend = opts.backend;
    this.target = opts.target;
    this.#logger = opts.logger;
  }

  /** Applies pending `sql/migrations` and re-applies `sql/views` (see migrate.ts); idempotent. */
  async migrate(): Promise<void> {
    await this.migrateWithReport();
  }

  /** Like {@link migrate}, returning which versions were applied and skipped. */
  async migrateWithReport(): Promise<MigrationReport> {
    const report = await migrate(this.db, { logger: this.#logger });
    const fields = { target: this.target, applied: report.applied, views: report.views.length };
    if (report.applied.length > 0) this.#logger?.info(fields, 'ledger migrated');
    else this.#logger?.debug(fields, 'ledger schema up to date');
    return report;
  }

  /** Closes the pool / the PGlite instance. */
  /** The kill switch (HaltJournal): see halt-store.ts. */
  haltState(accountId: string): Promise<HaltState> {
    return readHaltState(this.db, accountId);
  }

  applyHaltEvent(
    accountId: string,
    event: HaltEvent,
    meta: HaltEventMeta,
  ): Promise<{ before: HaltState; after: HaltState }> {
    return applyHaltEvent(this.db, accountId, event, meta);
  }

  haltEvents(accountId: string, limit: number): Promise<HaltEventRow[]> {
    return readHaltEvents(this.db, accountId, limit);
  }

  /** The intraday pass's tables (IntradayJournal): see intraday-store.ts. */
  get intraday(): IntradayStore {
    return new IntradayStore(this.db);
  }
  riskStates: IntradayStore['riskStates'] = (a) => this.intraday.riskStates(a);
  saveRiskStates: IntradayStore['saveRiskStates'] = (a, r, id, at) =>
    this.intraday.saveRiskStates(a, r, id, at);
  intradayAccount: IntradayStore['intradayAccount'] = (a) => this.intraday.intradayAccount(a);
  saveIntradayAccount: IntradayStore['saveIntradayAccount'] = (a, r, at) =>
    this.intraday.saveIntradayAccount(a, r, at);
  recordIntradayDecisions: IntradayStore['recordIntradayDecisions'] = (id, r) =>
    this.intraday.recordIntradayDecisions(id, r);
  recordIntradayExits: IntradayStore['recordIntradayExits'] = (id, a, r) =>
    this.intraday.recordIntradayExits(id, a, r);
  intradayExits: IntradayStore['intradayExits'] = (a) => this.intraday.intradayExits(a);
  /** Exchange-side stops (StopJournal): see stop-store.ts. */
  recordStopOrder: Ledger['recordStopOrder'] = async (o, stop, reason) => {
    const [id] = await this.recordOrders([o]);
    await new StopStore(this.db).markStop(id as string, stop, reason);
    return id as string;
  };
  openStops: Ledger['openStops'] = (a) => new StopStore(this.db).openStops(a);
  bookTriggeredStop: Ledger['bookTriggeredStop'] = (b) => bookTriggeredStop(this.db, b);

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** Finds the account by name, or creates it (race-safe: `insert … on conflict do nothing`). */
  async ensureAccount(spec: NewAccount): Promise<AccountRow> {
    const inserted = await this.db
      .insertInto('accounts')
      .values({
        name: spec.name,
        exchange_kind: spec.exchangeKind,
        quote_asset: spec.quoteAsset,
        initial_quote: inDec(spec.initialQuote, 'initialQuote'),
        venue: spec.venue ?? (spec.exchangeKind === 'replay' ? 'replay' : null),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .returningAll()
      .executeTakeFirst();
    let row =
      inserted ??
      (await this.db
        .selectFrom('accounts')
        .selectAll()
        .where('name', '=', spec.name)
        .executeTakeFirstOrThrow());
    if (row.venue === null && spec.venue !== undefined && row.exchange_kind === spec.exchangeKind) {
      // An account created before migration 004: its next run of the same kind fixes its venue.
      row =
        (await this.db
          .updateTable('accounts')
          .set({ venue: spec.venue })
          .where('id', '=', row.id)
          .where('venue', 'is', null)
          .returningAll()
          .executeTakeFirst()) ?? row;
    }
    return {
      id: outId(row.id),
      name: row.name,
      exchangeKind: row.exchange_kind as AccountRow['exchangeKind'],
      quoteAsset: row.quote_asset,
      initialQuote: outDec(row.initial_quote),
      createdAt: outMs(row.created_at),
      venue: row.venue,
    };
  }

  /** The latest completed, non-dry run of `kind` for the account and period (by start time), or null. */
  async completedRun(accountId: string, kind: RunKind, period: string): Promise<RunRow | null> {
    return this.latestOf(this.runsOf(accountId, kind, period).where('status', 'in', SAVED_STATE_STATUSES));
  }

  /** The latest completed, non-dry run of `kind` (by period, then start time), or null. */
  async lastCompletedRun(accountId: string, kind: RunKind): Promise<RunRow | null> {
    const row = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('account_id', '=', inId(accountId, 'accountId'))
      .where('kind', '=', kind)
      .where('status', 'in', SAVED_STATE_STATUSES)
      .where('dry_run', '=', false)
      .orderBy('period', 'desc')
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? runRow(row) : null;
  }

  /** Number of non-dry runs (any status) of `kind` for the account and period. */
  async countRuns(accountId: string, kind: RunKind, period: string): Promise<number> {
    const row = await this.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('account_id', '=', inId(accountId, 'accountId'))
      .where('kind', '=', kind)
      .where('period', '=', inDay(period))
      .where('dry_run', '=', false)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Inserts the run with status `running`; `config` is stored as jsonb. */
  async startRun(run: NewRun): Promise<RunRow> {
    const row = await this.db
      .insertInto('runs')
      .values({
        account_id: inId(run.accountId, 'accountId'),
        kind: run.kind,
        period: inDay(run.period),
        rebalance_mode: run.rebalanceMode,
        strategy_mode: run.strategyMode,
        status: 'running',
        dry_run: run.dryRun,
        forced: run.forced,
        config: inJson(run.config),
        decision_time: inTime(run.decisionTime, 'decisionTime'),
        started_at: inTime(run.startedAt, 'startedAt'),
        heartbeat_at: inTime(run.startedAt, 'startedAt'),
        continues_run_id: run.continuesRunId ? inId(run.continuesRunId, 'continuesRunId') : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return runRow(row);
  }

  /** Sets `heartbeat_at` of a running run. */
  async heartbeat(runId: string, at: number): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({ heartbeat_at: inTime(at, 'at') })
      .where('id', '=', inId(runId, 'runId'))
      .where('status', '=', 'running')
      .execute();
  }

  /** Marks stale `running` runs `abandoned` (see the port). */
  async abandonStaleRuns(
    accountId: string,
    kind: RunKind,
    staleBefore: number,
    now: number,
  ): Promise<string[]> {
    const before = inTime(staleBefore, 'staleBefore');
    const finishedAt = inTime(now, 'now');
    const rows = await this.db
      .updateTable('runs')
      .set({
        status: 'abandoned',
        exit_reason: sql<string>`'abandoned: no sign of life since ' || to_char(coalesce(heartbeat_at, started_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' (its process died)'`,
        finished_at: sql<Date>`greatest(${finishedAt}::timestamptz, started_at)`,
        duration_ms: sql<string>`round(extract(epoch from (greatest(${finishedAt}::timestamptz, started_at) - started_at)) * 1000)::bigint`,
      })
      .where('account_id', '=', inId(accountId, 'accountId'))
      .where('kind', '=', kind)
      .where('status', '=', 'running')
      .where(sql<boolean>`coalesce(heartbeat_at, started_at) < ${before}::timestamptz`)
      .returning('id')
      .execute();
    return rows.map((r) => outId(r.id));
  }

  /** The latest non-dry run of `kind` for the account and period, any status. */
  async latestRun(accountId: string, kind: RunKind, period: string): Promise<RunRow | null> {
    return this.latestOf(this.runsOf(accountId, kind, period));
  }

  /** The non-dry runs of `kind` for the account and period (a query to narrow further). */
  private runsOf(accountId: string, kind: RunKind, period: string) {
    return this.db
      .selectFrom('runs')
      .selectAll()
      .where('account_id', '=', inId(accountId, 'accountId'))
      .where('kind', '=', kind)
      .where('period', '=', inDay(period))
      .where('dry_run', '=', false);
  }

  /** The last run of `runs` by start time (then id), or null. */
  private async latestOf(runs: ReturnType<PostgresLedger['runsOf']>): Promise<RunRow | null> {
    const row = await runs.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? runRow(row) : null;
  }

  /** Finishes a `running` run. @throws Error when the run does not exist or is already finished. */
  async finishRun(runId: string, end: RunEnd): Promise<void> {
    const id = inId(runId, 'runId');
    const finishedAt = inTime(end.finishedAt, 'finishedAt');
    const updated = await this.db
      .updateTable('runs')
      .set({
        status: end.status,
        exit_reason: end.exitReason,
        finished_at: finishedAt,
        // Exact: extracting the epoch of an interval gives numeric; the instants are whole ms.
        duration_ms: sql<string>`round(extract(epoch from (${finishedAt}::timestamptz - started_at)) * 1000)::bigint`,
        timings: inJson(end.timings),
        summary: end.summary === undefined ? null : inJson(end.summary),
      })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .returning('id')
      .executeTakeFirst();
    if (updated) return;
    const existing = await this.db
      .selectFrom('runs')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!existing) throw new Error(`finishRun: run ${runId} is not in the ledger`);
    throw new Error(`finishRun: run ${runId} is already ${existing.status}`);
  }

  /** Inserts one `universe_decisions` row per symbol (multi-row inserts). */
  async recordUniverse(runId: string, decisions: readonly UniverseDecisionRow[]): Promise<void> {
    const id = inId(runId, 'runId');
    const rows = decisions.map((d) => ({
      run_id: id,
      symbol: d.symbol,
      base_asset: d.baseAsset,
      score: d.score,
      market_cap_usd: d.marketCapUsd === null ? null : inDec(d.marketCapUsd, 'marketCapUsd'),
      age_days: d.ageDays,
      mean_quote_volume: d.meanQuoteVolume === null ? null : inDec(d.meanQuoteVolume, 'meanQuoteVolume'),
      rank: d.rank,
      selected: d.selected,
      reason: d.reason,
    }));
    if (rows.length === 0) return;
    // One parameter (the rows as JSON) instead of 11 per row: binding thousands of parameters costs more
    // than the insert itself, on PGlite especially. Decimals travel as JSON strings (exact).
    await sql`
      insert into universe_decisions
        (run_id, symbol, base_asset, score, market_cap_usd, age_days, mean_quote_volume, rank, selected, reason)
      select run_id, symbol, base_asset, score, market_cap_usd, age_days, mean_quote_volume, rank, selected, reason
      from json_to_recordset(${JSON.stringify(rows)}::json) as x(
        run_id bigint, symbol text, base_asset text, score double precision, market_cap_usd numeric,
        age_days double precision, mean_quote_volume numeric, rank integer, selected boolean, reason text)`.execute(
      this.db,
    );
  }

  /** Inserts the order as `PENDING`. @returns its ledger id. @throws on a duplicate `clientOrderId`. */
  async recordOrder(order: NewOrder): Promise<string> {
    const row = await this.db
      .insertInto('orders')
      .values({ ...orderValues(order), status: 'PENDING' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return outId(row.id);
  }

  /** Writes the outcome and inserts the fills, in one transaction. @throws when the order is unknown. */
  async completeOrder(orderId: string, outcome: OrderOutcomeRow, fills: readonly FillRow[]): Promise<void> {
    await this.completeOrders([{ orderId, outcome, fills }]);
  }

  /** Inserts orders with status `PENDING` in one transaction; their ids, in the input order. */
  async recordOrders(orders: readonly NewOrder[]): Promise<string[]> {
    if (orders.length === 0) return [];
    const rows = orders.map((o) => ({ ...orderValues(o), status: 'PENDING' }));
    return this.db.transaction().execute(async (trx) => {
      const ids: string[] = [];
      for (const chunk of chunks(rows)) {
        const inserted = await trx.insertInto('orders').values(chunk).returning('id').execute();
        ids.push(...inserted.map((r) => outId(r.id)));
      }
      return ids;
    });
  }

  /** Writes the outcomes and inserts the fills of several orders, in one transaction. @throws when an order is unknown (nothing is written). */
  async completeOrders(
    items: readonly { orderId: string; outcome: OrderOutcomeRow; fills: readonly FillRow[] }[],
  ): Promise<void> {
    if (items.length === 0) return;
    // Two statements whatever the number of orders (each a JSON parameter): the updates, then the fills.
    const outcomes = items.map((it) => {
      const v = outcomeValues(it.outcome);
      return {
        ...v,
        id: inId(it.orderId, 'orderId'),
        transact_time: v.transact_time?.toISOString() ?? null,
        completed_at: v.completed_at.toISOString(),
      };
    });
    await this.db.transaction().execute(async (trx) => {
      const updated = await sql<{ id: string; run_id: string; account_id: string }>`
        update orders o set
          status = x.status, exchange_order_id = x.exchange_order_id, executed_qty = x.executed_qty,
          cummulative_quote_qty = x.cummulative_quote_qty, avg_price = x.avg_price,
          slippage_bps = x.slippage_bps, reject_code = x.reject_code, reject_reason = x.reject_reason,
          reject_message = x.reject_message, transact_time = x.transact_time, latency_ms = x.latency_ms,
          completed_at = x.completed_at
        from json_to_recordset(${JSON.stringify(outcomes)}::json) as x(
          id bigint, status text, exchange_order_id text, executed_qty numeric, cummulative_quote_qty numeric,
          avg_price numeric, slippage_bps double precision, reject_code integer, reject_reason text,
          reject_message text, transact_time timestamptz, latency_ms bigint, completed_at timestamptz)
        where o.id = x.id
        returning o.id::text as id, o.run_id::text as run_id, o.account_id::text as account_id`.execute(trx);
      const byId = new Map(updated.rows.map((r) => [r.id, r]));
      const fillRows = [];
      for (const it of items) {
        const id = inId(it.orderId, 'orderId');
        const order = byId.get(id);
        if (!order) throw new Error(`completeOrder: order ${it.orderId} is not in the ledger`);
        for (const f of it.fills) {
          fillRows.push({
            ...fillValues(f),
            order_id: id,
            run_id: order.run_id,
            account_id: order.account_id,
          });
        }
      }
      for (const chunk of chunks(fillRows)) await trx.insertInto('fills').values(chunk).execute();
    });
  }

  /**
   * Records orders together with their outcomes and fills, in one transaction, in the given order.
   * For the in-process simulated exchange only (an order there has no effect outside this process until
   * it is recorded); real exchanges go through {@link recordOrder} before sending.
   * @returns the ledger ids, in the input order.
   * @throws on a duplicate clientOrderId (nothing of the batch is written).
   */
  async recordCompletedOrders(items: readonly CompletedOrder[]): Promise<string[]> {
    if (items.length === 0) return [];
    const rows = items.map((it) => ({ ...orderValues(it.order), ...outcomeValues(it.outcome) }));
    return this.db.transaction().execute(async (trx) => {
      const ids: string[] = [];
      for (const chunk of chunks(rows)) {
        const inserted = await trx.insertInto('orders').values(chunk).returning('id').execute();
        ids.push(...inserted.map((r) => outId(r.id)));
      }
      const fills = items.flatMap((it, i) =>
        it.fills.map((f) => ({
          ...fillValues(f),
          order_id: inId(ids[i] as string, 'orderId'),
          run_id: inId(it.order.runId, 'runId'),
          account_id: inId(it.order.accountId, 'accountId'),
        })),
      );
      for (const chunk of chunks(fills)) await trx.insertInto('fills').values(chunk).execute();
      return ids;
    });
  }

  /**
   * Saves the state after a run in one transaction: balance, position and equity snapshots and holding
   * adjustments of the run (replacing any saved earlier for the same run), then the current
   * `balances` and `positions` of the account, and marks the run as the account's state.
   * @throws when the run is unknown or belongs to another account.
   */
  async saveState(runId: string, accountId: string, state: AccountState): Promise<void> {
    const run_id = inId(runId, 'runId');
    const account_id = inId(accountId, 'accountId');
    const balances = state.balances.map((b) => balanceColumns(b, inDec));
    const positions = state.positions.map((p) => ({
      ...positionColumns(p, inDec),
      mark_price: inDec(p.markPrice, `position ${p.asset}.markPrice`),
      market_value: inDec(p.marketValue, `position ${p.asset}.marketValue`),
      unrealized_pnl: inDec(p.unrealizedPnl, `position ${p.asset}.unrealizedPnl`),
    }));
    const e = state.equity;
    const equity = {
      run_id,
      account_id,
      day: inDay(e.day),
      marked_at: inTime(e.markedAt, 'equity.markedAt'),
      price_basis: e.priceBasis,
      cash: inDec(e.cash, 'equity.cash'),
      positions_value: inDec(e.positionsValue, 'equity.positionsValue'),
      equity: inDec(e.equity, 'equity.equity'),
      realized_pnl: inDec(e.realizedPnl, 'equity.realizedPnl'),
      unrealized_pnl: inDec(e.unrealizedPnl, 'equity.unrealizedPnl'),
      fees_quote: inDec(e.feesQuote, 'equity.feesQuote'),
    };
    const adjustments = state.adjustments.map((a) => ({
      run_id,
      account_id,
      asset: a.asset,
      symbol: a.symbol,
      kind: a.kind,
      quantity_before: inDec(a.quantityBefore, `adjustment ${a.asset}.quantityBefore`),
      quantity_after: inDec(a.quantityAfter, `adjustment ${a.asset}.quantityAfter`),
      ratio: inDec(a.ratio, `adjustment ${a.asset}.ratio`),
      note: a.note,
    }));

    await this.db.transaction().execute(async (trx) => {
      // Lock the account row: concurrent saves of one account are serialised.
      const account = await trx
        .selectFrom('accounts')
        .select('id')
        .where('id', '=', account_id)
        .forUpdate()
        .executeTakeFirst();
      if (!account) throw new Error(`saveState: account ${accountId} is not in the ledger`);
      const run = await trx
        .selectFrom('runs')
        .select('account_id')
        .where('id', '=', run_id)
        .executeTakeFirst();
      if (!run) throw new Error(`saveState: run ${runId} is not in the ledger`);
      if (outId(run.account_id) !== account_id) {
        throw new Error(`saveState: run ${runId} belongs to account ${run.account_id}, not ${accountId}`);
      }
      await replaceRunSnapshots(trx, run_id);
      for (const chunk of chunks(balances)) {
        await trx
          .insertInto('balance_snapshots')
          .values(chunk.map((b) => ({ ...b, run_id, account_id })))
          .execute();
      }
      for (const chunk of chunks(positions)) {
        await trx
          .insertInto('position_snapshots')
          .values(chunk.map((p) => ({ ...p, run_id, account_id })))
          .execute();
      }
      for (const chunk of chunks(adjustments))
        await trx.insertInto('holding_adjustments').values(chunk).execute();
      await trx.insertInto('equity_snapshots').values(equity).execute();

      await trx.deleteFrom('balances').where('account_id', '=', account_id).execute();
      for (const chunk of chunks(balances)) {
        await trx
          .insertInto('balances')
          .values(chunk.map((b) => ({ ...b, run_id, account_id })))
          .execute();
      }
      await trx.deleteFrom('positions').where('account_id', '=', account_id).execute();
      for (const chunk of chunks(positions)) {
        await trx
          .insertInto('positions')
          // The snapshot's columns without its marks.
          .values(
            chunk.map(({ mark_price, market_value, unrealized_pnl, ...p }) => ({ ...p, run_id, account_id })),
          )
          .execute();
      }
      // The book saved after a run holds every fill of the account recorded so far (010).
      const state_fill_id = await lastFillId(trx, account_id);
      await trx
        .updateTable('accounts')
        .set({ state_run_id: run_id, state_fill_id, state_saved_at: new Date() })
        .where('id', '=', account_id)
        .execute();
    });
  }

  /**
   * The current balances and positions (every asset ever held, closed ones with quantity 0), sorted by
   * asset. A fresh account: `[{ asset: quoteAsset, free: initialQuote, locked: '0' }]` and no positions.
   * @throws when the account is unknown.
   */
  async loadState(accountId: string): Promise<{ balances: Balance[]; positions: PositionRow[] }> {
    const account_id = inId(accountId, 'accountId');
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const account = await trx
          .selectFrom('accounts')
          .select(['quote_asset', 'initial_quote', 'state_run_id', 'state_fill_id'])
          .where('id', '=', account_id)
          .executeTakeFirst();
        if (!account) throw new Error(`loadState: account ${accountId} is not in the ledger`);
        // Fresh: no run saved a state, not even a failed one's booked fills (010).
        if (account.state_run_id === null && account.state_fill_id === null) {
          return {
            balances: [{ asset: account.quote_asset, free: outDec(account.initial_quote), locked: '0' }],
            positions: [],
          };
        }
        const balances = await trx
          .selectFrom('balances')
          .select(['asset', 'free', 'locked'])
          .where('account_id', '=', account_id)
          .orderBy('asset')
          .execute();
        const positions = await trx
          .selectFrom('positions')
          .select(['asset', 'symbol', 'quantity', 'cost_basis', 'realized_pnl', 'fees_quote'])
          .where('account_id', '=', account_id)
          .orderBy('asset')
          .execute();
        return {
          balances: balances.map((b) => ({ asset: b.asset, free: outDec(b.free), locked: outDec(b.locked) })),
          positions: positions.map((p) => ({
            asset: p.asset,
            symbol: p.symbol,
            quantity: outDec(p.quantity),
            costBasis: outDec(p.cost_basis),
            realizedPnl: outDec(p.realized_pnl),
            feesQuote: outDec(p.fees_quote),
          })),
        };
      });
  }

  /** The run's orders and fills in insertion (id) order. */
  async runOrders(runId: string): Promise<{ orders: OrderRowOut[]; fills: FillRowOut[] }> {
    return this.ordersOfRuns([inId(runId, 'runId')]);
  }

  /** Inserts the exchange's balances of a run (phase `before` or `after`); replaces an earlier call's. */
  async recordExchangeBalances(
    runId: string,
    accountId: string,
    phase: 'before' | 'after',
    balances: readonly Balance[],
  ): Promise<void> {
    const run_id = inId(runId, 'runId');
    const account_id = inId(accountId, 'accountId');
    const rows = balances.map((b) => ({
      run_id,
      account_id,
      phase,
      asset: b.asset,
      free: inDec(b.free, `exchange balance ${b.asset}.free`),
      locked: inDec(b.locked, `exchange balance ${b.asset}.locked`),
    }));
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('exchange_balance_snapshots')
        .where('run_id', '=', run_id)
        .where('phase', '=', phase)
        .execute();
      for (const chunk of chunks(rows))
        await trx.insertInto('exchange_balance_snapshots').values(chunk).execute();
    });
  }

  /** Inserts reconciliation rows of a run. */
  async recordReconciliations(
    runId: string,
    accountId: string,
    rows: readonly ReconciliationRow[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const run_id = inId(runId, 'runId');
    const account_id = inId(accountId, 'accountId');
    await this.db
      .insertInto('reconciliations')
      .values(
        rows.map((r) => ({
          run_id,
          account_id,
          phase: r.phase,
          asset: r.asset,
          expected: inDec(r.expected, `reconciliation ${r.asset}.expected`),
          actual: inDec(r.actual, `reconciliation ${r.asset}.actual`),
          difference: inDec(r.difference, `reconciliation ${r.asset}.difference`),
          note: r.note,
        })),
      )
      .execute();
  }

  /**
   * See {@link Ledger.unsettledOrders}: of the unfinished runs after `state_run_id`, the PENDING orders,
   * and the orders and fills recorded after the state's fill marker (010).
   */
  async unsettledOrders(accountId: string): Promise<{ orders: OrderRowOut[]; fills: FillRowOut[] }> {
    const { runIds, afterFillId } = await unsettledScope(this.db, inId(accountId, 'accountId'));
    if (runIds.length === 0) return { orders: [], fills: [] };
    return this.ordersOfRuns(runIds, afterFillId);
  }

  /** See {@link UnfinishedState.unsettledFills}. */
  async unsettledFills(accountId: string): Promise<{ fills: FillRowOut[]; throughFillId: string | null }> {
    const { runIds, afterFillId } = await unsettledScope(this.db, inId(accountId, 'accountId'));
    if (runIds.length === 0) return { fills: [], throughFillId: null };
    const fills = await this.fillRowsOfRuns(runIds, afterFillId);
    const last = fills.at(-1);
    return { fills: fills.map(fillOut), throughFillId: last === undefined ? null : outId(last.id) };
  }

  /** See {@link UnfinishedState.saveUnfinishedState}. */
  async saveUnfinishedState(
    runId: string,
    accountId: string,
    state: { readonly balances: readonly Balance[]; readonly positions: readonly PositionRow[] },
    throughFillId: string,
  ): Promise<void> {
    const ids = [inId(runId, 'runId'), inId(accountId, 'accountId'), inId(throughFillId, 'fillId')] as const;
    await saveUnfinishedState(this.db, ids[0], ids[1], state, ids[2]);
  }

  /** See {@link UnfinishedState.heldUnsettledFills}. */
  heldUnsettledFills(accountId: string): Promise<number> {
    return heldUnsettledFills(this.db, inId(accountId, 'accountId'));
  }

  /** The fill rows of `runIds` (with their order's clientOrderId), after `afterFillId` when given, by id. */
  private fillRowsOfRuns(runIds: readonly string[], afterFillId?: string) {
    let fq = this.db
      .selectFrom('fills')
      .innerJoin('orders', 'orders.id', 'fills.order_id')
      .selectAll('fills')
      .select('orders.client_order_id')
      .where('fills.run_id', 'in', runIds);
    if (afterFillId !== undefined) fq = fq.where('fills.id', '>', afterFillId);
    return fq.orderBy('fills.id').execute();
  }

  /**
   * The orders and fills of `runIds`; with `afterFillId`, only the fills after it and the orders that are
   * PENDING or have such a fill.
   */
  private async ordersOfRuns(
    runIds: readonly string[],
    afterFillId?: string,
  ): Promise<{ orders: OrderRowOut[]; fills: FillRowOut[] }> {
    const fills = await this.fillRowsOfRuns(runIds, afterFillId);
    let oq = this.db.selectFrom('orders').selectAll().where('run_id', 'in', runIds);
    if (afterFillId !== undefined) {
      const filled = [...new Set(fills.map((f) => f.order_id))];
      oq = oq.where((eb) =>
        filled.length > 0
          ? eb.or([eb('status', '=', 'PENDING'), eb('id', 'in', filled)])
          : eb('status', '=', 'PENDING'),
      );
    }
    const orders = await oq.orderBy('id').execute();
    return {
      orders: orders.map((o) => ({
        id: outId(o.id),
        runId: outId(o.run_id),
        accountId: outId(o.account_id),
        clientOrderId: o.client_order_id,
        symbol: o.symbol,
        side: o.side as OrderRowOut['side'],
        leg: o.leg,
        quantity: outDecOrNull(o.quantity),
        quoteOrderQty: outDecOrNull(o.quote_order_qty),
        decisionPrice: outDec(o.decision_price),
        decidedAt: outMs(o.decided_at),
        status: o.status,
        exchangeOrderId: o.exchange_order_id,
        executedQty: outDec(o.executed_qty),
        cummulativeQuoteQty: outDec(o.cummulative_quote_qty),
        avgPrice: outDecOrNull(o.avg_price),
        slippageBps: o.slippage_bps,
        rejectCode: o.reject_code,
        rejectReason: o.reject_reason,
        rejectMessage: o.reject_message,
        transactTime: o.transact_time === null ? null : outMs(o.transact_time),
        latencyMs: o.latency_ms === null ? null : Number(o.latency_ms),
      })),
      fills: fills.map(fillOut),
    };
  }

  /**
   * Inserts the daily equity rows of a backtest run into `backtest_equity` (multi-row inserts, one
   * transaction); decimals are validated and canonicalised with `decStr`.
   * @throws Error for a malformed run id, day or decimal; the database error for a day recorded twice
   *   (primary key) or an unknown run (foreign key).
   */
  async recordBacktestEquity(
    runId: string,
    rows: readonly import('../../ports/ledger.ts').BacktestEquityRow[],
  ): Promise<void> {
    const run_id = inId(runId, 'runId');
    const values = rows.map((r) => ({
      run_id,
      day: inDay(r.day),
      equity: inDec(r.equity, `backtest equity ${r.day}`),
      benchmark_btc: r.btc === null ? null : inDec(r.btc, `backtest btc ${r.day}`),
      benchmark_equal_weight:
        r.equalWeight === null ? null : inDec(r.equalWeight, `backtest equal weight ${r.day}`),
    }));
    if (values.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(values)) await trx.insertInto('backtest_equity').values(chunk).execute();
    });
  }
}

/** Deletes what an earlier `saveState` of the same run wrote (its snapshots are replaced). */
async function replaceRunSnapshots(trx: Transaction<Database>, runId: string): Promise<void> {
  await trx.deleteFrom('balance_snapshots').where('run_id', '=', runId).execute();
  await trx.deleteFrom('position_snapshots').where('run_id', '=', runId).execute();
  await trx.deleteFrom('holding_adjustments').where('run_id', '=', runId).execute();
  await trx.deleteFrom('equity_snapshots').where('run_id', '=', runId).execute();
}

function runRow(row: {
  id: string;
  account_id: string;
  kind: string;
  period: string;
  rebalance_mode: string;
  strategy_mode: string;
  status: string;
  dry_run: boolean;
  forced: boolean;
  config: unknown;
  decision_time: Date;
  started_at: Date;
  finished_at: Date | null;
  exit_reason: string | null;
}): RunRow {
  return {
    id: outId(row.id),
    accountId: outId(row.account_id),
    kind: row.kind as RunKind,
    period: outDay(row.period),
    rebalanceMode: row.rebalance_mode,
    strategyMode: row.strategy_mode,
    dryRun: row.dry_run,
    forced: row.forced,
    config: row.config,
    decisionTime: outMs(row.decision_time),
    startedAt: outMs(row.started_at),
    status: row.status as RunStatus,
    finishedAt: row.finished_at === null ? null : outMs(row.finished_at),
    exitReason: row.exit_reason,
  };
}

function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += CHUNK) yield rows.slice(i, i + CHUNK);
}

// ---- parsing at the boundary --------------------------------------------------------------------

/** A ledger id argument: a positive integer as a decimal string. */
function inId(id: string, what: string): string {
  if (typeof id !== 'string' || !/^[1-9]\d{0,18}$/.test(id)) {
    throw new Error(`${what}: not a ledger id: ${JSON.stringify(id)}`);
  }
  return id;
}

/** A decimal argument, validated and canonicalised (numbers only for float metrics like market cap). */
function inDec(value: string | number, what: string): string {
  try {
    return decStr(value);
  } catch {
    throw new Error(`${what}: not a finite decimal: ${JSON.stringify(value)}`);
  }
}

function inDay(day: string): string {
  dayToMs(day); // throws on anything but a real YYYY-MM-DD
  return day;
}

function inTime(ms: number, what: string): Date {
  if (!Number.isFinite(ms)) throw new Error(`${what}: not a UTC ms timestamp: ${String(ms)}`);
  return new Date(ms);
}

function inJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** An id as returned by either driver (string from `pg`, string via parsers from PGlite). */
function outId(v: string | number | bigint): string {
  return String(v);
}

/** A `numeric` as a canonical decimal string (`'1.50'` → `'1.5'`). */
function outDec(v: string): string {
  return decStr(v);
}

function outDecOrNull(v: string | null): string | null {
  return v === null ? null : decStr(v);
}

function outMs(d: Date): number {
  return d.getTime();
}

/** A `date` as `YYYY-MM-DD` (drivers return its text; a `Date` would mean a misconfigured parser). */
function outDay(v: string | Date): string {
  if (typeof v === 'string') return v;
  throw new Error(
    `ledger driver returned a Date for a date column (${v.toISOString()}); configure it as in connect.ts`,
  );
}

/** Column values of a new order (without status/outcome). */
function orderValues(order: NewOrder) {
  return {
    run_id: inId(order.runId, 'runId'),
    account_id: inId(order.accountId, 'accountId'),
    client_order_id: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    leg: order.leg,
    quantity: order.quantity === null ? null : inDec(order.quantity, 'quantity'),
    quote_order_qty: order.quoteOrderQty === null ? null : inDec(order.quoteOrderQty, 'quoteOrderQty'),
    decision_price: inDec(order.decisionPrice, 'decisionPrice'),
    decided_at: inTime(order.decidedAt, 'decidedAt'),
  };
}

/** Column values of an order's outcome (also for stop-booking.ts). */
export function outcomeValues(outcome: OrderOutcomeRow) {
  return {
    status: outcome.status,
    exchange_order_id: outcome.exchangeOrderId,
    executed_qty: inDec(outcome.executedQty, 'executedQty'),
    cummulative_quote_qty: inDec(outcome.cummulativeQuoteQty, 'cummulativeQuoteQty'),
    avg_price: outcome.avgPrice === null ? null : inDec(outcome.avgPrice, 'avgPrice'),
    slippage_bps: outcome.slippageBps,
    reject_code: outcome.rejectCode,
    reject_reason: outcome.rejectReason,
    reject_message: outcome.rejectMessage,
    transact_time: outcome.transactTime === null ? null : inTime(outcome.transactTime, 'transactTime'),
    latency_ms: outcome.latencyMs === null ? null : Math.round(outcome.latencyMs),
    completed_at: new Date(),
  };
}

/** Column values of a fill (without order/run/account ids; also for stop-booking.ts). */
export function fillValues(f: FillRow) {
  return {
    trade_id: f.tradeId,
    symbol: f.symbol,
    side: f.side,
    price: inDec(f.price, 'fill.price'),
    quantity: inDec(f.quantity, 'fill.quantity'),
    quote_quantity: inDec(f.quoteQuantity, 'fill.quoteQuantity'),
    commission: inDec(f.commission, 'fill.commission'),
    commission_asset: f.commissionAsset,
    commission_quote: inDec(f.commissionQuote, 'fill.commissionQuote'),
    filled_at: inTime(f.filledAt, 'fill.filledAt'),
  };
}

/** A fill row (joined with its order's clientOrderId) as the ports give it. */
function fillOut(f: Awaited<ReturnType<PostgresLedger['fillRowsOfRuns']>>[number]): FillRowOut {
  return {
    orderId: outId(f.order_id),
    clientOrderId: f.client_order_id,
    tradeId: f.trade_id,
    symbol: f.symbol,
    side: f.side as FillRowOut['side'],
    price: outDec(f.price),
    quantity: outDec(f.quantity),
    quoteQuantity: outDec(f.quote_quantity),
    commission: outDec(f.commission),
    commissionAsset: f.commission_asset,
    commissionQuote: outDec(f.commission_quote),
    filledAt: outMs(f.filled_at),
  };
}
