/**
 * The self-contained HTML backtest report: one file that opens offline (uPlot's script and CSS and the
 * data are inlined; a Content-Security-Policy forbids any network access), with the metrics of the
 * strategy vs the benchmarks, equity (linear/log), drawdown, monthly returns, turnover and fees per
 * month, holdings over time, the effective config and the rejected orders.
 *
 * Size: the page carries the daily equity curves, per-month trade totals and holdings weights (thinned
 * to ≤ HOLDINGS_MAX_POINTS days) — never the individual trades; an 8-year daily backtest stays in the
 * hundreds of kilobytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BacktestMetrics, BacktestResult } from '../app/backtest-result.ts';
import { ERROR_HANDLER_SCRIPT, REPORT_CLIENT_SCRIPT } from './client-script.ts';
import {
  buildChartData,
  logScaleByDefault,
  type MonthlyReturnsRow,
  monthlyReturns,
  quoteAssetOf,
} from './report-data.ts';

/** Options of {@link renderBacktestReport}. */
export interface ReportOptions {
  /** Page title and heading (default "Backtest report"). */
  readonly title?: string;
  /** The line under the heading (plain text; escaped). */
  readonly subtitle?: string;
  /** Name of the strategy's series and metrics column (default "Strategy"). */
  readonly strategyLabel?: string;
  /** `false`: no benchmark columns in the metrics (a live account has none). Default true. */
  readonly benchmarks?: boolean;
  /** Extra `<section>`s, already-escaped HTML, placed before the rejected orders. */
  readonly sectionsHtml?: string;
}

/** Rejected orders listed in the page at most (the count of all of them is shown). */
export const MAX_REJECTIONS_SHOWN = 200;

/** Ids of the chart containers the page draws into (each gets `data-drawn="true"`). */
export const REPORT_CHART_IDS = [
  'chart-equity',
  'chart-drawdown',
  'chart-fees-turnover',
  'chart-holdings',
] as const;

let uplotAssets: { js: string; css: string } | undefined;

