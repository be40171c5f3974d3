/**
 * The notification events of an intraday pass (issue 11 item 4; strategy-semantics.md §10, §12), ready
 * for the intraday worker being written on another branch: {@link IntradayOutcome} is the part of its
 * result (`IntradayResult`, src/app/intraday/intraday-result.ts there) read here, declared structurally
 * so that the worker's result is accepted as is at the merge. Pure, no I/O.
 */
import type { NotifyEvent } from '../ports/notifier.ts';
import type { JobContext } from './rebalance-events.ts';

/** What {@link intradayEvents} reads of an intraday pass's result (decimal strings). */
export interface IntradayOutcome {
  readonly run: { readonly account: string; readonly exit_reason: string };
  /** The kill switch before and after the pass (`running`, `daily_loss_stop`, `halted`). */
  readonly halt: { readonly before: string; readonly after: string };
  readonly exits: readonly {
    readonly symbol: string;
    readonly reason: string;
    readonly level: string | null;
    /** Base units sold (0 when the SELL was rejected). */
    readonly quantity: string;
    /** Average fill price; null when nothing filled. */
    readonly price: string | null;
  }[];
  /** Portfolio risk at the pass's marks, or null when nothing is held. */
  readonly portfolio: { readonly daily_loss: boolean; readonly drawdown: boolean } | null;
}

/**
 * One `exit` event per exit of the pass, then a `halt` event when the kill switch changed (its reason:
 * `max_daily_loss` / `max_drawdown` reached when the portfolio risk fired, else the pass's exit reason).
 * @param at the event time (UTC ms).
 */
export function intradayEvents(result: IntradayOutcome, ctx: JobContext, at: number): NotifyEvent[] {
  const base = { account: result.run.account, venue: ctx.venue, at: new Date(at).toISOString() };
  const events: NotifyEvent[] = result.exits.map((e) => ({
    type: 'exit',
    ...base,
    symbol: e.symbol,
    reason: e.reason,
    level: e.level,
    quantity: e.quantity,
    price: e.price,
  }));
  if (result.halt.after !== result.halt.before) {
    const fired = [
      ...(result.portfolio?.daily_loss ? ['max_daily_loss reached'] : []),
      ...(result.portfolio?.drawdown ? ['max_drawdown reached'] : []),
    ];
    events.push({
      type: 'halt',
      ...base,
      state: result.halt.after,
      reason: fired.length > 0 ? fired.join(', ') : result.run.exit_reason,
    });
  }
  return events;
}
