import type { Balance } from '../domain/types.ts';
import type { FillRowOut, PositionRow } from './ledger-rows.ts';

/**
 * The account's current state while a run is unfinished (issue 14: `balances` stale between a failed run
 * and its re-run). The state (`balances`, `positions`) holds every fill up to a marker (the last fill
 * id); fills of the unfinished runs (`failed`, `running`, `abandoned`) after the last run that saved its
 * whole state, recorded after the marker, are not in it yet — crash recovery books them. Implemented by `adapters/postgres` (PostgresLedger, unfinished-state.ts).
 */
export interface UnfinishedState {
  /**
   * The fills of the account's unfinished trading runs (not dry runs) recorded after the state's marker,
   * oldest first, and the id of the last of them (null: none — the state is up to date).
   */
  unsettledFills(accountId: string): Promise<{ fills: FillRowOut[]; throughFillId: string | null }>;
  /**
   * Makes `state` (balance totals in asset units, average-cost positions in the quote asset) the
   * account's current state as of run `runId` (typically failed or still running), holding the fills up
   * to `throughFillId`. Writes no snapshot or equity point (the run has no marks of its own); the last
   * run that saved its whole state stays what it was.
   * @throws when the account or run is unknown, the run is another account's, or a decimal is malformed.
   */
  saveUnfinishedState(
    runId: string,
    accountId: string,
    state: { readonly balances: readonly Balance[]; readonly positions: readonly PositionRow[] },
    throughFillId: string,
  ): Promise<void>;
  /**
   * How many fills of the unfinished runs after the last run that saved its whole state the current
   * state holds already (saved when such a run failed, or found a dead run's fills).
   */
  heldUnsettledFills(accountId: string): Promise<number>;
}
