/**
 * The intraday pass's tables (port `IntradayJournal`, migration 006) over the ledger's Kysely instance:
 * `position_risk`, `intraday_accounts`, `intraday_decisions`, `intraday_exits`. Decimals are written and
 * read as strings (numeric), instants as `Date` (timestamptz), like the rest of the ledger adapter.
 */
import type { ColumnType, GeneratedAlways, Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { IntradayAccountRow, IntradayExitRow, RiskStateRow } from '../../ports/intraday-journal.ts';
import type { Database } from './schema.ts';

type Ts = ColumnType<Date, Date, Date>;
type Json = ColumnType<unknown, string, string>;

/** `position_risk` (006). */
export interface PositionRiskTable {
  account_id: string;
  symbol: string;
  cost_basis: string;
  holding: string;
  peak: string | null;
  last_candle_open: ColumnType<Date | null, Date | null, Date | null>;
  pending_reason: string | null;
  updated_run_id: string | null;
  updated_at: Ts;
}

/** `intraday_accounts` (006). */
export interface IntradayAccountsTable {
  account_id: string;
  equity_peak: string;
  equity_day: string;
  prev_day_equity: string;
  last_equity: string;
  updated_at: Ts;
}

/** `intraday_decisions` (006). */
export interface IntradayDecisionsTable {
  id: GeneratedAlways<string>;
  run_id: string;
  symbol: string;
  detail: Json;
}

/** `intraday_exits` (006). */
export interface IntradayExitsTable {
  id: GeneratedAlways<string>;
  run_id: string;
  account_id: string;
  at: Ts;
  symbol: string;
  reason: string;
  level: string | null;
  decision_price: string;
  quantity: string;
  price: string | null;
  slippage_bps: number | null;
  client_order_id: string;
}

/** The intraday tables keyed by `account_id`. */
type AccountTable = 'position_risk' | 'intraday_accounts' | 'intraday_exits';

/** The ledger database with the intraday tables. */
export interface IntradayDatabase extends Database {
  position_risk: PositionRiskTable;
  intraday_accounts: IntradayAccountsTable;
  intraday_decisions: IntradayDecisionsTable;
  intraday_exits: IntradayExitsTable;
}

/** `IntradayJournal` over `db` (the ledger's connection). */
export class IntradayStore {
  private readonly db: Kysely<IntradayDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = db as unknown as Kysely<IntradayDatabase>;
  }

  /** Every column of the rows of `table` that belong to the account `accountId` (a query to complete). */
  private ofAccount<T extends AccountTable>(
    table: T,
    accountId: string,
  ): SelectQueryBuilder<IntradayDatabase, T, Selectable<IntradayDatabase[T]>> {
    // One query over the three tables' shared `account_id`; kysely cannot type a generic table's where.
    const q = this.db
      .selectFrom(table as AccountTable)
      .selectAll()
      .where('account_id', '=', accountId);
    return q as unknown as SelectQueryBuilder<IntradayDatabase, T, Selectable<IntradayDatabase[T]>>;
  }

  /** See {@link IntradayJournal.riskStates}. */
  async riskStates(accountId: string): Promise<RiskStateRow[]> {
    const rows = await this.ofAccount('position_risk', accountId).orderBy('symbol').execute();
    return rows.map((r) => ({
      symbol: r.symbol,
      costBasis: canon(r.cost_basis),
      holding: canon(r.holding),
      peak: r.peak === null ? null : canon(r.peak),
      lastCandleOpenMs: r.last_candle_open === null ? null : r.last_candle_open.getTime(),
      pending: r.pending_reason as RiskStateRow['pending'],
    }));
  }

  /** See {@link IntradayJournal.saveRiskStates}. */
  async saveRiskStates(
    accountId: string,
    rows: readonly RiskStateRow[],
    runId: string | null,
    at: number,
  ): Promise<void> {
    const kept = rows.filter((r) => !/^0(\.0*)?$/.test(r.holding));
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('position_risk').where('account_id', '=', accountId).execute();
      if (kept.length === 0) return;
      await trx
        .insertInto('position_risk')
        .values(
          kept.map((r) => ({
            account_id: accountId,
            symbol: r.symbol,
            cost_basis: r.costBasis,
            holding: r.holding,
            peak: r.peak,
            last_candle_open: r.lastCandleOpenMs === null ? null : new Date(r.lastCandleOpenMs),
            pending_reason: r.pending,
            updated_run_id: runId,
            updated_at: new Date(at),
          })),
        )
        .execute();
    });
  }

  /** See {@link IntradayJournal.intradayAccount}. */
  async intradayAccount(accountId: string): Promise<IntradayAccountRow | null> {
    const r = await this.ofAccount('intraday_accounts', accountId).executeTakeFirst();
    if (!r) return null;
    return {
      equityPeak: canon(r.equity_peak),
      equityDay: String(r.equity_day),
      prevDayEquity: canon(r.prev_day_equity),
      lastEquity: canon(r.last_equity),
    };
  }

  /** See {@link IntradayJournal.saveIntradayAccount}. */
  async saveIntradayAccount(accountId: string, row: IntradayAccountRow, at: number): Promise<void> {
    const values = {
      equity_peak: row.equityPeak,
      equity_day: row.equityDay,
      prev_day_equity: row.prevDayEquity,
      last_equity: row.lastEquity,
      updated_at: new Date(at),
    };
    await this.db
      .insertInto('intraday_accounts')
      .values({ account_id: accountId, ...values })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
      .execute();
  }

  /** See {@link IntradayJournal.recordIntradayDecisions}. */
  async recordIntradayDecisions(
    runId: string,
    rows: readonly { readonly symbol: string; readonly detail: unknown }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('intraday_decisions')
      .values(rows.map((r) => ({ run_id: runId, symbol: r.symbol, detail: JSON.stringify(r.detail) })))
      .execute();
  }

  /** See {@link IntradayJournal.recordIntradayExits}. */
  async recordIntradayExits(
    runId: string,
    accountId: string,
    rows: readonly IntradayExitRow[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('intraday_exits')
      .values(
        rows.map((r) => ({
          run_id: runId,
          account_id: accountId,
          at: new Date(r.at),
          symbol: r.symbol,
          reason: r.reason,
          level: r.level,
          decision_price: r.decisionPrice,
          quantity: r.quantity,
          price: r.price,
          slippage_bps: r.slippageBps,
          client_order_id: r.clientOrderId,
        })),
      )
      .execute();
  }

  /** See {@link IntradayJournal.intradayExits}. */
  async intradayExits(accountId: string): Promise<IntradayExitRow[]> {
    const rows = await this.ofAccount('intraday_exits', accountId).orderBy('id').execute();
    return rows.map((r) => ({
      at: r.at.getTime(),
      symbol: r.symbol,
      reason: r.reason,
      level: r.level === null ? null : canon(r.level),
      decisionPrice: canon(r.decision_price),
      quantity: canon(r.quantity),
      price: r.price === null ? null : canon(r.price),
      slippageBps: r.slippage_bps === null ? null : Number(r.slippage_bps),
      clientOrderId: r.client_order_id,
    }));
  }
}

/** A numeric as read (`"1.50"`) in canonical form (`"1.5"`), without a float. */
function canon(v: string): string {
  if (!v.includes('.')) return v;
  const t = v.replace(/0+$/, '');
  return t.endsWith('.') ? t.slice(0, -1) : t;
}
