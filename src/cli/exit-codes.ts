/**
 * The process exit codes of the CLI, in ONE place (README "Exit codes"): sysexits.h where one fits.
 * Errors carry their code (`exitCode` field, see `exitCodeOf` in src/app/errors.ts); a finished run's
 * status maps to a code through {@link exitCodeForRunStatus}, extended here when new statuses appear.
 */

/** Every exit code the CLI uses. */
export const EXIT = Object.freeze({
  /** The run did its job (or had nothing to do: `skipped`, `dry_run`). */
  OK: 0,
  /** Unexpected failure (a bug or an unclassified error); the log has the stack. */
  UNEXPECTED: 1,
  /** Bad input on the command line (unknown flag or command, a decision day outside the data, …). */
  USAGE: 2,
  /** EX_DATAERR-like: a missing, malformed or corrupt data directory. */
  DATA: 66,
  /** EX_UNAVAILABLE: the ledger database cannot be reached or opened. */
  UNAVAILABLE: 69,
  /** EX_TEMPFAIL: another instance holds the account's lock; try again later. */
  TEMPFAIL: 75,
  /** EX_NOPERM: the exchange refused the API key, its signature or its permissions. */
  NOPERM: 77,
  /** EX_CONFIG: a configuration error (file, environment, flags), before any order. */
  CONFIG: 78,
} as const);

/** One row of the documented table. */
export interface ExitCodeDoc {
  readonly code: number;
  readonly meaning: string;
}

/** The exit-code table as printed by `--help` and written in README "Exit codes". */
export const EXIT_CODE_DOCS: readonly ExitCodeDoc[] = Object.freeze([
  { code: EXIT.OK, meaning: 'done (also: skipped as already rebalanced / not due, dry run)' },
  { code: EXIT.UNEXPECTED, meaning: 'unexpected failure (the log has the details)' },
  { code: EXIT.USAGE, meaning: 'bad input: unknown command or flag, a decision day outside the data' },
  { code: EXIT.DATA, meaning: 'data error: missing, malformed or corrupt data directory' },
  {
    code: EXIT.UNAVAILABLE,
    meaning: 'the database or the exchange is unreachable, or the exchange failed (run recorded failed)',
  },
  {
    code: EXIT.TEMPFAIL,
    meaning: 'another instance holds the account lock (the message says who); retry later',
  },
  { code: EXIT.NOPERM, meaning: 'the exchange refused the API key, its signature or its permissions' },
  { code: EXIT.CONFIG, meaning: 'configuration error (file, environment variable or flag), nothing sent' },
]);

/**
 * The exit code of a run that finished without throwing, from its recorded status (today:
 * `completed`, `skipped`, `dry_run` → 0; any status this table does not know → 1, so a run that did
 * not do its job never exits 0).
 */
export function exitCodeForRunStatus(status: string): number {
  switch (status) {
    case 'completed':
    case 'skipped':
    case 'dry_run':
      return EXIT.OK;
    default:
      return EXIT.UNEXPECTED;
  }
}
