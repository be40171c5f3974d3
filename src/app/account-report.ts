/**
 * The live account's report (issue 12 item 4): turns what the ledger recorded for an account
 * ({@link AccountReportData}) into the shape the HTML backtest report draws (equity, drawdown, monthly
 * returns, turnover and fees, holdings), with the metrics of strategy-semantics.md §9 computed over the
 * recorded days. Floats appear only here, for charts and metrics; the tables keep the ledger's exact
 * strings.
 */
import { computeMetrics } from '../domain/metrics/performance.ts';
import { dayToMs, msToDay } from '../domain/time.ts';
import type { AccountReportData } from '../ports/account-report.ts';
import type { BacktestResult, EquityPoint, HoldingsPoint } from './backtest-result.ts';

const DAY_MS = 86_400_000;

/** Order statuses that did not trade (listed as rejected in the report, by reason). */
const NOT_TRADED = new Set(['REJECTED', 'EXPIRED', 'EXPIRED_IN_MATCH', 'CANCELED', 'SKIPPED']);

/**
 * The account's recorded history as a {@link BacktestResult} (without benchmarks: their metrics and
 * curves are empty): equity = `initial_quote` on the day before the first recorded day, then the last
 * snapshot of each recorded day (days without a run are absent, not filled); trades = fills; rejected =
 * orders that did not trade (reason = `reject_reason`, else the status); holdings = market values per
 * asset plus cash. Metrics are null/absent when fewer than one day is recorded.
 */
export function accountReportResult(data: AccountReportData): {
  readonly result: BacktestResult;
  /** Whether metrics could be computed (at least one recorded day, positive equity). */
  readonly hasMetrics: boolean;
} {
  const initial = Number(data.account.initial_quote);
  const first = data.days[0];
  const equity: EquityPoint[] =
    first === undefined
      ? []
      : [
          { date: msToDay(dayToMs(first.day) - DAY_MS), equity: initial },
          ...data.days.map((d) => ({ date: d.day, equity: Number(d.equity) })),
        ];
  const holdings: HoldingsPoint[] = data.days.map((d) => {
    const values: Record<string, number> = { [data.account.quote_asset]: Number(d.cash) };
    for (const [asset, v] of Object.entries(d.positions)) values[asset] = Number(v);
    return { date: d.day, values };
  });
  const trades = data.fills.map((f) => ({
    date: f.filled_at.slice(0, 10),
    symbol: f.symbol,
    side: f.side,
    quantity: f.quantity,
    price: f.price,
    quote_quantity: f.quote_quantity,
    commission: f.commission,
    commission_asset: f.commission_asset,
  }));
  const rejected = data.orders
    .filter((o) => NOT_TRADED.has(o.status))
    .map((o) => ({
      date: o.decided_at.slice(0, 10),
      symbol: o.symbol,
      side: o.side,
      reason: o.reject_reason ?? o.status.toLowerCase(),
    }));
  let metrics: BacktestResult['metrics'] | undefined;
  try {
    metrics = computeMetrics({
      equity,
      initialQuote: initial,
      fillNotionals: data.fills.map((f) => Number(f.quote_quantity)),
      feesQuote: data.fills.map((f) => Number(f.commission_quote)),
    });
  } catch {
    metrics = undefined; // fewer than two points, or a non-positive equity: shown as "—"
  }
  const none = undefined as unknown as BacktestResult['metrics'];
  return {
    result: {
      config: {
        account: {
          name: data.account.name,
          exchange_kind: data.account.exchange_kind,
          venue: data.account.venue ?? '(not adopted yet)',
          initial_quote: data.account.initial_quote,
        },
        universe: { quote_asset: data.account.quote_asset },
      },
      equity,
      trades,
      rejected,
      metrics: metrics ?? none,
      benchmarks: { btc_hold: none, equal_weight: none },
      benchmark_equity: { btc_hold: [], equal_weight: [] },
      holdings,
      exits: [],
      halted_at: null,
    },
    hasMetrics: metrics !== undefined,
  };
}
