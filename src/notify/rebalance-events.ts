/**
 * The notification events of a rebalance (issue 11 item 4), built from what the use case returned
 * (src/app/rebalance-result.ts) or threw — pure functions, no I/O. Fees are summed exactly (decimal.js)
 * from the run's fills' `commission_quote`; equity and P/L are the result's own decimal strings.
 */

import { exitCodeOf } from '../app/errors.ts';
import type { RebalanceResult } from '../app/rebalance-result.ts';
import { dec, decStr, ZERO } from '../domain/decimal.ts';
import type { FailureEvent, NotifyEvent } from '../ports/notifier.ts';

/** Where a job runs: its account and venue (compose/settings.ts venueOf). */
export interface JobContext {
  readonly account: string;
  readonly venue: string;
  readonly quoteAsset: string;
}

/**
 * The events of a rebalance result: none for a dry run (nothing was done or recorded); otherwise the
 * summary, followed by a `reconciliation` event when the exchange's balances differed from the ledger's.
 * @param at the event time (UTC ms).
 */
export function rebalanceEvents(result: RebalanceResult, ctx: JobContext, at: number): NotifyEvent[] {
  const r = result.run;
  if (r.status === 'dry_run') return [];
  const base = { account: r.account, venue: ctx.venue, at: new Date(at).toISOString() };
  const fees = result.fills.reduce((sum, f) => sum.plus(dec(f.commission_quote)), ZERO);
  const events: NotifyEvent[] = [
    {
      type: 'summary',
      ...base,
      run_id: r.id,
      period: r.period,
      status: r.status,
      exit_reason: r.exit_reason,
      orders: {
        total: result.orders.length,
        filled: result.orders.filter((o) => !dec(o.executed_qty).isZero()).length,
        rejected: result.orders.filter((o) => o.status === 'REJECTED').length,
      },
      fees: decStr(fees),
      quote_asset: ctx.quoteAsset,
      equity: result.equity?.equity ?? null,
      pnl:
        result.pnl === null
          ? null
          : { realized: result.pnl.realized, unrealized: result.pnl.unrealized, total: result.pnl.total },
    },
  ];
  const differences = result.exchange?.reconciliation ?? [];
  if (differences.length > 0)
    events.push({
      type: 'reconciliation',
      ...base,
      run_id: r.id,
      period: r.period,
      differences: differences.map((d) => ({ ...d })),
    });
  return events;
}

/**
 * The `failure` event of a job that threw `err`: its name, message and the exit code the CLI gives it.
 * Error messages never carry secrets (house rule; config and DSN messages are redacted where built).
 */
export function failureEvent(job: string, err: unknown, ctx: JobContext, at: number): FailureEvent {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    type: 'failure',
    account: ctx.account,
    venue: ctx.venue,
    at: new Date(at).toISOString(),
    job,
    error: e.name,
    message: e.message.slice(0, 1000),
    exit_code: exitCodeOf(err),
  };
}
