import type { Balance } from '../domain/types.ts';
import type { IntradayExitRow, RiskStateRow } from './intraday-journal.ts';
import type { FillRow, NewOrder, OrderOutcomeRow, PositionRow } from './ledger-rows.ts';

/** A STOP_LOSS order the ledger holds as resting on the exchange (status `NEW`). */
export interface OpenStopRow {
  /** Ledger order id. */
  readonly id: string;
  /** The run that placed it. */
  readonly runId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  /** Base quantity ordered, decimal string. */
  readonly quantity: string;
  /** Trigger price (quote per base), decimal string. */
  readonly stopPrice: string;
  /** The §10 reason of the level (strategy-semantics.md §10). */
  readonly reason: 'stop_loss' | 'trailing_stop';
}

/**
 * Everything a stop that triggered on the exchange changes in the ledger, written together by
 * {@link StopJournal.bookTriggeredStop} (issue 10: a kill at any point leaves a ledger the next run
 * completes by itself).
 */
export interface TriggeredStopBooking {
  readonly accountId: string;
  /** The stop as the ledger has it (status `NEW`). */
  readonly stop: OpenStopRow;
  /** Its final outcome (`FILLED`, or partly executed) and its fills. */
  readonly outcome: OrderOutcomeRow;
  readonly fills: readonly FillRow[];
  /** The intraday exit it stands for (written under the run that placed the stop). */
  readonly exit: IntradayExitRow;
  /** The symbol's §10 state after the sale; a zero holding (or null) removes it. */
  readonly risk: RiskStateRow | null;
  /**
   * The saved book (tables `balances`, `positions`) after the stop's fills, for the assets they moved:
   * balances with a zero amount are removed. Applied only when the saved state already includes the run
   * that placed the stop (otherwise that run is unsettled and its crash recovery books the fills).
   */
  readonly book: { readonly balances: readonly Balance[]; readonly positions: readonly PositionRow[] };
}

/**
 * Port: the ledger's exchange-side stops (`[intraday] stop_on_exchange = true`, issue 10 item 7;
 * migration 009). A stop is an order of leg `stop`: recorded PENDING before it is sent, completed with
 * the exchange's answer through `OrderJournal.completeOrder`. Implemented by
 * `adapters/postgres/stop-store.ts` (delegated from PostgresLedger).
 */
export interface StopJournal {
  /**
   * Records a STOP_LOSS SELL (status `PENDING`, `order_type` STOP_LOSS) before it is sent.
   * @param stopPrice trigger price, decimal string. @returns its ledger id.
   */
  recordStopOrder(order: NewOrder, stopPrice: string, reason: OpenStopRow['reason']): Promise<string>;
  /** The account's stops the ledger has `NEW` (resting on the exchange), oldest first. */
  openStops(accountId: string): Promise<OpenStopRow[]>;
  /**
   * Books a stop that triggered, in ONE transaction: its outcome and fills, its intraday exit, the
   * symbol's position_risk row and the saved book (see {@link TriggeredStopBooking}).
   * @returns false (nothing written) when the stop is no longer `NEW`: it was booked already.
   * @throws the database error (nothing written: the stop stays `NEW`, the next run books it).
   */
  bookTriggeredStop(booking: TriggeredStopBooking): Promise<boolean>;
}
