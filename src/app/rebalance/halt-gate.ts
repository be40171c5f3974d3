/**
 * The kill switch at a rebalance (strategy-semantics.md §10 "Portfolio risk"; issue 10 item 5): a decision
 * day's real rebalance first applies its `rebalance` event (which lifts a daily-loss stop set at or before
 * the decision time), journaled with actor `rebalance` and the run id; then, when buying is not allowed
 * (`halted`, or a daily-loss stop set after the decision time), it selects nothing — `K = 0`: it sells what
 * is left and buys nothing, as the backtest does (`backtest-intraday.ts`) — and ends with status `halted`.
 * A dry run computes the same without writing the event.
 */
import { buysAllowed, type HaltState, nextHaltState } from '../../domain/risk/halt.ts';
import type { HaltJournal } from '../../ports/halt-journal.ts';
import type { HaltReport } from '../rebalance-result.ts';
import type { UniverseAtD } from './universe-at.ts';

/** The operator's command that clears a stop or halt (README "Kill switch"). */
export const RESET_COMMAND = 'momentum-rebalancer risk reset --yes';

/** The kill switch around one rebalance's `rebalance` event. */
export interface HaltAtRebalance {
  /** The state before the event. */
  readonly before: HaltState;
  /** The state after it: what the rebalance trades under. */
  readonly after: HaltState;
  /** `buysAllowed(after)`; false: the rebalance selects nothing (K = 0). */
  readonly buys: boolean;
  /** True when the event was written to the ledger (a real run); false for a dry run's preview. */
  readonly recorded: boolean;
}

/**
 * What the `rebalance` event of decision day `dayMs` (UTC ms of D 00:00) would do to the account's kill
 * switch, read without writing (a dry run; the guards of a real run before its session opens).
 */
export async function previewHalt(
  journal: Pick<HaltJournal, 'haltState'>,
  accountId: string,
  dayMs: number,
): Promise<HaltAtRebalance> {
  const before = await journal.haltState(accountId);
  const after = nextHaltState(before, { type: 'rebalance', atMs: dayMs });
  return { before, after, buys: buysAllowed(after), recorded: false };
}

/**
 * Applies the `rebalance` event of decision day `dayMs` (UTC ms of D 00:00) atomically (port
 * `HaltJournal.applyHaltEvent`), journaled with actor `rebalance`, the run id and the period when it
 * changes the state. @throws whatever the ledger throws.
 */
export async function applyRebalanceHalt(
  journal: Pick<HaltJournal, 'applyHaltEvent'>,
  accountId: string,
  dayMs: number,
  run: { readonly id: string; readonly period: string },
): Promise<HaltAtRebalance> {
  const { before, after } = await journal.applyHaltEvent(
    accountId,
    { type: 'rebalance', atMs: dayMs },
    { actor: 'rebalance', runId: run.id, detail: { period: run.period } },
  );
  return { before, after, buys: buysAllowed(after), recorded: true };
}

/** The universe with nothing selected (`K = 0`, §5 and §10): the ranking stays, as information. */
export function selectNothing(
  u: Pick<UniverseAtD, 'ranked' | 'selected'>,
): Pick<UniverseAtD, 'ranked' | 'selected'> {
  return { ranked: u.ranked.map((r) => (r.selected ? { ...r, selected: false } : r)), selected: [] };
}

const REASON_TEXT = {
  daily_loss: 'daily_loss: hourly equity fell to the previous day’s close equity × (1 − max_daily_loss)',
  max_drawdown: 'max_drawdown: hourly equity fell to its peak × (1 − max_drawdown)',
} as const;

/** `daily_loss` / `max_drawdown` for a stopped state, null while running. */
export function haltReason(s: HaltState): 'daily_loss' | 'max_drawdown' | null {
  return s.status === 'halted' ? s.reason : s.status === 'daily_loss_stop' ? 'daily_loss' : null;
}

/**
 * Why a rebalance of `account` bought nothing: since when, why and how to clear it; null when it may buy.
 * @param dryRun a dry run says the event was not recorded.
 */
export function haltMessage(h: HaltAtRebalance, account: string, dryRun: boolean): string | null {
  const s = h.after;
  if (s.status === 'running') return null;
  const since = new Date(s.sinceMs).toISOString();
  const reason = REASON_TEXT[haltReason(s) ?? 'max_drawdown'];
  const reset = `${RESET_COMMAND} --account ${account}`;
  const what = dryRun
    ? 'this rebalance would buy nothing and sell'
    : 'this rebalance bought nothing and sold';
  const clear =
    s.status === 'halted'
      ? `it stays until an operator clears it: ${reset}`
      : `the next decision day's rebalance lifts it, or an operator clears it: ${reset}`;
  const head = s.status === 'halted' ? 'the kill switch is on' : 'a daily-loss stop is on';
  return `halted: ${head} for account "${account}" since ${since} (${reason}); ${what} what was left (K = 0, strategy-semantics §10); ${clear}`;
}

/** The `halt` part of a rebalance's result (JSON and report). */
export function haltReport(h: HaltAtRebalance, account: string, dryRun: boolean): HaltReport {
  const shown = h.after.status === 'running' ? h.before : h.after;
  return {
    before: h.before.status,
    state: h.after.status,
    since: shown.status === 'running' ? null : new Date(shown.sinceMs).toISOString(),
    reason: haltReason(shown),
    buys_allowed: h.buys,
    lifted: h.before.status !== 'running' && h.after.status === 'running',
    recorded: h.recorded,
    message: haltMessage(h, account, dryRun),
  };
}
