/** The run the ledger tests start: one builder instead of a literal `NewRun` in every file. */
import type { NewRun } from '../../src/ports/ledger-rows.ts';

/**
 * A real (not dry, not forced) full momentum rebalance run of `accountId` for the period `day` (YYYY-MM-DD),
 * decided at `at` (UTC ms) and started at the same instant, with an empty config; `over` replaces any
 * field (e.g. `startedAt`, `config`, `continuesRunId`).
 */
export function rebalanceRun(accountId: string, day: string, at: number, over: Partial<NewRun> = {}): NewRun {
  return {
    accountId,
    kind: 'rebalance',
    period: day,
    rebalanceMode: 'full',
    strategyMode: 'momentum',
    dryRun: false,
    forced: false,
    config: {},
    decisionTime: at,
    startedAt: at,
    ...over,
  };
}
