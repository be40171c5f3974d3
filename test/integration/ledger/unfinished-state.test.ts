/**
 * The fill marker of the account state (migration 010, issue 14) on both ledgers (PGlite in memory; the
 * Postgres server when DATABASE_URL is set): a failed run's state holds its booked fills, and crash
 * recovery's `unsettledOrders` then returns that run's PENDING orders but not the fills the state already
 * holds (a fresh account's state loads with them although no run saved its whole state); a fill recorded later (a PENDING order resolved)
 * is returned once; a full save after a run leaves nothing unsettled. Values are hand-picked.
 */
import { describe, expect, it } from 'vitest';
import type { PostgresLedger } from '../../../src/adapters/postgres/postgres-ledger.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import type { FillRow, NewRun, OrderOutcomeRow } from '../../../src/ports/ledger.ts';
import { LEDGER_BACKENDS } from '../../support/ledger-scratch.ts';
import { useMigratedLedger } from '../../support/migrated-ledger.ts';
import { rebalanceRun } from '../../support/rebalance-run.ts';

const DAY = '2024-03-01';
const DAY_MS = dayToMs(DAY);
const run = (accountId: string): NewRun => rebalanceRun(accountId, DAY, DAY_MS, { startedAt: DAY_MS + 1 });
const order = (runId: string, accountId: string, id: string, symbol: string) => ({
  runId,
  accountId,
  clientOrderId: id,
  symbol,
  side: 'BUY' as const,
  leg: 'buy',
  quantity: null,
  quoteOrderQty: '100',
  decisionPrice: '50',
  decidedAt: DAY_MS + 2,
});
const filled: OrderOutcomeRow = {
  status: 'FILLED',
  exchangeOrderId: '1',
  executedQty: '2',
  cummulativeQuoteQty: '100',
  avgPrice: '50',
  slippageBps: 0,
  rejectCode: null,
  rejectReason: null,
  rejectMessage: null,
  transactTime: DAY_MS + 3,
  latencyMs: 1,
};
const fill = (tradeId: string, symbol: string): FillRow => ({
  tradeId,
  symbol,
  side: 'BUY',
  price: '50',
  quantity: '2',
  quoteQuantity: '100',
  commission: '0',
  commissionAsset: 'USDT',
  commissionQuote: '0',
  filledAt: DAY_MS + 3,
});
const pos = (asset: string) => ({
  asset,
  symbol: `${asset}USDT`,
  quantity: '2',
  costBasis: '100',
  realizedPnl: '0',
  feesQuote: '0',
});

describe.each(LEDGER_BACKENDS)('the state fill marker on $name', (backend) => {
  let ledger: PostgresLedger;
  useMigratedLedger(backend, (l) => {
    ledger = l;
  });

  it.skipIf(backend.skip)(
    'a failed run saves its booked fill; recovery gets its PENDING order, then only the fill resolved later',
    async () => {
      const acct = await ledger.ensureAccount({
        name: 'marker',
        exchangeKind: 'testnet',
        quoteAsset: 'USDT',
        initialQuote: '1000',
      });
      const r1 = await ledger.startRun(run(acct.id));
      const [a, b] = await ledger.recordOrders([
        order(r1.id, acct.id, 'r1-a', 'ETHUSDT'),
        order(r1.id, acct.id, 'r1-b', 'BNBUSDT'),
      ]);
      await ledger.completeOrder(a as string, filled, [fill('1', 'ETHUSDT')]); // b stays PENDING
      const before = await ledger.unsettledFills(acct.id);
      expect(before.fills.map((f) => f.clientOrderId)).toEqual(['r1-a']);
      expect(before.throughFillId).not.toBeNull();
      // The failed run's state: 1000 − 100 USDT, 2 ETH.
      await ledger.saveUnfinishedState(
        r1.id,
        acct.id,
        {
          balances: [
            { asset: 'ETH', free: '2', locked: '0' },
            { asset: 'USDT', free: '900', locked: '0' },
          ],
          positions: [pos('ETH')],
        },
        before.throughFillId as string,
      );
      await ledger.finishRun(r1.id, {
        status: 'failed',
        exitReason: 'x',
        finishedAt: DAY_MS + 4,
        timings: {},
      });
      expect((await ledger.loadState(acct.id)).balances.map((x) => [x.asset, x.free])).toEqual([
        ['ETH', '2'],
        ['USDT', '900'],
      ]);
      // state_run_id stays null (no run saved its whole state); the rows are r1's.
      const row = await ledger.db
        .selectFrom('accounts')
        .select('state_run_id')
        .where('id', '=', acct.id)
        .executeTakeFirstOrThrow();
      expect(row.state_run_id).toBeNull();
      const rows = await ledger.db
        .selectFrom('balances')
        .select('run_id')
        .where('account_id', '=', acct.id)
        .execute();
      expect(rows.map((r) => String(r.run_id))).toEqual([r1.id, r1.id]);
      expect(await ledger.heldUnsettledFills(acct.id)).toBe(1);
      // Recovery: b is still to resolve (the state is of r1), a's fill is held already.
      let u = await ledger.unsettledOrders(acct.id);
      expect(u.orders.map((o) => [o.clientOrderId, o.status])).toEqual([['r1-b', 'PENDING']]);
      expect(u.fills).toEqual([]);
      expect((await ledger.unsettledFills(acct.id)).throughFillId).toBeNull();
      // b resolved by clientOrderId (FILLED): its fill is returned, once.
      await ledger.completeOrder(b as string, filled, [fill('2', 'BNBUSDT')]);
      u = await ledger.unsettledOrders(acct.id);
      expect(u.orders.map((o) => [o.clientOrderId, o.status])).toEqual([['r1-b', 'FILLED']]);
      expect(u.fills.map((f) => f.clientOrderId)).toEqual(['r1-b']);
      // A completed run saves the whole book: nothing unsettled any more.
      const r2 = await ledger.startRun({ ...run(acct.id), continuesRunId: r1.id });
      await ledger.saveState(r2.id, acct.id, {
        balances: [
          { asset: 'BNB', free: '2', locked: '0' },
          { asset: 'ETH', free: '2', locked: '0' },
          { asset: 'USDT', free: '800', locked: '0' },
        ],
        positions: [pos('BNB'), pos('ETH')].map((p) => ({
          ...p,
          markPrice: '50',
          marketValue: '100',
          unrealizedPnl: '0',
        })),
        adjustments: [],
        equity: {
          day: DAY,
          markedAt: DAY_MS + 5,
          priceBasis: 'last',
          cash: '800',
          positionsValue: '200',
          equity: '1000',
          realizedPnl: '0',
          unrealizedPnl: '0',
          feesQuote: '0',
        },
      });
      expect(await ledger.unsettledOrders(acct.id)).toEqual({ orders: [], fills: [] });
      expect(await ledger.heldUnsettledFills(acct.id)).toBe(0);
      // A marker behind the state's (r2 holds b's fill) is refused (a fill would be counted twice).
      await expect(
        ledger.saveUnfinishedState(
          r1.id,
          acct.id,
          { balances: [], positions: [] },
          before.throughFillId as string,
        ),
      ).rejects.toThrow(/already holds fills up to/);
    },
  );
});
