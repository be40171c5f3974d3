/**
 * Port: telling the user what happened (issue 11 item 4) — a run summary, a failure, reconciliation
 * differences, an intraday exit, a halt of the account. Implemented by src/adapters/notify (a JSON POST to
 * `[notify] webhook_url`, Telegram's sendMessage); composed in src/compose/notify.ts.
 *
 * Money values are exact decimal strings in the quote asset; times are ISO-8601 UTC. An event never
 * carries a key, a token or a password.
 */
import type { ReconciliationRow } from './ledger-rows.ts';

/** The event types, also the values of `[notify] on` (besides `all`). */
export const NOTIFY_EVENT_TYPES = ['summary', 'failure', 'reconciliation', 'exit', 'halt'] as const;

/** One event type ({@link NOTIFY_EVENT_TYPES}). */
export type NotifyEventType = (typeof NOTIFY_EVENT_TYPES)[number];

/** What every event says about where it comes from. */
interface EventBase {
  /** Ledger account, e.g. `replay`, `main`. */
  readonly account: string;
  /** The venue the account's book belongs to: `replay` or `<kind> <base URL>` (compose/settings.ts venueOf). */
  readonly venue: string;
  /** When the event was produced, ISO-8601 UTC. */
  readonly at: string;
}

/** The summary of one rebalance that returned a result (any status but `dry_run`). */
export interface SummaryEvent extends EventBase {
  readonly type: 'summary';
  /** The run's id in the ledger, null when nothing was recorded. */
  readonly run_id: string | null;
  /** Decision day `YYYY-MM-DD` of the rebalance period. */
  readonly period: string;
  /** `completed`, `completed_with_rejections`, `skipped`, `refused` (RebalanceResult run.status). */
  readonly status: string;
  readonly exit_reason: string;
  /** Orders of the run: all planned, filled (some quantity executed), rejected (reject_code/reason set). */
  readonly orders: { readonly total: number; readonly filled: number; readonly rejected: number };
  /** Fees of this run's fills, valued in the quote asset (decimal string). */
  readonly fees: string;
  readonly quote_asset: string;
  /** Equity after the run (cash + positions at the marks), quote asset; null when not marked (skipped). */
  readonly equity: string | null;
  /** P/L of the account since its start (realized + unrealized = total), quote asset; null when unknown. */
  readonly pnl: { readonly realized: string; readonly unrealized: string; readonly total: string } | null;
}

/** A job that did not finish (threw): what failed, and the exit code the CLI gives it. */
export interface FailureEvent extends EventBase {
  readonly type: 'failure';
  /** `rebalance`, `intraday`, … */
  readonly job: string;
  /** The error's name (e.g. `LedgerConnectionError`) and message (messages never carry secrets). */
  readonly error: string;
  readonly message: string;
  /** Process exit code of this error (src/cli/exit-codes.ts). */
  readonly exit_code: number;
}

/** A run whose ledger and exchange balances differ (sent with the summary when there is any difference). */
export interface ReconciliationEvent extends EventBase {
  readonly type: 'reconciliation';
  readonly run_id: string | null;
  readonly period: string;
  readonly differences: readonly ReconciliationRow[];
}

/** An intraday exit (strategy-semantics.md §10): for the intraday worker, wired at its merge. */
export interface ExitEvent extends EventBase {
  readonly type: 'exit';
  readonly symbol: string;
  /** Why: `stop_loss`, `trailing_stop`, `take_profit`, `sma_cross`, `breakout`, … */
  readonly reason: string;
  /** The level that fired (stop / take-profit / signal level), quote asset per base unit; null when none. */
  readonly level: string | null;
  /** Base-asset quantity sold. */
  readonly quantity: string;
  /** Average fill price, quote asset per base unit; null when not filled. */
  readonly price: string | null;
}

/** The account's kill switch changed (src/domain/risk/halt.ts): for the intraday worker, wired at its merge. */
export interface HaltEvent extends EventBase {
  readonly type: 'halt';
  /** The state after the change, e.g. `halted`, `running`. */
  readonly state: string;
  /** Why, e.g. `max_daily_loss 0.05 reached`, `operator_reset`. */
  readonly reason: string;
}

/** Everything a notifier can be told. */
export type NotifyEvent = SummaryEvent | FailureEvent | ReconciliationEvent | ExitEvent | HaltEvent;

/**
 * Port: one channel that delivers events (webhook, Telegram).
 * `deliver` retries within its own bounds and resolves `{ ok: false, error }` rather than rejecting;
 * `error` names the channel and the cause, never a token.
 */
export interface NotifyChannel {
  /** Channel name for logs: `webhook <host>`, `telegram`. */
  readonly name: string;
  /**
   * Sends `event` within the channel's bounds (per-attempt timeout, bounded retries); gives up early
   * when `signal` aborts.
   * @returns ok, the attempts made, and the last error's text (redacted) when not ok.
   */
  deliver(
    event: NotifyEvent,
    signal?: AbortSignal,
  ): Promise<{ readonly ok: boolean; readonly attempts: number; readonly error?: string }>;
}

/**
 * Port: what a job uses to tell the user. `send` never throws and never waits: it starts the deliveries
 * of the event types selected by `[notify] on`; `settle` waits for every delivery started so far, each
 * bounded by the configured timeout and retries, so `settle` itself is bounded ({@link Notifier.capMs}).
 */
export interface Notifier {
  /** Starts delivering `event` to every channel (when its type is selected); returns at once. */
  send(event: NotifyEvent): void;
  /** Resolves when every delivery started so far has succeeded or given up; never rejects. */
  settle(): Promise<void>;
  /** Upper bound of one delivery, hence of {@link Notifier.settle} after the last send (ms). */
  readonly capMs: number;
}
