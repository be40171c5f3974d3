/**
 * The human-readable rebalance report (what `npm run rebalance` prints on stdout).
 */
import type { RebalanceResult } from '../app/rebalance.ts';
import { Decimal, dec } from '../domain/decimal.ts';
import { DAY_MS, msToDay, startOfDayMs } from '../domain/time.ts';
import { table } from './table.ts';

const money = (x: string | null | undefined, dp = 2) =>
  x === null || x === undefined ? '-' : dec(x).toFixed(dp, Decimal.ROUND_HALF_UP);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const capFmt = (x: number | null) =>
  x === null
    ? '-'
    : x >= 1e9
      ? `${(x / 1e9).toFixed(2)}B`
      : x >= 1e6
        ? `${(x / 1e6).toFixed(1)}M`
        : x.toFixed(0);

/**
 * Formats a rebalance result as a plain-text report (no colours).
 * @param nowMs the wall clock, UTC ms (default `Date.now()`): a replay whose decision day is older than
 *   yesterday says how old its data is (issue 13 item 3, {@link replayDataAgeLines}).
 */
export function formatReport(r: RebalanceResult, nowMs: number = Date.now()): string {
  const out: string[] = [];
  const run = r.run;
  const head =
    run.status === 'dry_run'
      ? 'DRY RUN — plan simulated, nothing placed, nothing recorded'
      : run.status === 'skipped'
        ? `SKIPPED — ${run.exit_reason}`
        : run.status === 'refused'
          ? `REFUSED — ${run.exit_reason}`
          : run.status === 'halted'
            ? 'HALTED by the kill switch — bought nothing, sold what was left'
            : run.status === 'completed_with_rejections'
              ? `completed with rejections — ${run.exit_reason}`
              : 'completed';
  out.push(
    `Rebalance ${run.period} (decision ${run.decision_time}) · account ${run.account} · exchange ${run.exchange} · ${run.strategy_mode} · ${run.rebalance_mode} mode${run.forced ? ' · forced' : ''}`,
    `Status: ${head}${run.id ? ` · run #${run.id}` : ''}`,
    ...paperLines(run),
    ...replayDataAgeLines(run, nowMs),
    ...haltLines(r.halt),
  );
  if (run.status === 'skipped' || (run.status === 'refused' && r.ranking.length === 0)) {
    if (run.status === 'skipped') {
      out.push('This period was already handled; nothing was placed. Use --force to rebalance again.');
    } else {
      out.push('Nothing was placed: resolve the difference below (or use another account) and run again.');
    }
    if (r.exchange) out.push('', ...exchangeLines(r.exchange));
    out.push('', balancesTable(r), '', `Duration: ${run.duration_ms} ms`);
    return out.join('\n');
  }
  const selected = r.ranking.filter((x) => x.selected);
  out.push('', `Top ${selected.length} (of ${r.ranking.length} eligible)`);
  out.push(
    table(
      ['rank', 'symbol', 'trailing return', 'market cap (USD)', 'age (days)'],
      selected.map((x) => [
        String(x.rank),
        x.symbol,
        pct(x.trailing_return),
        capFmt(x.market_cap_usd),
        x.age_days === null ? '-' : String(Math.floor(x.age_days)),
      ]),
      'r.rrr',
    ),
  );
  const excl = Object.entries(r.excluded.by_reason);
  out.push('', `Excluded: ${excl.length === 0 ? 'none' : excl.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (r.excluded.data_ends) {
    out.push(
      `Data ends before ${run.period}: ${r.excluded.data_ends.symbols} symbol(s) (their series end ${r.excluded.data_ends.last_days.join(', ')}; not delistings)`,
    );
  }
  if (r.adjustments.length > 0) {
    out.push('', 'Token swaps / redenominations applied (strategy-semantics §2):');
    for (const a of r.adjustments)
      out.push(`  ${a.asset}: ${a.quantity_before} → ${a.quantity_after} (ratio ${a.ratio})`);
  }
  out.push(
    '',
    `Orders (${r.orders.length}; ${r.orders.filter((o) => o.status === 'REJECTED').length} rejected)`,
  );
  out.push(
    table(
      ['side', 'symbol', 'leg', 'requested', 'status', 'executed qty', 'avg price', 'quote', 'note'],
      r.orders.map((o) => [
        o.side,
        o.symbol,
        o.leg,
        o.quantity !== null ? `qty ${o.quantity}` : `quote ${money(o.quote_order_qty, 8)}`,
        o.status,
        o.executed_qty,
        o.avg_price === null ? '-' : dec(o.avg_price).toSignificantDigits(10).toFixed(),
        money(o.cummulative_quote_qty),
        o.status === 'REJECTED'
          ? `${o.reject_code ?? ''} ${o.reject_reason}: ${o.reject_message}`.trim()
          : o.why,
      ]),
      '....r.rrr',
    ),
  );
  out.push('', `Fills (${r.fills.length})`);
  out.push(
    table(
      ['side', 'symbol', 'quantity', 'price', 'quote qty', 'commission', 'asset', 'fee (quote)'],
      r.fills.map((f) => [
        f.side,
        f.symbol,
        f.quantity,
        f.price,
        money(f.quote_quantity),
        f.commission,
        f.commission_asset,
        money(f.commission_quote, 4),
      ]),
      '..rrrr.r',
    ),
  );
  const fees = r.fills.reduce((a, f) => a.plus(dec(f.commission_quote)), dec(0));
  out.push('', `Fees this run: ${fees.toFixed(4)} (quote)`);
  out.push('', balancesTable(r));
  if (r.equity && r.pnl) {
    out.push(
      '',
      `Equity ${money(r.equity.equity)} = cash ${money(r.equity.cash)} + positions ${money(r.equity.positions_value)} (marked at the ${r.equity.price_basis} of ${r.equity.day})`,
      `P/L since start (initial ${money(r.equity.initial_quote)}): total ${money(r.pnl.total)} = realized ${money(r.pnl.realized)} + unrealized ${money(r.pnl.unrealized)}; fees paid ${money(r.pnl.fees)}`,
    );
    const open = r.pnl.by_asset.filter((p) => !dec(p.quantity).isZero());
    if (open.length > 0) {
      out.push(
        table(
          ['asset', 'quantity', 'mark', 'value', 'cost basis', 'unrealized', 'realized', 'fees'],
          open.map((p) => [
            p.asset,
            p.quantity,
            p.mark_price,
            money(p.market_value),
            money(p.cost_basis),
            money(p.unrealized),
            money(p.realized),
            money(p.fees, 4),
          ]),
          '.rrrrrrr',
        ),
      );
    }
  }
  for (const f of r.partial_fills) {
    out.push(
      `Partial fill: ${f.side} ${f.symbol} ${f.status}, executed ${f.executed_qty} for ${money(f.cummulative_quote_qty)} (booked as filled)`,
    );
  }
  if (r.dust.orders > 0) {
    out.push(
      '',
      `Dust: ${r.dust.orders} order(s) not sent (below the symbol's minimum quantity or notional at the decision price), ${money(r.dust.notional)} in total`,
    );
  }
  if (r.exchange) out.push('', ...exchangeLines(r.exchange));
  const t = Object.entries(run.timings_ms)
    .map(([k, v]) => `${k} ${v} ms`)
    .join(', ');
  out.push('', `Duration: ${run.duration_ms} ms (${t})`);
  return out.join('\n');
}

