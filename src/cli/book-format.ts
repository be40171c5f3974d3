/**
 * Text and CSV renderings of the book for `status` and `history` (money rounded to 2 decimals half-up
 * for reading; `--json` prints the exact ledger values).
 */
import { Decimal, dec } from '../domain/decimal.ts';
import type { BookHistory, BookStatus, EquityRow, RunRow } from '../ports/book-reader.ts';
import { table } from './table.ts';

const money = (x: string | null | undefined) =>
  x === null || x === undefined ? '-' : dec(x).toFixed(2, Decimal.ROUND_HALF_UP);
const signed = (x: string | null) => {
  if (x === null) return '-';
  const s = money(x);
  return s.startsWith('-') ? s : `+${s}`;
};
const qty = (x: string) => dec(x).toString();

function runsTable(runs: readonly RunRow[]): string {
  return table(
    ['run', 'period', 'status', 'reason', 'orders', 'filled', 'rejected', 'fees', 'equity', 'started (UTC)'],
    runs.map((r) => [
      `#${r.id}${r.dry_run ? ' (dry)' : ''}${r.forced ? ' (forced)' : ''}`,
      r.period,
      r.status,
      r.exit_reason ?? '',
      String(r.orders),
      String(r.filled_orders),
      String(r.rejected_orders),
      money(r.fees),
      money(r.equity),
      r.started_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    ]),
    'llllrrrrrl',
  );
}

function equityTable(rows: readonly EquityRow[]): string {
  return table(
    ['day', 'basis', 'cash', 'positions', 'equity', 'P/L', 'realized', 'unrealized', 'fees'],
    rows.map((e) => [
      e.day,
      e.price_basis,
      money(e.cash),
      money(e.positions_value),
      money(e.equity),
      signed(e.total_pnl),
      signed(e.realized_pnl),
      signed(e.unrealized_pnl),
      money(e.fees),
    ]),
    'llrrrrrrr',
  );
}

/** `status` as text: account, equity and P/L at the last marks, holdings, last runs. */
export function formatStatus(s: BookStatus): string {
  const a = s.account;
  const q = a.quote_asset;
  const out = [
    `Account ${a.name} · exchange ${a.exchange_kind} · quote ${q} · initial ${money(a.initial_quote)} ${q} · created ${a.created_at}`,
    ...(a.exchange_kind === 'paper'
      ? ['Fills are simulated (paper): no order of this account was sent to an exchange.']
      : []),
  ];
  if (s.equity === null) {
    out.push('', 'No equity recorded yet: no run has completed on this account.');
  } else {
    const e = s.equity;
    out.push(
      '',
      `Equity ${money(e.equity)} ${q} on ${e.day} (marks: ${e.price_basis} prices, taken ${e.marked_at}): cash ${money(e.cash)}, positions ${money(e.positions_value)}`,
      `P/L ${signed(e.total_pnl)} ${q} (realized ${signed(e.realized_pnl)}, unrealized ${signed(e.unrealized_pnl)}); fees paid ${money(e.fees)} ${q}`,
    );
  }
  out.push('', `Holdings (${s.holdings.length})`);
  out.push(
    s.holdings.length === 0
      ? `(none: all in ${q})`
      : table(
          ['asset', 'quantity', 'avg cost', 'mark', 'value', 'unrealized', 'realized', 'fees', 'last traded'],
          s.holdings.map((h) => [
            h.asset,
            qty(h.quantity),
            h.avg_cost === null ? '-' : dec(h.avg_cost).toSignificantDigits(8).toString(),
            h.mark_price === null ? '-' : dec(h.mark_price).toString(),
            money(h.market_value),
            signed(h.unrealized_pnl),
            signed(h.realized_pnl),
            money(h.fees),
            h.period,
          ]),
          'lrrrrrrrl',
        ),
  );
  out.push(
    '',
    `Last runs (${s.last_runs.length})`,
    s.last_runs.length === 0 ? '(none)' : runsTable(s.last_runs),
  );
  out.push('', 'Read from the ledger only (no exchange was contacted).');
  return out.join('\n');
}

/** `history` as text: runs (newest first) and daily equity (oldest first). */
export function formatHistory(h: BookHistory): string {
  const a = h.account;
  return [
    `Account ${a.name} · exchange ${a.exchange_kind} · quote ${a.quote_asset}`,
    '',
    `Runs (${h.runs.length}, newest first)`,
    h.runs.length === 0 ? '(none)' : runsTable(h.runs),
    '',
    `Daily equity (${h.equity.length} days, ${a.quote_asset})`,
    h.equity.length === 0 ? '(none)' : equityTable(h.equity),
  ].join('\n');
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV (RFC 4180 quoting) with the given columns, exact values. */
export function toCsvRows<T extends object>(
  rows: readonly T[],
  columns: readonly (keyof T & string)[],
): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n');
}

/** Columns of the daily-equity CSV. */
export const EQUITY_CSV_COLUMNS = [
  'day',
  'price_basis',
  'marked_at',
  'cash',
  'positions_value',
  'equity',
  'total_pnl',
  'realized_pnl',
  'unrealized_pnl',
  'fees',
] as const satisfies readonly (keyof EquityRow)[];

/** Columns of the runs CSV. */
export const RUNS_CSV_COLUMNS = [
  'id',
  'period',
  'status',
  'exit_reason',
  'dry_run',
  'forced',
  'strategy_mode',
  'rebalance_mode',
  'started_at',
  'duration_ms',
  'orders',
  'filled_orders',
  'rejected_orders',
  'fees',
  'equity',
] as const satisfies readonly (keyof RunRow)[];
