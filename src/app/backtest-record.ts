/**
 * Records a backtest in the ledger so dashboards can compare backtests with live runs: a run of kind
 * `backtest` (effective config in `runs.config`, metrics in `runs.summary`) with its daily equity curve
 * in `backtest_equity` (sql/migrations/003_backtests.sql; Metabase view `backtest_overview`).
 *
 * Account: `<[paper] account>-backtest` (e.g. `default-backtest`), exchange kind `replay`, created on first
 * use with the backtest's quote asset and initial quote; backtests keep no state in it (each run is
 * self-contained, its initial quote is in its summary).
 */

import { dayToMs } from '../domain/time.ts';
import type { AccountBook } from '../ports/account-book.ts';
import type { BacktestJournal } from '../ports/backtest-journal.ts';
import type { BacktestEquityRow } from '../ports/ledger.ts';
import type { RunJournal } from '../ports/run-journal.ts';
import type { BacktestMetrics } from './backtest-result.ts';

/** Suffix of the ledger account of backtests. */
export const BACKTEST_ACCOUNT_SUFFIX = '-backtest';

/**
 * The ledger account of the backtests of `[paper] account`: `<account>-backtest`; an empty account (the
 * default since one book per venue, issue 9.1) keeps the earlier name `default-backtest`.
 */
export function backtestAccountName(account: string): string {
  return `${account || 'default'}${BACKTEST_ACCOUNT_SUFFIX}`;
}

/** What is recorded of one backtest. */
export interface BacktestRecord {
  /** `[paper] account` (the suffix is added here). */
  readonly account: string;
  readonly quoteAsset: string;
  /** Decimal string, quote. */
  readonly initialQuote: string;
  /** `momentum` / `reversal`. */
  readonly strategyMode: string;
  /** `full` / `delta`. */
  readonly rebalanceMode: string;
  /** The effective config (no secrets). */
  readonly config: unknown;
  /** `YYYY-MM-DD`. */
  readonly from: string;
  readonly to: string;
  /** Days `from − 1 … to`, one per point of the curves. */
  readonly days: readonly string[];
  /** Exact equity per day (decimal strings), same length as `days`. */
  readonly equity: readonly string[];
  readonly btc: readonly string[] | null;
  readonly equalWeight: readonly string[] | null;
  readonly metrics: BacktestMetrics;
  readonly benchmarks: { readonly btc_hold: BacktestMetrics; readonly equal_weight: BacktestMetrics } | null;
  /** Counts for the summary. */
  readonly trades: number | null;
  readonly rejected: number | null;
  /** Which engine computed it. */
  readonly engine: string;
  /** The swept parameters of this configuration (sweeps only). */
  readonly sweep?: Readonly<Record<string, string | number>>;
  /** When the backtest started and finished (UTC ms), and its phase timings (ms). */
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly timings: Record<string, number>;
}

/**
 * Stores one backtest: ensures the account, starts a `backtest` run (period = `to`), writes the equity
 * rows and finishes the run with its summary. A failure after the run started marks it `failed`.
 * @returns the run id and the number of equity rows.
 * @throws whatever the ledger throws (e.g. LedgerConnectionError), or RangeError when the curves and the
 *   days differ in length.
 */
export async function recordBacktest(
  ledger: Pick<AccountBook, 'ensureAccount'> & Pick<RunJournal, 'startRun' | 'finishRun'> & BacktestJournal,
  rec: BacktestRecord,
): Promise<{ runId: string; rows: number }> {
  const n = rec.days.length;
  for (const [name, curve] of [
    ['equity', rec.equity],
    ['btc', rec.btc],
    ['equalWeight', rec.equalWeight],
  ] as const) {
    if (curve !== null && curve.length !== n)
      throw new RangeError(`recordBacktest: ${name} has ${curve.length} points for ${n} days`);
  }
  const account = await ledger.ensureAccount({
    name: backtestAccountName(rec.account),
    exchangeKind: 'replay',
    quoteAsset: rec.quoteAsset,
    initialQuote: rec.initialQuote,
  });
  const run = await ledger.startRun({
    accountId: account.id,
    kind: 'backtest',
    period: rec.to,
    rebalanceMode: rec.rebalanceMode,
    strategyMode: rec.strategyMode,
    dryRun: false,
    forced: false,
    config: rec.config,
    decisionTime: dayToMs(rec.to),
    startedAt: rec.startedAt,
  });
  try {
    const rows: BacktestEquityRow[] = rec.days.map((day, k) => ({
      day,
      equity: rec.equity[k] as string,
      btc: rec.btc ? (rec.btc[k] as string) : null,
      equalWeight: rec.equalWeight ? (rec.equalWeight[k] as string) : null,
    }));
    await ledger.recordBacktestEquity(run.id, rows);
    await ledger.finishRun(run.id, {
      status: 'completed',
      exitReason: 'ok',
      finishedAt: Math.max(rec.finishedAt, rec.startedAt),
      timings: rec.timings,
      summary: {
        from: rec.from,
        to: rec.to,
        days: n - 1,
        engine: rec.engine,
        initial_quote: rec.initialQuote,
        final_equity: rec.equity[n - 1] ?? rec.initialQuote,
        trades: rec.trades,
        rejected: rec.rejected,
        metrics: rec.metrics,
        ...(rec.benchmarks ? { benchmarks: rec.benchmarks } : {}),
        ...(rec.sweep ? { sweep: rec.sweep } : {}),
      },
    });
    return { runId: run.id, rows: rows.length };
  } catch (err) {
    await ledger
      .finishRun(run.id, {
        status: 'failed',
        exitReason: err instanceof Error ? err.message : String(err),
        finishedAt: Math.max(rec.finishedAt, rec.startedAt),
        timings: rec.timings,
      })
      .catch(() => {});
    throw err;
  }
}
