/**
 * The kill switch as a small state machine (strategy-semantics.md §10 "Portfolio risk"; issue 10 item 5).
 *
 * States: `running` (buys allowed) → `daily_loss_stop` (no BUY until the next decision day's rebalance,
 * which lifts it) or `halted` (a drawdown: no BUY until an operator resets it; a rebalance while halted
 * selects nothing, `K = 0`). Events arrive in time order.
 */

/** The halt state. Times are UTC ms. */
export type HaltState =
  | { readonly status: 'running' }
  | { readonly status: 'daily_loss_stop'; readonly sinceMs: number }
  | { readonly status: 'halted'; readonly sinceMs: number; readonly reason: 'max_drawdown' };

/** What can happen to the switch. */
export type HaltEvent =
  /** Portfolio risk fired at an hour's close (`checkPortfolioRisk`). */
  | { readonly type: 'risk'; readonly dailyLoss: boolean; readonly drawdown: boolean; readonly atMs: number }
  /** A decision day's rebalance starts (before its orders); `atMs` = the decision time D 00:00. */
  | { readonly type: 'rebalance'; readonly atMs: number }
  /** An operator cleared the halt (`risk reset --yes`); who/when are recorded by the caller. */
  | { readonly type: 'operator_reset'; readonly atMs: number };

/** The initial state. */
export const RUNNING: HaltState = { status: 'running' };

/**
 * The next state after an event:
 * - `risk` with a drawdown → `halted` (from any state; an existing halt keeps its time); a daily loss
 *   alone → `daily_loss_stop` unless already halted (an existing stop keeps its time);
 * - `rebalance` → a `daily_loss_stop` set at or before the decision time lifts (`running`, so that
 *   rebalance may buy; a stop set later, e.g. during the day of a forced re-run, waits for the next
 *   decision day: "no BUY until the next decision day's rebalance"); `halted` stays;
 * - `operator_reset` → `running` from any state.
 */
export function nextHaltState(state: HaltState, event: HaltEvent): HaltState {
  switch (event.type) {
    case 'risk':
      if (event.drawdown) {
        return state.status === 'halted'
          ? state
          : { status: 'halted', sinceMs: event.atMs, reason: 'max_drawdown' };
      }
      if (event.dailyLoss && state.status === 'running')
        return { status: 'daily_loss_stop', sinceMs: event.atMs };
      return state;
    case 'rebalance':
      return state.status === 'daily_loss_stop' && state.sinceMs <= event.atMs ? RUNNING : state;
    case 'operator_reset':
      return RUNNING;
  }
}

/**
 * Whether a BUY may happen in this state: only while `running`. A rebalance first applies its
 * `rebalance` event (which lifts a daily-loss stop), then asks this: when false it selects nothing
 * (`K = 0`: it sells what is left and buys nothing, §10); an intraday pass only sells anyway.
 */
export function buysAllowed(state: HaltState): boolean {
  return state.status === 'running';
}