/**
 * A paper run (issue 13 item 2) says plainly that its fills are simulated: no order reached an exchange.
 * Empty for other exchanges.
 */
export function paperLines(run: Pick<RebalanceResult['run'], 'exchange'>): string[] {
  if (run.exchange !== 'paper') return [];
  return [
    'Fills are simulated (paper): filled by the simulated matching engine at the last prices of the public market data plus slippage_bps; no order was sent to any exchange.',
  ];
}

/**
 * Replay decides on history: on the last day of its data by default, or on `--as-of`. When the wall-clock
 * UTC day is past the decision day + 1 (on day D + 1 the candle of D is the newest closed one, so the data
 * may be current), the report says how old the data used is and how to refresh it or trade forward
 * (issue 13 item 3). Empty for other exchanges and for a current decision day.
 * Only the decision day is known here (not the data's own last day): a `--as-of` in the past gets the
 * same note, which is true of the data the decision used.
 */
export function replayDataAgeLines(
  run: Pick<RebalanceResult['run'], 'exchange' | 'decision_time'>,
  nowMs: number,
): string[] {
  if (run.exchange !== 'replay') return [];
  const decision = Date.parse(run.decision_time);
  if (!Number.isFinite(decision)) return [];
  const days = Math.floor((startOfDayMs(nowMs) - startOfDayMs(decision)) / DAY_MS);
  if (days < 2) return [];
  return [
    `Note: replay decided on ${msToDay(decision)}, ${days} days before today (${msToDay(nowMs)} UTC): the market data is that old, and a scheduled replay decides on that same day again.`,
    '      Refresh it: momentum-rebalancer download-data --data DIR, then [data] dir = DIR (or --data DIR);',
    '      or trade forward on live prices with [exchange] kind = paper (simulated fills), or testnet.',
  ];
}

/**
 * The kill switch's lines (strategy-semantics §10, issue 10 item 5): why the run bought nothing, since
 * when and how to clear it; or that it lifted a daily-loss stop. Empty while it was running throughout.
 */
export function haltLines(h: RebalanceResult['halt']): string[] {
  if (h === undefined) return [];
  if (h.message !== null) return [`Kill switch: ${h.message}`];
  if (h.lifted)
    return [
      `Kill switch: the daily-loss stop set ${h.since} ${h.recorded ? 'was lifted by' : 'would be lifted by'} this decision day's rebalance (§10); buying allowed`,
    ];
  return [];
}

/** A real exchange: requests and weight, recovered orders, and the reconciliation of its balances. */
function exchangeLines(x: NonNullable<RebalanceResult['exchange']>): string[] {
  const lines = [`Exchange: ${x.requests ?? '?'} requests, request weight ${x.weight ?? '?'}`];
  for (const o of x.recovered_orders) {
    lines.push(`Recovered order of an unfinished run: ${o.client_order_id} → ${o.status}`);
  }
  if (x.reconciliation.length === 0) {
    lines.push("Reconciliation: the exchange balances equal the balances before plus this run's fills");
  } else {
    lines.push(
      `Reconciliation: ${x.reconciliation.length} difference(s) (recorded in the ledger)`,
      table(
        ['phase', 'asset', 'expected', 'actual', 'difference', 'note'],
        x.reconciliation.map((d) => [d.phase, d.asset, d.expected, d.actual, d.difference, d.note]),
        '..rrr.',
      ),
    );
  }
  return lines;
}

function balancesTable(r: RebalanceResult): string {
  return `Balances\n${table(
    ['asset', 'free', 'locked'],
    r.balances.map((b) => [b.asset, b.free, b.locked]),
    '.rr',
  )}`;
}