/** uPlot's minified IIFE build and CSS, read from node_modules once per process. */
function loadUplot(): { js: string; css: string } {
  if (!uplotAssets) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>`, `&` and U+2028/U+2029 are written as
 * `\uXXXX` escapes (still the same JSON), so no `</script>` or `<!--` can appear. NaN/±Infinity become
 * null (JSON.stringify's rule).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Source text for an inline `<script>`/`<style>`; throws if it could close its element early. */
function inlineSafe(text: string, tag: 'script' | 'style'): string {
  if (new RegExp(`</${tag}|<!--`, 'i').test(text)) {
    throw new Error(`report: inline ${tag} contains "</${tag}" or "<!--"`);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Formatting.
// ---------------------------------------------------------------------------------------------

const DASH = '—';

function finite(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function fmtPct(x: number | null | undefined, digits = 2): string {
  return finite(x) ? `${(x * 100).toFixed(digits)}%` : DASH;
}

function fmtSignedPct(x: number | null | undefined, digits = 1): string {
  if (!finite(x)) return DASH;
  let s = (x * 100).toFixed(digits);
  if (Number(s) === 0) s = (0).toFixed(digits);
  else if (x > 0) s = `+${s}`;
  return `${s}%`;
}

function fmtNum(x: number | null | undefined, digits = 2): string {
  return finite(x)
    ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : DASH;
}

type MetricKey = keyof BacktestMetrics;

const METRIC_ROWS: readonly {
  key: MetricKey;
  label: string;
  fmt: (x: number | null | undefined) => string;
}[] = [
  { key: 'total_return', label: 'Total return', fmt: (x) => fmtPct(x) },
  { key: 'cagr', label: 'CAGR', fmt: (x) => fmtPct(x) },
  { key: 'volatility', label: 'Volatility (ann.)', fmt: (x) => fmtPct(x) },
  { key: 'sharpe', label: 'Sharpe', fmt: (x) => fmtNum(x) },
  { key: 'sortino', label: 'Sortino', fmt: (x) => fmtNum(x) },
  { key: 'max_drawdown', label: 'Max drawdown', fmt: (x) => fmtPct(x) },
  { key: 'calmar', label: 'Calmar', fmt: (x) => fmtNum(x) },
  { key: 'fees', label: 'Fees', fmt: (x) => fmtNum(x) },
  { key: 'turnover', label: 'Turnover', fmt: (x) => (finite(x) ? `${fmtNum(x)}×` : DASH) },
  { key: 'n_trades', label: 'Trades', fmt: (x) => (finite(x) ? fmtNum(x, 0) : DASH) },
];

function metricsTable(result: BacktestResult, quote: string, opts: ReportOptions): string {
  const cols: { label: string; m: BacktestMetrics | undefined }[] =
    opts.benchmarks === false
      ? [{ label: opts.strategyLabel ?? 'Strategy', m: result.metrics }]
      : [
          { label: opts.strategyLabel ?? 'Strategy', m: result.metrics },
          { label: 'BTC hold', m: result.benchmarks?.btc_hold },
          { label: 'Equal weight', m: result.benchmarks?.equal_weight },
        ];
  const head = cols.map((c) => `<th scope="col">${escapeHtml(c.label)}</th>`).join('');
  const rows = METRIC_ROWS.map((r) => {
    const label = r.key === 'fees' ? `Fees (${quote})` : r.label;
    const cells = cols
      .map((c) => {
        const v = c.m?.[r.key];
        return `<td data-metric="${r.key}">${escapeHtml(r.fmt(typeof v === 'number' ? v : null))}</td>`;
      })
      .join('');
    return `<tr><th scope="row">${escapeHtml(label)}</th>${cells}</tr>`;
  }).join('\n');
  return `<table id="table-metrics" class="num"><thead><tr><th></th>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Background of a return cell: green (gain) / red (loss), stronger up to ±`full`. */
function returnColor(r: number | null, full: number): string {
  if (r === null || !Number.isFinite(r) || r === 0) return '';
  const a = (0.08 + 0.62 * Math.min(Math.abs(r) / full, 1)).toFixed(2);
  return r > 0 ? `background:rgba(22,163,74,${a})` : `background:rgba(220,38,38,${a})`;
}

function returnCell(r: number | null, full: number, attrs: string): string {
  const style = returnColor(r, full);
  const title = r === null ? '' : ` title="${escapeHtml(fmtPct(r, 4))}" data-value="${r}"`;
  return `<td ${attrs}${title}${style ? ` style="${style}"` : ''}>${escapeHtml(fmtSignedPct(r))}</td>`;
}

function monthlyTable(rows: readonly MonthlyReturnsRow[]): string {
  const head = [...MONTH_NAMES, 'Year'].map((m) => `<th scope="col">${m}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = row.months
        .map((r, i) => returnCell(r, 0.2, `data-ym="${row.year}-${String(i + 1).padStart(2, '0')}"`))
        .join('');
      return `<tr><th scope="row">${row.year}</th>${cells}${returnCell(row.year_return, 1, 'class="year"')}</tr>`;
    })
    .join('\n');
  const empty =
    '<tr><td colspan="14" class="muted">No month with an equity value after the first point.</td></tr>';
  return `<table id="table-monthly" class="num monthly"><thead><tr><th></th>${head}</tr></thead><tbody>\n${body || empty}\n</tbody></table>`;
}

const SECRET_KEY_RE = /(secret|password|passwd|token|api_?key|private)/i;

/** `section.key` → display value, nested objects flattened; secrets and URL credentials redacted. */
function flattenConfig(obj: Readonly<Record<string, unknown>>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.push(...flattenConfig(v as Record<string, unknown>, key));
      continue;
    }
    let shown: string;
    if (SECRET_KEY_RE.test(k) && v !== '' && v !== null && v !== undefined) shown = '(redacted)';
    else if (Array.isArray(v))
      shown = v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
    else if (typeof v === 'string') shown = redactUrl(v);
    else shown = v === undefined ? '' : JSON.stringify(v);
    out.push([key, shown]);
  }
  return out;
}

function redactUrl(s: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || !URL.canParse(s)) return s;
  const u = new URL(s);
  if (!u.password) return s;
  u.password = '***';
  return u.toString();
}

function configTable(config: Readonly<Record<string, unknown>>): string {
  const rows = flattenConfig(config ?? {})
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n');
  return `<table id="table-config" class="kv"><tbody>\n${rows || '<tr><td>(empty)</td></tr>'}\n</tbody></table>`;
}

function rejectionsSection(result: BacktestResult): string {
  const rejected = result.rejected ?? [];
  const byReason = new Map<string, number>();
  for (const r of rejected) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
  const reasons = [...byReason.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const reasonTable =
    reasons.length === 0
      ? ''
      : `<table id="table-rejection-reasons"><thead><tr><th>Reason</th><th class="num">Orders</th></tr></thead><tbody>${reasons
          .map(
            ([reason, n]) => `<tr><td><code>${escapeHtml(reason)}</code></td><td class="num">${n}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const shown = rejected.slice(0, MAX_REJECTIONS_SHOWN);
  const rows = shown
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.date)}</td><td>${escapeHtml(r.symbol)}</td><td>${escapeHtml(r.side)}</td><td><code>${escapeHtml(r.reason)}</code></td></tr>`,
    )
    .join('\n');
  const note =
    rejected.length === 0
      ? '<p class="muted">No order was rejected.</p>'
      : `<p class="muted">${rejected.length} rejected order${rejected.length === 1 ? '' : 's'}, by reason; then ${
          rejected.length > shown.length ? `the first ${shown.length}` : 'each of them'
        } in date order.</p>${reasonTable}`;
  const table =
    shown.length === 0
      ? ''
      : `<div class="scroll"><table id="table-rejections"><thead><tr><th>Date</th><th>Symbol</th><th>Side</th><th>Reason</th></tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
  return note + table;
}

const PAGE_CSS = `
:root { color-scheme: light; --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #fff; --panel: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 1200px; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 17px; margin: 0 0 8px; }
section { margin: 18px 0; padding: 14px 16px; border: 1px solid var(--line); border-radius: 8px; background: var(--bg); }
.muted { color: var(--muted); }
.sub { color: var(--muted); margin: 0 0 8px; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 6px 0 0; padding: 0; list-style: none; }
.facts b { font-weight: 600; }
.grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 18px; }
@media (max-width: 860px) { .grid { grid-template-columns: minmax(0, 1fr); } }
.grid > section { margin: 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { font-weight: 600; border-bottom: 2px solid var(--line); white-space: nowrap; }
table.num td { text-align: right; white-space: nowrap; }
table.num thead th { text-align: right; }
table.monthly { width: 100%; font-size: 13px; }
table.monthly td, table.monthly thead th { text-align: center; border: 1px solid #fff; }
table.monthly td.year { font-weight: 600; }
table.kv { font-size: 13px; }
table.kv th { font-weight: 500; color: var(--muted); white-space: nowrap; }
table.kv td { word-break: break-word; }
.scroll { overflow: auto; max-height: 420px; }
.chart { width: 100%; min-height: 120px; }
.chart-head { display: flex; align-items: baseline; justify-content: space-between; gap: 12px; }
.chart-head label { user-select: none; cursor: pointer; }
#error-banner { background: #fee2e2; color: #991b1b; border: 1px solid #fca5a5; padding: 8px 12px; border-radius: 6px; margin: 12px 0; }
.uplot { font-family: inherit; }
.uplot .u-legend { font-size: 12px; text-align: left; }
.uplot .u-legend .u-series { padding: 0 6px; }
.uplot .u-legend .u-series th { font-weight: 500; }
`;

function chartSection(id: string, title: string, note: string, height: number, extra = ''): string {
  return `<section aria-labelledby="${id}-title">
<div class="chart-head"><h2 id="${id}-title">${escapeHtml(title)}</h2>${extra}</div>
${note ? `<p class="muted">${note}</p>` : ''}<div id="${id}" class="chart" data-height="${height}"></div>
</section>`;
}

/**
 * The intraday exits by reason (§10) and the halt (`#intraday-exits`), when the result has any; empty
 * otherwise.
 */
function exitsSection(result: BacktestResult): string {
  const exits = result.exits ?? [];
  const haltedAt = result.halted_at ?? null;
  if (exits.length === 0 && haltedAt === null) return '';
  const by = new Map<string, number>();
  for (const e of exits) by.set(e.reason, (by.get(e.reason) ?? 0) + 1);
  const rows = [...by]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([r, n]) => `<tr><td>${escapeHtml(r)}</td><td class="num">${n}</td></tr>`)
    .join('');
  const halted =
    haltedAt !== null ? `<p>Halted at ${escapeHtml(haltedAt)} (max_drawdown): no buying after it.</p>` : '';
  return `<section aria-labelledby="exits-title" id="intraday-exits"><h2 id="exits-title">Intraday exits</h2>
<p class="muted">Positions sold in full between rebalances by a stop, take-profit, exit signal or portfolio-risk rule (strategy-semantics.md §10); the red dots on the equity chart mark the days.</p>
<table><thead><tr><th>reason</th><th class="num">exits</th></tr></thead><tbody>${rows}</tbody></table>
${halted}</section>`;
}

/**
 * Renders a backtest result as ONE self-contained HTML page (UTF-8 string) that needs no network:
 * uPlot (node_modules/uplot, read once and cached) and the chart data are inlined; every text taken from
 * the result (symbols, reasons, config values, title) is HTML-escaped and the JSON is script-safe.
 *
 * Contents: metrics of the strategy vs `btc_hold` vs `equal_weight` (fractions shown as %, null as "—"),
 * date range and counts, `#chart-equity` (with the `#log-toggle` log-scale checkbox), `#chart-drawdown`,
 * `#table-monthly` (rows = years, Jan…Dec + Year; see {@link monthlyReturns}), `#chart-fees-turnover`
 * (turnover bars and running fees per calendar month), `#chart-holdings` (stacked weights in % by rank:
 * each day's largest holding, second largest, … + other + cash), the config (secret-looking keys and URL
 * passwords redacted), the rejected orders grouped by reason (`#table-rejection-reasons`) and the first
 * {@link MAX_REJECTIONS_SHOWN} of them. `#log-toggle` starts checked when equity spans more than 10×. Page contract for tests: see src/report/client-script.ts.
 *
 * @param result the backtest results (src/app/backtest-result.ts).
 * @param options title, subtitle, series label, benchmarks on/off, extra sections ({@link ReportOptions}).
 * @throws Error when a date in the result is not `YYYY-MM-DD`, or when uPlot is not installed.
 */
export function renderBacktestReport(result: BacktestResult, options?: ReportOptions): string {
  const opts = options ?? {};
  const title = opts.title ?? 'Backtest report';
  const subtitle =
    opts.subtitle ??
    `Momentum rebalancer backtest · quote asset ${quoteAssetOf(result)} · equity at the close of each UTC day`;
  const equityNote =
    opts.benchmarks === false
      ? `Equity of the account in ${escapeHtml(quoteAssetOf(result))}.`
      : `Strategy vs buying BTC and holding it vs the equal-weighted universe, in ${escapeHtml(quoteAssetOf(result))}.`;
  const quote = quoteAssetOf(result);
  const uplot = loadUplot();
  const chartData = buildChartData(result);
  const monthly = monthlyReturns(result.equity);

  const first = chartData.days[0];
  const last = chartData.days[chartData.days.length - 1];
  const isoDay = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
  const range =
    first === undefined || last === undefined
      ? 'no equity points'
      : `${isoDay(first)} → ${isoDay(last)} (${chartData.days.length} daily points)`;
  const finalEquity = chartData.equity[chartData.equity.length - 1];
  const facts = [
    ['Period', range],
    ['Final equity', finite(finalEquity) ? `${fmtNum(finalEquity)} ${quote}` : DASH],
    ['Trades', String(result.trades?.length ?? 0)],
    ['Rejected orders', String(result.rejected?.length ?? 0)],
  ]
    .map(([k, v]) => `<li><b>${escapeHtml(k as string)}:</b> ${escapeHtml(v as string)}</li>`)
    .join('');

  const m = chartData.monthly;
  const feesNote = [
    "Bars: turnover of each calendar month (Σ fill notional / the month's mean equity, left axis). Line: fees paid so far, valued in the quote asset (right axis); the tooltip also gives the month's fees.",
    m.unvalued_fee_fills > 0
      ? ` ${m.unvalued_fee_fills} fill(s) paid their commission in a third asset and are left out of the fees.`
      : '',
  ].join('');
  const h = chartData.holdings;
  const holdingsNote = `Share of the close-of-day portfolio value held in each day's largest holding (#1), second largest (#2), …, stacked; hover to see which asset held each rank that day${
    h.other_assets > 0
      ? `; beyond #${h.names.filter((n) => n.startsWith('#')).length}, up to ${h.other_assets} holding(s) a day are summed as "other"`
      : ''
  }${h.has_cash ? `; ${escapeHtml(quote)} = cash` : ''}.`;
  const logChecked = logScaleByDefault(chartData) ? ' checked' : '';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'">
<title>${escapeHtml(title)}</title>
<style>${inlineSafe(uplot.css, 'style')}</style>
<style>${inlineSafe(PAGE_CSS, 'style')}</style>
<script>${inlineSafe(ERROR_HANDLER_SCRIPT, 'script')}</script>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(subtitle)}</p>
<ul class="facts">${facts}</ul>
<div id="error-banner" role="alert" hidden></div>
</header>
<div class="grid">
<section aria-labelledby="metrics-title"><h2 id="metrics-title">Metrics</h2>
${metricsTable(result, quote, opts)}
<p class="muted">Returns, volatility and drawdown in %; Sharpe/Sortino annualised (365 days, risk-free 0); turnover = Σ notional / mean equity.</p>
</section>
<section aria-labelledby="config-title"><h2 id="config-title">Configuration</h2>
<div class="scroll">${configTable(result.config)}</div>
</section>
</div>
${chartSection(
  'chart-equity',
  'Equity',
  equityNote,
  340,
  `<label><input type="checkbox" id="log-toggle"${logChecked}> Log scale</label>`,
)}
${chartSection('chart-drawdown', 'Drawdown', 'Fall from the running peak of equity, in %.', 220)}
<section aria-labelledby="monthly-title"><h2 id="monthly-title">Monthly returns</h2>
<p class="muted">Last equity of the month / last equity of the previous month − 1 (the first month from the initial equity); Year likewise.</p>
<div class="scroll">${monthlyTable(monthly)}</div>
</section>
${chartSection('chart-fees-turnover', 'Turnover and fees per month', feesNote, 260)}
${chartSection('chart-holdings', 'Holdings over time', holdingsNote, 320)}
${exitsSection(result)}
${opts.sectionsHtml ?? ''}
<section aria-labelledby="rejections-title"><h2 id="rejections-title">Rejected orders</h2>
${rejectionsSection(result)}
</section>
</main>
<script type="application/json" id="report-data">${jsonForScript({ ...chartData, strategy_label: opts.strategyLabel ?? 'Strategy' })}</script>
<script>${inlineSafe(uplot.js, 'script')}</script>
<script>${inlineSafe(REPORT_CLIENT_SCRIPT, 'script')}</script>
</body>
</html>
`;
}
