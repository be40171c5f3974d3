/**
 * Errors a person can act on, with the process exit code the CLI uses for each
 * (sysexits.h where one fits; documented in README "Exit codes").
 */
import { exitCodeError } from '../ports/exit-code-error.ts';

/** Bad input on the command line or in the request (a decision day outside the data, …): exit 2. */
export class UserInputError extends exitCodeError('UserInputError', 2) {}

/** A capability that is configured but not built yet (e.g. `kind = testnet`): exit 78 (EX_CONFIG). */
export class NotAvailableError extends exitCodeError('NotAvailableError', 78) {}

/**
 * A run against an account whose book belongs to another venue (exchange kind and endpoint, issue 9.1),
 * e.g. a testnet run on the replay account: refused before any request. Exit 78 (EX_CONFIG).
 */
export class VenueMismatchError extends exitCodeError('VenueMismatchError', 78) {
  /**
   * @param accountVenue the venue the account's book belongs to (`replay`, `testnet <url>`, …).
   * @param runVenue the venue this run was configured for.
   */
  constructor(
    message: string,
    readonly accountVenue: string,
    readonly runVenue: string,
  ) {
    super(message);
  }
}

/**
 * Input data too old for the decision (e.g. market caps older than the 45 days of strategy-semantics.md
 * §4 on a real run): names the source and its last date. Exit 66 (EX_NOINPUT, as a data error).
 */
export class StaleDataError extends exitCodeError('StaleDataError', 66) {}

/**
 * The exchange or the data answered something that cannot be a market (issue 14.2): an empty or
 * incomplete ticker list for symbols we will trade, a price <= 0. Names the endpoint or file, the symbol
 * and the field; nothing further is sent and the run is recorded `failed`. Exit 65 (EX_DATAERR).
 */
export class InvalidMarketDataError extends exitCodeError('InvalidMarketDataError', 65) {}

/** The process exit code for an error: its `exitCode` field when it has one, else 1. */
export function exitCodeOf(err: unknown): number {
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' && Number.isInteger(code) && code > 0 ? code : 1;
}
