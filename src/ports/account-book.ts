import type { Balance } from '../domain/types.ts';
import type { AccountRow, AccountState, NewAccount, PositionRow } from './ledger-rows.ts';

/** The accounts and their current state (balances, positions with P/L): what a run starts from and saves. Implemented by `adapters/postgres` (PostgresLedger). */
export interface AccountBook {
  /**
   * Finds the account by name or creates it with `initialQuote` of the quote asset as its paper balance
   * and `venue`. An existing account of the same kind without a venue (created before migration 004)
   * adopts `spec.venue`. The caller compares the returned kind and venue with its own (one book per venue).
   */
  ensureAccount(spec: NewAccount): Promise<AccountRow>;

  /**
   * Stores the account's state after a run in one transaction: the balances snapshot, the position
   * snapshots (with P/L), any holding adjustments (token swaps) and the equity point; and makes them the
   * account's current state.
   */
  saveState(runId: string, accountId: string, state: AccountState): Promise<void>;
  /** The account's current state: latest balances and every position ever held (closed ones with quantity 0 keep their realized P/L). Fresh account: initial quote only. */
  loadState(accountId: string): Promise<{ balances: Balance[]; positions: PositionRow[] }>;
}
