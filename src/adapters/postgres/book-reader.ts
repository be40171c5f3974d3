/**
 * The {@link BookReader} over the ledger's views (sql/views: `daily_equity`, `run_overview`) and the
 * current `positions`: read-only queries, numeric values kept as exact strings.
 */
import { type Kysely, sql } from 'kysely';
import type {
  AccountRow,
  BookHistory,
  BookReader,
  BookStatus,
  DayRange,
  EquityRow,
  HoldingRow,
  RunRow,
} from '../../ports/book-reader.ts';
import type { Database } from './schema.ts';

const iso = (d: Date | string | null): string => (d instanceof Date ? d.toISOString() : String(d ?? ''));

/** Reads accounts, positions, runs and equity from a migrated ledger. */
export class PostgresBookReader implements BookReader {
  constructor(private readonly db: Kysely<Database>) {}

  async accounts(): Promise<readonly string[]> {
    const r = await sql<{ name: string }>`select name from accounts order by name`.execute(this.db);
    return r.rows.map((x) => x.name);
  }

  async status(account: string, runs: number): Promise<BookStatus | null> {
    const acc = await this.#account(account);
    if (acc === null) return null;
    const [equity, holdings, lastRuns] = await Promise.all([
      this.#equity(acc.id, 1, 'desc'),
      this.#holdings(acc.id),
      this.#runs(acc.id, runs),
    ]);
    return { account: acc.row, equity: equity[0] ?? null, holdings, last_runs: lastRuns };
  }

  async history(account: string, limit: number, range: DayRange = {}): Promise<BookHistory | null> {
    const acc = await this.#account(account);
    if (acc === null) return null;
    const [runs, equity] = await Promise.all([
      this.#runs(acc.id, limit, range),
      this.#equity(acc.id, limit, 'desc', range),
    ]);
    return { account: acc.row, runs, equity: [...equity].reverse() };
  }

  async #account(name: string): Promise<{ id: string; row: AccountRow } | null> {
    const r = await sql<{
      id: string;
      name: string;
      exchange_kind: string;
      quote_asset: string;
      initial_quote: string;
      created_at: Date;
    }>`select id, name, exchange_kind, quote_asset, initial_quote, created_at from accounts where name = ${name}`.execute(
      this.db,
    );
    const a = r.rows[0];
    if (a === undefined) return null;
    return {
      id: a.id,
      row: {
        name: a.name,
        exchange_kind: a.exchange_kind,
        quote_asset: a.quote_asset,
        initial_quote: a.initial_quote,
        created_at: iso(a.created_at),
      },
    };
  }

  async #equity(
    accountId: string,
    limit: number,
    order: 'asc' | 'desc',
    range: DayRange = {},
  ): Promise<EquityRow[]> {
    const r = await sql<Omit<EquityRow, 'marked_at'> & { marked_at: Date }>`
      select day, price_basis, marked_at, cash, positions_value, equity, total_pnl, realized_pnl,
             unrealized_pnl, fees_quote as fees
        from daily_equity
       where account_id = ${accountId} and run_kind in ('rebalance', 'intraday')
         and (${range.from ?? null}::date is null or day >= ${range.from ?? null}::date)
         and (${range.to ?? null}::date is null or day <= ${range.to ?? null}::date)
       order by day ${sql.raw(order)}
       limit ${limit}`.execute(this.db);
    return r.rows.map((e) => ({ ...e, marked_at: iso(e.marked_at) }));
  }

  /**
   * Current positions (table `positions`, quantity > 0) marked at the prices of the last equity
   * snapshot's run (its position_snapshots); no mark when that run did not hold the asset.
   */
  async #holdings(accountId: string): Promise<HoldingRow[]> {
    const r = await sql<HoldingRow>`
      with last_marks as (
        select ps.asset, ps.mark_price
          from position_snapshots ps
         where ps.run_id = (select e.run_id from equity_snapshots e
                             where e.account_id = ${accountId}
                             order by e.marked_at desc, e.id desc limit 1)
      )
      select p.asset, p.symbol, p.quantity,
             p.cost_basis / p.quantity                         as avg_cost,
             m.mark_price,
             p.quantity * m.mark_price                         as market_value,
             p.quantity * m.mark_price - p.cost_basis          as unrealized_pnl,
             p.realized_pnl, p.fees_quote as fees, r.period
        from positions p
        join runs r on r.id = p.run_id
        left join last_marks m on m.asset = p.asset
       where p.account_id = ${accountId} and p.quantity > 0
       order by market_value desc nulls last, p.asset`.execute(this.db);
    return r.rows;
  }

  async #runs(accountId: string, limit: number, range: DayRange = {}): Promise<RunRow[]> {
    const r = await sql<
      Omit<RunRow, 'started_at' | 'duration_ms' | 'orders' | 'filled_orders' | 'rejected_orders'> & {
        started_at: Date;
        duration_ms: string | null;
        orders: string;
        filled_orders: string;
        rejected_orders: string;
      }
    >`
      select run_id as id, period, status, exit_reason, dry_run, forced, strategy_mode, rebalance_mode,
             started_at, duration_ms, orders, filled_orders, rejected_orders, fees_quote as fees, equity
        from run_overview
       where account_id = ${accountId} and kind = 'rebalance'
         and (${range.from ?? null}::date is null or period >= ${range.from ?? null}::date)
         and (${range.to ?? null}::date is null or period <= ${range.to ?? null}::date)
       order by started_at desc, run_id desc
       limit ${limit}`.execute(this.db);
    return r.rows.map((x) => ({
      ...x,
      id: String(x.id),
      started_at: iso(x.started_at),
      duration_ms: x.duration_ms === null ? null : Number(x.duration_ms),
      orders: Number(x.orders),
      filled_orders: Number(x.filled_orders),
      rejected_orders: Number(x.rejected_orders),
    }));
  }
}
