/**
 * `risk reset --yes`: an operator clears the account's kill switch (a drawdown halt or a daily-loss stop),
 * recorded with who and when (issue 10 item 5; strategy-semantics.md §10 "Portfolio risk"; state machine
 * `domain/risk/halt.ts`, event `operator_reset`). The caller holds the account's instance lock, so no
 * trading job is mid-run.
 */
import type { Clock } from '../../ports/clock.ts';
import { accountIdOrThrow, type RiskDeps, type RiskStatus, stateView } from './risk-status.ts';

/** What a reset did: the state before and after, who and when (ISO 8601 UTC). */
export interface RiskResetResult {
  readonly account: string;
  readonly before: Pick<RiskStatus, 'state' | 'since' | 'reason' | 'buys_allowed'>;
  readonly after: Pick<RiskStatus, 'state' | 'since' | 'reason' | 'buys_allowed'>;
  readonly actor: string;
  readonly at: string;
}

/**
 * Applies `operator_reset` to `account` at the clock's now, journaled with `actor` (always, even when the
 * switch was already running).
 * @param actor e.g. `operator alice@host` (never a secret).
 * @throws UserInputError when the account does not exist; whatever the ledger throws.
 */
export async function resetHalt(
  deps: RiskDeps & { readonly clock: Clock },
  account: string,
  actor: string,
  where: string,
): Promise<RiskResetResult> {
  const id = await accountIdOrThrow(deps.accounts, account, where);
  const atMs = deps.clock.now();
  const { before, after } = await deps.halts.applyHaltEvent(
    id,
    { type: 'operator_reset', atMs },
    { actor, detail: { command: 'risk reset --yes' } },
  );
  return {
    account,
    before: stateView(before),
    after: stateView(after),
    actor,
    at: new Date(atMs).toISOString(),
  };
}
