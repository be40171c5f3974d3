/**
 * Process exit codes of the CLI (documented in README "Exit codes"; sysexits.h where one fits).
 * Errors carry their own code ({@link exitCodeOf}); a run that returned a result maps its status here.
 */
import type { RebalanceResult } from '../app/rebalance-result.ts';

/** The exit codes, by meaning. */
export const EXIT = Object.freeze({
  /** Done: completed, skipped (already rebalanced / not due), dry run, or some orders rejected. */
  OK: 0,
  /** Unexpected failure (the run is recorded `failed`). */
  FAILURE: 1,
  /** Bad input on the command line. */
  USAGE: 2,
  /** A guard refused the run before any order (issue 9.2/9.3/14.3): recorded `refused`. */
  REFUSED: 3,
  /** Every order of a phase (all SELLs or all BUYs) was rejected: recorded `completed_with_rejections`. */
  PHASE_REJECTED: 4,
  /** Data missing or corrupt (EX_NOINPUT). */
  NO_INPUT: 66,
  /** Database or exchange unavailable (EX_UNAVAILABLE). */
  UNAVAILABLE: 69,
  /** Another instance holds the account (EX_TEMPFAIL). */
  TEMPFAIL: 75,
  /** The exchange refused the API key (EX_NOPERM). */
  NO_PERMISSION: 77,
  /** Configuration error, or an account of another venue (EX_CONFIG). */
  CONFIG: 78,
});

/**
 * The exit code of a rebalance that returned a result: `refused` → 3; a phase whose every order was
 * rejected → 4; anything else (completed, completed with some rejections, skipped, dry run) → 0.
 */
export function exitCodeOfResult(result: Pick<RebalanceResult, 'run'>): number {
  if (result.run.status === 'refused') return EXIT.REFUSED;
  if (result.run.rejected_phases.length > 0) return EXIT.PHASE_REJECTED;
  return EXIT.OK;
}
