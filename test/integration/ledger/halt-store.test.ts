/**
 * The persisted kill switch (HaltJournal, migration 005) on both real ledgers: PGlite and the Postgres
 * server of DATABASE_URL. Expected states follow the state machine of strategy-semantics.md §10
 * "Portfolio risk" as written in src/domain/risk/halt.ts (hand-walked here): a daily loss stops buys, a
 * decision day's rebalance lifts it; a drawdown halts until an operator reset, which is journaled with
 * who/when even when nothing was halted; two concurrent events on one account lose no update.
 */
import { describe, expect, it } from 'vitest';
import type { PostgresLedger } from '../../../src/adapters/postgres/postgres-ledger.ts';
import { LEDGER_BACKENDS } from '../../support/ledger-scratch.ts';
import { useMigratedLedger } from '../../support/migrated-ledger.ts';
import { replayAccount } from '../../support/replay-account.ts';

const T0 = Date.UTC(2024, 2, 1, 10);
const H = 3_600_000;

describe.each(LEDGER_BACKENDS)('kill switch on $name', (backend) => {
  let ledger: PostgresLedger;
  let account: string;
  useMigratedLedger(backend, async (l) => {
    ledger = l;
    account = (await replayAccount(ledger, 'halt', '1000')).id;
  });

  it.skipIf(backend.skip)(
    'walks running → daily_loss_stop → running → halted → reset, journaling each change',
    async () => {
      expect(await ledger.haltState(account)).toEqual({ status: 'running' });
      const loss = await ledger.applyHaltEvent(
        account,
        { type: 'risk', dailyLoss: true, drawdown: false, atMs: T0 },
        { actor: 'intraday', detail: { daily_loss: 0.051 } },
      );
      expect(loss).toEqual({
        before: { status: 'running' },
        after: { status: 'daily_loss_stop', sinceMs: T0 },
      });
      // A second daily loss the same day keeps the first time (no journal row: nothing changed).
      await ledger.applyHaltEvent(
        account,
        { type: 'risk', dailyLoss: true, drawdown: false, atMs: T0 + H },
        { actor: 'intraday' },
      );
      expect(await ledger.haltState(account)).toEqual({ status: 'daily_loss_stop', sinceMs: T0 });
      // The next decision day's rebalance lifts it.
      await ledger.applyHaltEvent(account, { type: 'rebalance', atMs: T0 + 14 * H }, { actor: 'rebalance' });
      expect(await ledger.haltState(account)).toEqual({ status: 'running' });
      // A drawdown halts; a rebalance does not lift a halt.
      await ledger.applyHaltEvent(
        account,
        { type: 'risk', dailyLoss: true, drawdown: true, atMs: T0 + 20 * H },
        { actor: 'intraday' },
      );
      await ledger.applyHaltEvent(account, { type: 'rebalance', atMs: T0 + 38 * H }, { actor: 'rebalance' });
      expect(await ledger.haltState(account)).toEqual({
        status: 'halted',
        sinceMs: T0 + 20 * H,
        reason: 'max_drawdown',
      });
      const reset = await ledger.applyHaltEvent(
        account,
        { type: 'operator_reset', atMs: T0 + 40 * H },
        { actor: 'operator alice@box' },
      );
      expect(reset.after).toEqual({ status: 'running' });
      // A reset while running is journaled too (who/when).
      await ledger.applyHaltEvent(
        account,
        { type: 'operator_reset', atMs: T0 + 41 * H },
        { actor: 'operator bob@box' },
      );
      const events = await ledger.haltEvents(account, 10);
      expect(events.map((e) => [e.event, e.from_status, e.to_status, e.actor, e.at])).toEqual([
        ['operator_reset', 'running', 'running', 'operator bob@box', T0 + 41 * H],
        ['operator_reset', 'halted', 'running', 'operator alice@box', T0 + 40 * H],
        ['risk', 'running', 'halted', 'intraday', T0 + 20 * H],
        ['rebalance', 'daily_loss_stop', 'running', 'rebalance', T0 + 14 * H],
        ['risk', 'running', 'daily_loss_stop', 'intraday', T0],
      ]);
      expect(events[4]?.detail).toEqual({ daily_loss: 0.051 });
    },
  );

  it.skipIf(backend.skip)('two events at once on a fresh account: both applied, one row', async () => {
    const other = (await replayAccount(ledger, 'halt-2', '1000')).id;
    await Promise.all([
      ledger.applyHaltEvent(
        other,
        { type: 'risk', dailyLoss: true, drawdown: false, atMs: T0 },
        { actor: 'a' },
      ),
      ledger.applyHaltEvent(
        other,
        { type: 'risk', dailyLoss: false, drawdown: true, atMs: T0 + 1 },
        { actor: 'b' },
      ),
    ]);
    // Whatever the order, a drawdown halts: halted is absorbing under `risk` events.
    expect((await ledger.haltState(other)).status).toBe('halted');
    const rows = await ledger.db
      .selectFrom('risk_halts')
      .selectAll()
      .where('account_id', '=', other)
      .execute();
    expect(rows).toHaveLength(1);
  });
});
