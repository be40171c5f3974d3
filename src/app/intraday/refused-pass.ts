/**
 * An intraday pass refused before its SELLs (issue 14 item 3, as the rebalance's reconciliation guard):
 * the exchange account holds less of an asset than the ledger's book manages, so selling "the book's"
 * holding could sell what is not there (or what is not the strategy's). Nothing is sent.
 */
import type { Logger } from 'pino';
import { dec } from '../../domain/decimal.ts';
import type { Balance } from '../../domain/types.ts';
import type { ExchangeRecords } from '../../ports/exchange-records.ts';
import type { IntradayJournal } from '../../ports/intraday-journal.ts';
import type { ReconciliationRow } from '../../ports/ledger-rows.ts';
import type { Refusal } from '../rebalance/guards.ts';
import type { TradingSession } from '../trading/trading-session.ts';
import type { IntradayResult } from './intraday-result.ts';

/** What {@link refusePass} records and reports. */
export interface RefusedPass {
  readonly refusal: Refusal;
  readonly accountId: string;
  /** The exchange's balances read for the comparison (`GET /api/v3/account`). */
  readonly exchangeBefore: readonly Balance[];
  /** The comparison (reconciler.reconcileBefore): the negative rows refused the pass. */
  readonly reconciliation: ReconciliationRow[];
  /** Per position: what the pass decided (recorded, not executed). */
  readonly decisions: readonly { readonly symbol: string; readonly detail: Record<string, unknown> }[];
  /** The result's fields that do not change (account, period, time, halt, portfolio, book, requests). */
  readonly base: Omit<
    IntradayResult,
    'run' | 'decisions' | 'exits' | 'orders' | 'fills' | 'reconciliation'
  > & {
    readonly run: Pick<IntradayResult['run'], 'account' | 'kind' | 'period' | 'at'>;
  };
  /** Start of the pass (clock ms), for its duration. */
  readonly t0: number;
  readonly now: () => number;
}

/**
 * Records the refusal in the pass's run — the exchange's balances `before`, the reconciliation rows and
 * the decisions — and finishes it `refused` (exit 3, README "Exit codes"). The positions' §10 states are
 * not saved: the next pass evaluates the same bars again once the book and the exchange agree.
 * @returns the pass's result (status `refused`, no exit, no order).
 * @throws what the ledger throws.
 */
export async function refusePass(
  deps: { readonly ledger: ExchangeRecords & IntradayJournal; readonly logger: Logger },
  session: TradingSession,
  p: RefusedPass,
): Promise<IntradayResult> {
  const { ledger, logger } = deps;
  logger.error(
    { differences: p.reconciliation.filter((r) => dec(r.difference).isNegative()) },
    p.refusal.reason,
  );
  await session.write((id) => ledger.recordExchangeBalances(id, p.accountId, 'before', p.exchangeBefore));
  await session.write((id) => ledger.recordReconciliations(id, p.accountId, p.reconciliation));
  await session.write((id) => ledger.recordIntradayDecisions(id, p.decisions));
  const duration = p.now() - p.t0;
  await session.finish({
    status: 'refused',
    exitReason: p.refusal.reason,
    timings: { total: duration },
    summary: { guard: p.refusal.guard, reconciliation_differences: p.reconciliation.length },
  });
  return {
    ...p.base,
    run: {
      ...p.base.run,
      run_id: session.run?.id ?? null,
      dry_run: false,
      status: 'refused',
      exit_reason: p.refusal.reason,
      rejected_phases: [],
      duration_ms: duration,
    },
    decisions: p.decisions.map((d) => ({ symbol: d.symbol, ...d.detail })),
    exits: [],
    orders: [],
    fills: [],
    reconciliation: p.reconciliation,
  };
}
