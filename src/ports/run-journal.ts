import type { IsoDay } from '../domain/types.ts';
import type { NewRun, RunEnd, RunKind, RunRow, UniverseDecisionRow } from './ledger-rows.ts';

/** The journal of runs: start, sign of life, finish with a status, and what each run decided. Implemented by `adapters/postgres` (PostgresLedger). */
export interface RunJournal {
  /** The latest `completed` (or `completed_with_rejections`, `halted`) run of `kind` for the account and period, or null. */
  completedRun(accountId: string, kind: RunKind, period: IsoDay): Promise<RunRow | null>;
  /** The latest `completed` (or `completed_with_rejections`, `halted`) run of `kind` of the account (by period, then start time), or null. */
  lastCompletedRun(accountId: string, kind: RunKind): Promise<RunRow | null>;
  /** How many runs (any status, dry runs excluded) the account already has for the period and kind. */
  countRuns(accountId: string, kind: RunKind, period: IsoDay): Promise<number>;

  /** Inserts a run with status `running`. */
  startRun(run: NewRun): Promise<RunRow>;
  /** Records a sign of life of a `running` run (`heartbeat_at`, UTC ms). */
  heartbeat(runId: string, at: number): Promise<void>;
  /**
   * Marks the account's `running` runs of `kind` whose last sign of life (heartbeat, else start) is
   * older than `staleBefore` (UTC ms) as `abandoned` (their process died).
   * @returns the ids of the runs marked.
   */
  abandonStaleRuns(accountId: string, kind: RunKind, staleBefore: number, now: number): Promise<string[]>;
  /** The latest non-dry run of `kind` for the account and period (any status), or null. */
  latestRun(accountId: string, kind: RunKind, period: IsoDay): Promise<RunRow | null>;
  /** Sets the final status, exit reason, finish time, timings and summary of a run. */
  finishRun(runId: string, end: RunEnd): Promise<void>;

  /** Records the universe decision of every symbol considered by the run. */
  recordUniverse(runId: string, decisions: readonly UniverseDecisionRow[]): Promise<void>;
}
