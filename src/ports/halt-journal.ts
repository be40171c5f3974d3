import type { HaltEvent, HaltState } from '../domain/risk/halt.ts';

/** Who caused a halt event and with what figures; stored with the event (never secrets). */
export interface HaltEventMeta {
  /** e.g. `intraday`, `rebalance`, or `operator alice@host` for `risk reset --yes`. */
  readonly actor: string;
  /** The run that applied the event, when one did. */
  readonly runId?: string;
  /** Figures that fired (daily loss, drawdown as fractions; equity in quote asset as decimal strings). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** One journaled change of an account's kill switch. Times are UTC ms. */
export interface HaltEventRow {
  readonly id: string;
  readonly at: number;
  readonly event: HaltEvent['type'];
  readonly from_status: HaltState['status'];
  readonly to_status: HaltState['status'];
  readonly actor: string | null;
  readonly run_id: string | null;
  readonly detail: unknown;
}

/**
 * Port: the persisted kill switch of an account (issue 10 item 5; strategy-semantics.md §10 "Portfolio
 * risk"; state machine in `domain/risk/halt.ts`). Implemented by `adapters/postgres` (tables
 * `risk_halts`, `risk_halt_events`, migration 005).
 */
export interface HaltJournal {
  /** The account's current halt state; `running` when none was ever recorded. */
  haltState(accountId: string): Promise<HaltState>;
  /**
   * Applies `event` to the account's state with `nextHaltState`, atomically (the state row is locked for
   * the transaction, so two jobs cannot lose an update). Journals the event when the state changes, and
   * always for an `operator_reset` (who/when are recorded even when nothing was halted).
   * @returns the state before and after.
   */
  applyHaltEvent(
    accountId: string,
    event: HaltEvent,
    meta: HaltEventMeta,
  ): Promise<{ readonly before: HaltState; readonly after: HaltState }>;
  /** The account's journaled halt events, newest (last applied) first, at most `limit`. */
  haltEvents(accountId: string, limit: number): Promise<HaltEventRow[]>;
}
