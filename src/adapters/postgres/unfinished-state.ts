/**
 * The ledger side of {@link UnfinishedState} (issue 14): which fills the current state holds
 * (`accounts.state_fill_id`, migration 010), the fills of unfinished runs after it, and saving a failed or
 * running run's book as the current state. Functions over the ledger's Kysely connection, composed by
 * PostgresLedger.
 */
import type { Kysely, Transaction } from 'kysely';
import { dec, decStr } from '../../domain/decimal.ts';
import type { Balance } from '../../domain/types.ts';
import type { PositionRow } from '../../ports/ledger-rows.ts';
import type { Database } from './schema.ts';
import { balanceColumns, positionColumns } from './state-rows.ts';

/** Run statuses whose fills may not be in the saved state yet (the run did not save it). */
const UNFINISHED_STATUSES = ['failed', 'running', 'abandoned'];
/** Run kinds that trade the account's book. */
const TRADING_KINDS = ['rebalance', 'intraday'];

/**
 * The account's unfinished trading runs after the last run that saved its whole state (ids, oldest first)
 * and the state's fill marker ('0': none).
 * @throws when the account is unknown.
 */
export async function unsettledScope(
  db: Kysely<Database> | Transaction<Database>,
  accountId: string,
): Promise<{ runIds: string[]; afterFillId: string }> {
  const account = await db
    .selectFrom('accounts')
    .select(['state_run_id', 'state_fill_id'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!account) throw new Error(`unsettledOrders: account ${accountId} is not in the ledger`);
  let q = db
    .selectFrom('runs')
    .select('id')
    .where('account_id', '=', accountId)
    .where('kind', 'in', TRADING_KINDS)
    .where('dry_run', '=', false)
    .where('status', 'in', UNFINISHED_STATUSES);
  if (account.state_run_id !== null) q = q.where('id', '>', account.state_run_id);
  const runs = await q.orderBy('id').execute();
  return { runIds: runs.map((r) => String(r.id)), afterFillId: String(account.state_fill_id ?? '0') };
}

/** How many fills of the unfinished runs in {@link unsettledScope} the saved state holds already. */
export async function heldUnsettledFills(db: Kysely<Database>, accountId: string): Promise<number> {
  const { runIds, afterFillId } = await unsettledScope(db, accountId);
  if (runIds.length === 0) return 0;
  const r = await db
    .selectFrom('fills')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('run_id', 'in', runIds)
    .where('id', '<=', afterFillId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * Makes `state` the account's current state as of `runId` holding the fills up to `throughFillId`: replaces
 * the `balances` and `positions` rows (their run_id = `runId`) and moves `state_fill_id` (one transaction,
 * the account row locked); `state_run_id` stays the last run that saved its whole state (recovery's and a
 * triggered stop's booking scope). The marker never moves backwards.
 * @throws Error naming the id for an unknown account or run, a run of another account, a malformed decimal.
 */
export async function saveUnfinishedState(
  db: Kysely<Database>,
  runId: string,
  accountId: string,
  state: { readonly balances: readonly Balance[]; readonly positions: readonly PositionRow[] },
  throughFillId: string,
): Promise<void> {
  const num = (v: string, what: string) => {
    try {
      return decStr(dec(v));
    } catch {
      throw new Error(`saveUnfinishedState: ${what} is not a decimal: ${JSON.stringify(v)}`);
    }
  };
  const balances = state.balances.map((b) => ({
    account_id: accountId,
    run_id: runId,
    ...balanceColumns(b, num),
  }));
  const positions = state.positions.map((p) => ({
    account_id: accountId,
    run_id: runId,
    ...positionColumns(p, num),
  }));
  await db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .select(['id', 'state_fill_id'])
      .where('id', '=', accountId)
      .forUpdate()
      .executeTakeFirst();
    if (!account) throw new Error(`saveUnfinishedState: account ${accountId} is not in the ledger`);
    const run = await trx.selectFrom('runs').select('account_id').where('id', '=', runId).executeTakeFirst();
    if (!run) throw new Error(`saveUnfinishedState: run ${runId} is not in the ledger`);
    if (String(run.account_id) !== accountId) {
      throw new Error(
        `saveUnfinishedState: run ${runId} belongs to account ${run.account_id}, not ${accountId}`,
      );
    }
    if (account.state_fill_id !== null && BigInt(account.state_fill_id) > BigInt(throughFillId)) {
      throw new Error(
        `saveUnfinishedState: the state already holds fills up to ${account.state_fill_id}, after ${throughFillId}`,
      );
    }
    await trx.deleteFrom('balances').where('account_id', '=', accountId).execute();
    if (balances.length > 0) await trx.insertInto('balances').values(balances).execute();
    await trx.deleteFrom('positions').where('account_id', '=', accountId).execute();
    if (positions.length > 0) await trx.insertInto('positions').values(positions).execute();
    await trx
      .updateTable('accounts')
      .set({ state_fill_id: throughFillId, state_saved_at: new Date() })
      .where('id', '=', accountId)
      .execute();
  });
}

/** The last fill of the account (its id), null when none: what a full state save holds. */
export async function lastFillId(trx: Transaction<Database>, accountId: string): Promise<string | null> {
  const r = await trx
    .selectFrom('fills')
    .select((eb) => eb.fn.max('id').as('last'))
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return r?.last === null || r?.last === undefined ? null : String(r.last);
}
