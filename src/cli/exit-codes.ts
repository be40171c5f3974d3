/**
 * The process exit codes of the CLI, in ONE place (README "Exit codes"; sysexits.h where one fits).
 * Errors carry their own code (`exitCode` field, see `exitCodeOf` in src/app/errors.ts); a run that
 * returned a result maps its status here ({@link exitCodeOfResult}), extended when statuses are added.
 * Names and codes agree with the kernel branch's version of this file (issue 9 item 2).
 */

/** The exit codes, by meaning. */
export const EXIT = Object.freeze({
  /** Done: completed, skipped (already rebalanced / not due), halted by the kill switch, dry run, or some orders rejected. */
  OK: 0,
  /** Unexpected failure (the run is recorded `failed`; the log has the details). */
  FAILURE: 1,
  /** Bad input on the command line (unknown flag or command, a decision day outside the data, …). */
  USAGE: 2,
  /** A guard refused the run before any order (issue 9.2/9.3/14.3): recorded `refused`. */
  REFUSED: 3,
  /** Every order of a phase (all SELLs or all BUYs) was rejected: recorded `completed_with_rejections`. */
  PHASE_REJECTED: 4,
  /** The exchange's market data is unusable for the run: a missing or non-positive price of a symbol to trade (EX_DATAERR). */
  DATA_ERROR: 65,
  /** Data missing, malformed, corrupt or stale (EX_NOINPUT). */
  NO_INPUT: 66,
  /** Database or exchange unavailable (EX_UNAVAILABLE). */
  UNAVAILABLE: 69,
  /** Another instance holds the account's lock; nothing was done, try again later (EX_TEMPFAIL). */
  TEMPFAIL: 75,
  /** The exchange refused the API key, its signature or its permissions (EX_NOPERM). */
  NO_PERMISSION: 77,
  /** Configuration error, before any order (EX_CONFIG). */
  CONFIG: 78,
} as const);

/** One row of the documented table. */
export interface ExitCodeDoc {
  readonly code: number;
  readonly meaning: string;
}

/** The exit-code table as printed by `--help` and written in README "Exit codes" (same order). */
export const EXIT_CODE_DOCS: readonly ExitCodeDoc[] = Object.freeze([
  {
    code: EXIT.OK,
    meaning: 'done (also: skipped as already rebalanced / not due, halted by the kill switch, dry run)',
  },
  { code: EXIT.FAILURE, meaning: 'unexpected failure (the log has the details)' },
  { code: EXIT.USAGE, meaning: 'bad input: unknown command or flag, a decision day outside the data' },
  { code: EXIT.REFUSED, meaning: 'refused by a guard before any order (run status refused)' },
  { code: EXIT.PHASE_REJECTED, meaning: 'every order of a phase was rejected' },
  {
    code: EXIT.DATA_ERROR,
    meaning:
      'decision prices unusable: a last price missing or <= 0 for a symbol to trade (run recorded failed)',
  },
  {
    code: EXIT.NO_INPUT,
    meaning: 'data error: missing, malformed, corrupt or stale data (e.g. market caps older than 45 days)',
  },
  {
    code: EXIT.UNAVAILABLE,
    meaning:
      'the database or the exchange is unreachable, failed or answered something invalid (run recorded failed)',
  },
  {
    code: EXIT.TEMPFAIL,
    meaning: 'another instance holds the account lock (the message says who); retry later',
  },
  { code: EXIT.NO_PERMISSION, meaning: 'the exchange refused the API key, its signature or its permissions' },
  { code: EXIT.CONFIG, meaning: 'configuration error (file, environment variable or flag), nothing sent' },
]);

/** What {@link exitCodeOfResult} reads of a rebalance result. */
export interface RunOutcome {
  readonly run: { readonly status: string; readonly rejected_phases?: readonly unknown[] };
}

/**
 * The exit code of a rebalance that returned a result: `refused` → 3; a phase whose every order was
 * rejected (`rejected_phases` not empty) → 4; `completed`, `completed_with_rejections`, `skipped`,
 * `halted` (the kill switch: it did its job, buying nothing, issue 10 item 5), `dry_run` → 0; any status this table does not know → 1, so a run that did not do its job never exits 0.
 */
export function exitCodeOfResult(result: RunOutcome): number {
  const { status, rejected_phases } = result.run;
  if (status === 'refused') return EXIT.REFUSED;
  if (rejected_phases !== undefined && rejected_phases.length > 0) return EXIT.PHASE_REJECTED;
  switch (status) {
    case 'completed':
    case 'completed_with_rejections':
    case 'skipped':
    case 'halted':
    case 'dry_run':
      return EXIT.OK;
    default:
      return EXIT.FAILURE;
  }
}
