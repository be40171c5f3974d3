/**
 * Port: find an account of the ledger by name without creating it (the read-only and operator commands,
 * e.g. `risk status` / `risk reset`). Implemented by `adapters/postgres/account-lookup.ts`.
 */
export interface AccountLookup {
  /** The id of the account named `name`, or null when the ledger has none. */
  accountIdOf(name: string): Promise<string | null>;
  /** The names of the accounts in the ledger, sorted (for a message when one is missing). */
  accountNames(): Promise<readonly string[]>;
}
