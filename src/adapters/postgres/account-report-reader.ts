/**
 * The {@link AccountReportReader} over the ledger (views `daily_equity`, `pnl_by_asset`; tables
 * `position_snapshots`, `fills`, `orders`, `runs`): read-only queries, money kept as exact strings.
 */
import { type Kysely, sql } from 'kysely';
import type {
  AccountReportData,
  AccountReportReader,
  ReportDay,
  ReportFill,
  ReportOrder,
} from '../../ports/account-report.ts';
import type { Database } from './schema.ts';

const iso = (d: Date | string): string => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());
const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** Reads an account's equity, holdings, fills, orders and P/L by asset from a migrated ledger. */
export class PostgresAccountReportReader implements AccountReportReader {
  constructor(private readonly db: Kysely<Database>) {}

  async accountReport(account: string): Promise<AccountReportData | null> {
    const acc = (
      await sql<{
        id: string;
        name: string;
        exchange_kind: string;
        venue: string | null;
        quote_asset: string;
        initial_quote: string;
      }>`select id, name, exchange_kind, venue, quote_asset, initial_quote from accounts where name = ${account}`.execute(
        this.db,
      )
    ).rows[0];
    if (acc === undefined) return null;
    const id = acc.id;
    const equity = await sql<{ day: string; equity: string; cash: string; run_id: string }>`
      select e.day::text as day, e.equity::text as equity, e.cash::text as cash, e.run_id::text as run_id
      from daily_equity e where e.account_id = ${id} order by e.day`.execute(this.db);
    const held = await sql<{ run_id: string; asset: string; market_value: string }>`
      select p.run_id::text as run_id, p.asset, p.market_value::text as market_value
      from position_snapshots p
      where p.account_id = ${id} and p.quantity > 0
        and p.run_id in (select e.run_id from daily_equity e where e.account_id = ${id})`.execute(this.db);
    const byRun = new Map<string, Record<string, string>>();
    for (const h of held.rows) {
      const m = byRun.get(h.run_id) ?? {};
      m[h.asset] = h.market_value;
      byRun.set(h.run_id, m);
    }
    const days: ReportDay[] = equity.rows.map((e) => ({
      day: e.day,
      equity: e.equity,
      cash: e.cash,
      positions: byRun.get(e.run_id) ?? {},
    }));
    const fills = await sql<Omit<ReportFill, 'filled_at'> & { filled_at: Date }>`
      select f.filled_at, f.symbol, f.side, f.price::text as price, f.quantity::text as quantity,
             f.quote_quantity::text as quote_quantity, f.commission::text as commission, f.commission_asset,
             f.commission_quote::text as commission_quote
      from fills f where f.account_id = ${id} order by f.filled_at, f.id`.execute(this.db);
    const orders = await sql<
      Omit<ReportOrder, 'decided_at' | 'slippage_bps' | 'latency_ms'> & {
        decided_at: Date;
        slippage_bps: number | string | null;
        latency_ms: number | string | null;
      }
    >`
      select o.decided_at, r.period::text as period, r.kind as run_kind, o.symbol, o.side, o.leg, o.status,
             o.decision_price::text as decision_price, o.avg_price::text as avg_price,
             o.executed_qty::text as executed_qty, o.cummulative_quote_qty::text as quote_qty,
             o.slippage_bps, o.latency_ms, o.reject_reason
      from orders o join runs r on r.id = o.run_id
      where o.account_id = ${id} and not r.dry_run
      order by o.decided_at, o.id`.execute(this.db);
    const pnl = await sql<AccountReportData['pnl'][number]>`
      select asset, quantity::text as quantity, market_value::text as market_value,
             realized_pnl::text as realized_pnl, unrealized_pnl::text as unrealized_pnl,
             total_pnl::text as total_pnl, fees_quote::text as fees
      from pnl_by_asset where account_id = ${id} order by asset`.execute(this.db);
    return {
      account: {
        name: acc.name,
        exchange_kind: acc.exchange_kind,
        venue: acc.venue,
        quote_asset: acc.quote_asset,
        initial_quote: acc.initial_quote,
      },
      days,
      fills: fills.rows.map((f) => ({ ...f, filled_at: iso(f.filled_at) })),
      orders: orders.rows.map((o) => ({
        ...o,
        decided_at: iso(o.decided_at),
        slippage_bps: numOrNull(o.slippage_bps),
        latency_ms: numOrNull(o.latency_ms),
      })),
      pnl: pnl.rows,
    };
  }
}
