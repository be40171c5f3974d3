/**
 * `risk status`: an account's kill switch as the ledger holds it — the state, since when, why, and the
 * last journaled events with who, when and the figures (issue 10 item 5; strategy-semantics.md §10
 * "Portfolio risk"). Read-only: no exchange call, nothing written.
 */
import { buysAllowed, type HaltState } from '../../domain/risk/halt.ts';
import type { AccountLookup } from '../../ports/account-lookup.ts';
import type { HaltJournal } from '../../ports/halt-journal.ts';
import { UserInputError } from '../errors.ts';
import { haltReason } from '../rebalance/halt-gate.ts';

/** The kill switch of an account, as `risk status --json` prints it (times ISO 8601 UTC). */
export interface RiskStatus {
  readonly account: string;
  /** `running` (buys allowed), `daily_loss_stop` (no BUY until the next decision day's rebalance) or `halted` (no BUY until `risk reset --yes`). */
  readonly state: HaltState['status'];
  /** When the stop / halt was set, or null while running. */
  readonly since: string | null;
  /** `daily_loss` or `max_drawdown`, or null while running. */
  readonly reason: 'daily_loss' | 'max_drawdown' | null;
  readonly buys_allowed: boolean;
  /** The last journaled events, newest first. */
  readonly events: readonly RiskEventView[];
}

/** One journaled change of the kill switch (or operator reset). */
export interface RiskEventView {
  readonly at: string;
  /** `risk` (the intraday pass), `rebalance` or `operator_reset`. */
  readonly event: string;
  readonly from: string;
  readonly to: string;
  /** `intraday`, `rebalance`, or `operator <user>@<host>`. */
  readonly actor: string | null;
  readonly run_id: string | null;
  /** The figures that fired (fractions; equity as decimal strings), as the writer stored them. */
  readonly detail: unknown;
}

/** What the risk commands read and write. */
export interface RiskDeps {
  readonly accounts: AccountLookup;
  readonly halts: HaltJournal;
}

/**
 * The account's id. @throws UserInputError (exit 2) naming the account and the ones the ledger has.
 * @param where the ledger read (a redacted DSN or directory), for the message.
 */
export async function accountIdOrThrow(
  accounts: AccountLookup,
  name: string,
  where: string,
): Promise<string> {
  const id = await accounts.accountIdOf(name);
  if (id !== null) return id;
  const known = await accounts.accountNames();
  throw new UserInputError(
    `no account "${name}" in the ledger (${where}); accounts: ${known.length === 0 ? '(none)' : known.join(', ')} — choose one with --account`,
  );
}

/** The state as the JSON shows it. */
export function stateView(s: HaltState): Pick<RiskStatus, 'state' | 'since' | 'reason' | 'buys_allowed'> {
  return {
    state: s.status,
    since: s.status === 'running' ? null : new Date(s.sinceMs).toISOString(),
    reason: haltReason(s),
    buys_allowed: buysAllowed(s),
  };
}

/**
 * Reads the kill switch of `account` and its last `limit` events.
 * @throws UserInputError when the account does not exist; whatever the ledger throws.
 */
export async function riskStatus(
  deps: RiskDeps,
  account: string,
  limit: number,
  where: string,
): Promise<RiskStatus> {
  const id = await accountIdOrThrow(deps.accounts, account, where);
  const [state, events] = await Promise.all([deps.halts.haltState(id), deps.halts.haltEvents(id, limit)]);
  return {
    account,
    ...stateView(state),
    events: events.map((e) => ({
      at: new Date(e.at).toISOString(),
      event: e.event,
      from: e.from_status,
      to: e.to_status,
      actor: e.actor,
      run_id: e.run_id,
      detail: e.detail,
    })),
  };
}
