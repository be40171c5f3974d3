/**
 * The live account's self-contained HTML report (`momentum-rebalancer report --account NAME --out FILE`,
 * issue 12 item 4): the backtest report's page (equity, drawdown, monthly returns, turnover and fees,
 * holdings, rejected orders by reason) drawn from the ledger, plus P/L by asset and every order with its
 * decision price, fill price, slippage (bps) and latency (ms). Offline like the backtest report.
 */
import { accountReportResult } from '../app/account-report.ts';
import type { AccountReportData, ReportOrder } from '../ports/account-report.ts';
import { escapeHtml, renderBacktestReport } from './html-report.ts';

/** Orders listed in the page at most (the newest; the count of all of them is shown). */
export const MAX_ORDERS_SHOWN = 500;

/** Venues whose fills are simulated rather than executed by an exchange. */
const SIMULATED = new Set(['replay', 'paper']);

const cell = (v: string | number | null, cls = ''): string =>
  `<td${cls ? ` class="${cls}"` : ''}>${v === null ? '—' : escapeHtml(String(v))}</td>`;

function pnlSection(data: AccountReportData): string {
  const q = escapeHtml(data.account.quote_asset);
  const rows = data.pnl
    .map(
      (p) =>
        `<tr>${cell(p.asset)}${cell(p.quantity, 'num')}${cell(p.market_value, 'num')}${cell(p.realized_pnl, 'num')}${cell(
          p.unrealized_pnl,
          'num',
        )}${cell(p.total_pnl, 'num')}${cell(p.fees, 'num')}</tr>`,
    )
    .join('\n');
  return `<section aria-labelledby="pnl-title"><h2 id="pnl-title">P/L by asset</h2>
<p class="muted">Latest position snapshot of each asset ever held (closed positions included), in ${q}, exact as the ledger holds it (average-cost accounting: realized + unrealized = total; fees are in the P/L).</p>
<div class="scroll"><table id="table-pnl"><thead><tr><th>Asset</th><th class="num">Quantity</th><th class="num">Market value</th><th class="num">Realized</th><th class="num">Unrealized</th><th class="num">Total P/L</th><th class="num">Fees</th></tr></thead><tbody>
${rows}
</tbody></table></div></section>`;
}

function orderRow(o: ReportOrder): string {
  return `<tr>${cell(o.decided_at.replace('T', ' ').slice(0, 19))}${cell(o.run_kind)}${cell(o.symbol)}${cell(o.side)}${cell(
    o.status,
  )}${cell(o.decision_price, 'num')}${cell(o.avg_price, 'num')}${cell(
    o.slippage_bps === null ? null : o.slippage_bps.toFixed(2),
    'num',
  )}${cell(o.latency_ms, 'num')}${cell(o.quote_qty, 'num')}</tr>`;
}

function ordersSection(data: AccountReportData): string {
  const shown = data.orders.slice(-MAX_ORDERS_SHOWN);
  const filled = data.orders.filter((o) => o.slippage_bps !== null);
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  const meanSlip = mean(filled.map((o) => o.slippage_bps as number));
  const lat = data.orders.filter((o) => o.latency_ms !== null).map((o) => o.latency_ms as number);
  const summary = `${data.orders.length} order(s); mean slippage ${
    meanSlip === null ? '—' : `${meanSlip.toFixed(2)} bps`
  } over ${filled.length} filled; mean latency ${mean(lat) === null ? '—' : `${(mean(lat) as number).toFixed(0)} ms`}${
    data.orders.length > shown.length ? `; the newest ${shown.length} are listed` : ''
  }.`;
  return `<section aria-labelledby="orders-title"><h2 id="orders-title">Orders and fills</h2>
<p class="muted">Decision price = the price the plan used; fill = average fill price; slippage in bps, positive = worse for the account; latency = decision to fill. ${escapeHtml(summary)}</p>
<div class="scroll"><table id="table-orders"><thead><tr><th>Decided (UTC)</th><th>Job</th><th>Symbol</th><th>Side</th><th>Status</th><th class="num">Decision price</th><th class="num">Fill price</th><th class="num">Slippage (bps)</th><th class="num">Latency (ms)</th><th class="num">Quote qty</th></tr></thead><tbody>
${shown.map(orderRow).join('\n')}
</tbody></table></div></section>`;
}

/**
 * Renders the account's report as one self-contained HTML page.
 * @param data what the ledger recorded for the account ({@link AccountReportData}).
 * @param now generation time (UTC ms), printed in the subtitle.
 * @throws Error when a recorded day is not `YYYY-MM-DD`, or when uPlot is not installed.
 */
export function renderAccountReport(data: AccountReportData, now: number): string {
  const { result } = accountReportResult(data);
  const a = data.account;
  const simulated = SIMULATED.has(a.exchange_kind)
    ? ` · fills are simulated (${a.exchange_kind})`
    : ` · fills executed by ${a.exchange_kind}`;
  return renderBacktestReport(result, {
    title: `Account report: ${a.name}`,
    subtitle: `Momentum rebalancer · account ${a.name} · venue ${a.venue ?? a.exchange_kind}${simulated} · quote asset ${a.quote_asset} · generated ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    strategyLabel: 'Account',
    benchmarks: false,
    sectionsHtml: `${pnlSection(data)}\n${ordersSection(data)}`,
  });
}
