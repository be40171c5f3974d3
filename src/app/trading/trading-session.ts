/**
 * A trading session: one run in the run journal — started (`running`), kept alive by a heartbeat, its
 * writes attached to it, finished with a status (issue 9.2) or marked `failed` when an error stops it.
 * A dry run gets the no-op session: nothing is written, `run` is null.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../ports/clock.ts';
import type { NewRun, RunEnd, RunKind, RunRow } from '../../ports/ledger-rows.ts';
import type { RunJournal } from '../../ports/run-journal.ts';

/** How a run ends (the finish time is the session clock's). */
export type SessionEnd = Omit<RunEnd, 'finishedAt'>;

/** One run of the journal, or the no-op session of a dry run. */
export interface TradingSession {
  /** The run row; null for a dry run (nothing recorded). */
  readonly run: RunRow | null;
  /** Performs a write that belongs to the run now (skipped for a dry run). */
  write(w: (runId: string) => Promise<unknown>): Promise<void>;
  /** Starts a write nothing depends on; {@link settle} awaits it (and throws its error). */
  later(w: (runId: string) => Promise<unknown>): void;
  /** Awaits the writes started with {@link later}. */
  settle(): Promise<void>;
  /** Records the final status; stops the heartbeat. */
  finish(end: SessionEnd): Promise<void>;
  /** Records `failed` with the error's message (a failure to record is logged, not thrown); stops the heartbeat. */
  fail(err: unknown, timings: Record<string, number>): Promise<void>;
}

/** What a session runs on. */
export interface TradingSessionDeps {
  readonly journal: Pick<RunJournal, 'startRun' | 'heartbeat' | 'finishRun'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The session of a dry run: writes nothing. */
export const NO_OP_SESSION: TradingSession = {
  run: null,
  write: async () => {},
  later: () => {},
  settle: async () => {},
  finish: async () => {},
  fail: async () => {},
};

/**
 * Starts a run in the journal (status `running`), or returns {@link NO_OP_SESSION} for a dry run.
 * @param heartbeatMs when set, records a sign of life every that many ms until the session ends (14.1).
 * @throws whatever the journal throws when the run cannot be started.
 */
export async function openTradingSession(
  deps: TradingSessionDeps,
  run: NewRun,
  opts: { readonly heartbeatMs?: number } = {},
): Promise<TradingSession> {
  if (run.dryRun) return NO_OP_SESSION;
  const row = await deps.journal.startRun(run);
  const timer =
    opts.heartbeatMs === undefined
      ? null
      : setInterval(() => {
          deps.journal.heartbeat(row.id, deps.clock.now()).catch(() => undefined);
        }, opts.heartbeatMs);
  timer?.unref();
  const stop = () => {
    if (timer) clearInterval(timer);
  };
  const background: Promise<unknown>[] = [];
  return {
    run: row,
    write: async (w) => {
      await w(row.id);
    },
    later: (w) => {
      const p = w(row.id);
      p.catch(() => undefined); // awaited (and its error thrown) by settle()
      background.push(p);
    },
    settle: async () => {
      await Promise.all(background);
    },
    finish: async (end) => {
      stop();
      await deps.journal.finishRun(row.id, { ...end, finishedAt: deps.clock.now() });
    },
    fail: async (err, timings) => {
      stop();
      const reason = err instanceof Error ? err.message : String(err);
      await deps.journal
        .finishRun(row.id, { status: 'failed', exitReason: reason, finishedAt: deps.clock.now(), timings })
        .catch((e: unknown) => deps.logger.error({ err: e }, 'could not record the failed run'));
    },
  };
}

/**
 * 14.1: marks the account's `running` runs of `kind` without a sign of life for `leaseMs` as `abandoned`
 * (their process died) and logs them; `leaseMs` < 0: every `running` run (the caller holds the account's
 * instance lock, so none of them is alive). @returns their ids.
 */
export async function releaseDeadRuns(
  deps: {
    readonly journal: Pick<RunJournal, 'abandonStaleRuns'>;
    readonly clock: Clock;
    readonly logger: Logger;
  },
  accountId: string,
  kind: RunKind,
  leaseMs: number,
): Promise<string[]> {
  const now = deps.clock.now();
  const staleBefore = leaseMs < 0 ? now + 1 : now - leaseMs;
  const abandoned = await deps.journal.abandonStaleRuns(accountId, kind, staleBefore, now);
  if (abandoned.length > 0) {
    deps.logger.warn(
      { runs: abandoned },
      'runs without a sign of life marked abandoned (their process died)',
    );
  }
  return abandoned;
}
