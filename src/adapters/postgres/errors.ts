/**
 * Errors of the Postgres ledger adapter.
 */

/**
 * The ledger database cannot be reached or opened: an unreachable or refusing server, a failed
 * authentication, a missing database, a connection timeout, or a PGlite data directory that cannot
 * be opened. The message names the target with any password redacted, e.g.
 * `cannot connect to Postgres at postgres://user:***@127.0.0.1:5999/db: ECONNREFUSED`.
 */
export class LedgerConnectionError extends Error {
  /** The database the connection was for, password redacted (URL or PGlite data directory). */
  readonly target: string;
  /** Driver error code where known (`ECONNREFUSED`, `ETIMEDOUT`, SQLSTATE such as `28P01`, `3D000`). */
  readonly code: string | undefined;
  /** Process exit code for the CLI: 69 (EX_UNAVAILABLE). */
  readonly exitCode = 69;

  /**
   * @param message full message (must not contain secrets).
   * @param target redacted target.
   * @param code driver error code, if any.
   * @param cause the underlying error.
   */
  constructor(message: string, target: string, code: string | undefined, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'LedgerConnectionError';
    this.target = target;
    this.code = code;
  }
}
