/**
 * Crash recovery and resume (issue 14.1): on a real exchange the orders of runs that never completed
 * are resolved into the book first; a re-run of a period whose run failed or died after some of its
 * orders filled continues it — only what is still missing against the same target is planned (delta),
 * never a sale and re-purchase of the whole basket.
 */
import type { Logger } from 'pino';
import type { Decimal } from '../../domain/decimal.ts';
import type { RunRow } from '../../ports/ledger-rows.ts';
import type { RunJournal } from '../../ports/run-journal.ts';
import type { UnfinishedState } from '../../ports/unfinished-state.ts';
import type { OrderExecutor } from '../trading/order-executor.ts';
import type { TradingBook } from '../trading/trading-book.ts';

/** The recovered orders (for the report), the run this one continues, and whether it resumes (delta). */
export interface Resumption {
  readonly recovered: { client_order_id: string; status: string }[];
  /** How many fills of unfinished runs recovery booked that the saved state did not hold. */
  readonly booked: number;
  readonly continues: RunRow | null;
  readonly resume: boolean;
}

/**
 * Resolves unsettled orders with `recoveryExecutor` (null: replay or a dry run, nothing to recover); when
 * they filled, `balances` (the plan's start) becomes the recovered book. A run `running` within its lease
 * that left fills is taken as dead too: one instance per account trades at a time (the account lock).
 * The run resumes (delta) when the period's latest run is unfinished and fills of unfinished runs are in
 * the book: booked now by recovery, or already held by the saved state (a run that failed after fills
 * saves them, issue 14; unfinished-book.ts) — together, every fill of the unfinished runs since the last
 * run that saved its whole state, as before issue 14's state save.
 */
export async function recoverAndResume(
  deps: {
    readonly journal: Pick<RunJournal, 'latestRun'> & Pick<UnfinishedState, 'heldUnsettledFills'>;
    readonly logger: Logger;
  },
  recoveryExecutor: OrderExecutor | null,
  book: TradingBook,
  balances: Map<string, Decimal>,
  run: { readonly accountId: string; readonly period: string; readonly dryRun: boolean },
): Promise<Resumption> {
  const recovery = recoveryExecutor
    ? await recoveryExecutor.recoverUnsettled()
    : { recovered: [], fills: [] };
  if (recovery.fills.length > 0) {
    book.exchangeDelta.clear();
    balances.clear(); // the plan starts from the recovered book
    for (const [asset, v] of book.managed) if (!v.isZero()) balances.set(asset, v);
  }
  const previous = run.dryRun ? null : await deps.journal.latestRun(run.accountId, 'rebalance', run.period);
  const continues =
    previous && ['failed', 'abandoned', 'running'].includes(previous.status) ? previous : null;
  const resume =
    continues !== null &&
    (recovery.fills.length > 0 || (await deps.journal.heldUnsettledFills(run.accountId)) > 0);
  if (resume) {
    deps.logger.warn(
      { period: run.period, continues: continues?.id, recoveredFills: recovery.fills.length },
      `resuming the ${continues?.status} run #${continues?.id} of this period: planning only what is still missing`,
    );
  }
  return { recovered: recovery.recovered, booked: recovery.fills.length, continues, resume };
}
