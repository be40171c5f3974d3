/**
 * The ledger suite, run against every backend (kysely's habit: one suite, every dialect):
 * - PGlite in memory (always);
 * - a real Postgres server at `DATABASE_URL` (skipped when unset). Each run creates its own fresh
 *   databases next to the one in the URL and drops them afterwards, so it is isolated and re-runnable.
 *
 * Expected values are hand-computed in the comments next to them; the accounting identity is checked by
 * Postgres itself on the stored snapshots.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerConnectionError, openLedger, redactUrl } from '../../../src/adapters/postgres/connect.ts';
import type { MigrationReport } from '../../../src/adapters/postgres/migrate.ts';
import type { PostgresLedger } from '../../../src/adapters/postgres/postgres-ledger.ts';
import { unfilledOutcome } from '../../../src/app/trading/order-rows.ts';
import { dec, decStr } from '../../../src/domain/decimal.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import type { AccountState, FillRow, NewOrder, NewRun, OrderOutcomeRow } from '../../../src/ports/ledger.ts';
import { ScratchDatabases } from '../../support/postgres-server.ts';
import { rebalanceRun } from '../../support/rebalance-run.ts';
import { replayAccount } from '../../support/replay-account.ts';

const DATABASE_URL = process.env.DATABASE_URL || undefined;

interface Backend {
  readonly name: string;
  readonly kind: 'pglite' | 'postgres';
  readonly skip: boolean;
}

const BACKENDS: Backend[] = [
  { name: 'pglite (in memory)', kind: 'pglite', skip: false },
  {
    name: DATABASE_URL ? 'postgres server (DATABASE_URL)' : 'postgres server (set DATABASE_URL)',
    kind: 'postgres',
    skip: DATABASE_URL === undefined,
  },
];

const DAY = '2024-03-01';
const DAY_MS = dayToMs(DAY);

function newRun(accountId: string, over: Partial<NewRun> = {}): NewRun {
  return rebalanceRun(accountId, DAY, DAY_MS, {
    config: { strategy: { lookback_days: 30, top_n: 5 }, quote: 'USDT', list: [1, 2] },
    startedAt: DAY_MS + 1_234,
    ...over,
  });
}

/**
 * The rows of Metabase view `view` for `accountId`, ordered by `key`: `[key, ...numerics]` per row, the
 * numerics normalised by decStr (numeric scale aside).
 */
async function viewRows(
  ledger: PostgresLedger,
  view: string,
  accountId: string,
  key: string,
  numerics: string[],
): Promise<string[][]> {
  const columns = sql.join([key, ...numerics].map((c) => sql.ref(c)));
  const result = await sql<Record<string, string>>`
    select ${columns} from ${sql.table(view)} where account_id = ${accountId} order by ${sql.ref(key)}`.execute(
    ledger.db,
  );
  return result.rows.map((r) => [r[key] as string, ...numerics.map((c) => decStr(r[c] as string))]);
}

function newOrder(
  runId: string,
  accountId: string,
  clientOrderId: string,
  over: Partial<NewOrder> = {},
): NewOrder {
  return {
    runId,
    accountId,
    clientOrderId,
    symbol: 'BTCUSDT',
    side: 'BUY',
    leg: 'buy',
    quantity: null,
    quoteOrderQty: '123456789.123456789012345678',
    decisionPrice: '61234.56789012',
    decidedAt: DAY_MS + 5_000,
    ...over,
  };
}

describe.each(BACKENDS)('ledger on $name', (backend) => {
  describe.skipIf(backend.skip)(backend.skip ? 'skipped: DATABASE_URL is not set' : 'suite', () => {
    let ledger: PostgresLedger;
    let firstMigration: MigrationReport;
    let scratch: ScratchDatabases | undefined;

    beforeAll(async () => {
      if (backend.kind === 'postgres') {
        scratch = new ScratchDatabases(DATABASE_URL as string);
        ledger = await openLedger({ url: await scratch.create() });
      } else {
        ledger = await openLedger({ dataDir: ':memory:' });
      }
      firstMigration = await ledger.migrateWithReport();
    });

    afterAll(async () => {
      await ledger?.close();
      await scratch?.dropAll();
    });

    it('opens the expected backend', () => {
      expect(ledger.backend).toBe(backend.kind);
    });

    it('migrates a fresh database, and migrating again is a no-op', async () => {
      expect(firstMigration.applied).toContain('001_ledger');
      expect(firstMigration.skipped).toEqual([]);
      // Every sql/views file, in file-name order (the Metabase views grow with the dashboards).
      const viewFiles = readdirSync(new URL('../../../sql/views/', import.meta.url))
        .filter((f) => f.endsWith('.sql'))
        .sort();
      expect(firstMigration.views).toEqual(viewFiles);
      expect(viewFiles).toEqual(
        expect.arrayContaining(['daily_equity.sql', 'pnl_by_asset.sql', 'run_overview.sql']),
      );
      const again = await ledger.migrateWithReport();
      expect(again.applied).toEqual([]);
      expect(again.skipped).toEqual(firstMigration.applied);
      await ledger.migrate();
      const versions = await ledger.db
        .selectFrom('schema_migrations')
        .select('version')
        .orderBy('version')
        .execute();
      const names = versions.map((v) => v.version);
      expect(names.filter((v) => !v.startsWith('views:'))).toEqual(firstMigration.applied);
      // The views are recorded once, by the checksum of their text.
      expect(names.filter((v) => v.startsWith('views:'))).toHaveLength(1);
    });

    it.skipIf(backend.kind !== 'postgres')(
      'two processes migrating one fresh database at once: the advisory lock serialises them',
      async () => {
        const url = await (scratch as ScratchDatabases).create();
        const [a, b] = await Promise.all([openLedger({ url }), openLedger({ url })]);
        try {
          const [ra, rb] = await Promise.all([a.migrateWithReport(), b.migrateWithReport()]);
          expect([...ra.applied, ...rb.applied].sort()).toEqual(firstMigration.applied);
          expect([...ra.skipped, ...rb.skipped].sort()).toEqual(firstMigration.applied);
        } finally {
          await a.close();
          await b.close();
        }
      },
    );

    it('ensureAccount creates once and then finds the same account', async () => {
      const spec = {
        name: 'paper-ensure',
        exchangeKind: 'replay',
        quoteAsset: 'USDT',
        initialQuote: '10000',
      } as const;
      const a = await ledger.ensureAccount(spec);
      const b = await ledger.ensureAccount({ ...spec, initialQuote: '5' });
      expect(b).toEqual(a);
      expect(a).toMatchObject({
        name: 'paper-ensure',
        exchangeKind: 'replay',
        quoteAsset: 'USDT',
        initialQuote: '10000',
      });
      expect(a.id).toMatch(/^\d+$/);
      expect(Math.abs(a.createdAt - Date.now())).toBeLessThan(60_000);
      const [c1, c2] = await Promise.all([
        ledger.ensureAccount({ ...spec, name: 'paper-race' }),
        ledger.ensureAccount({ ...spec, name: 'paper-race' }),
      ]);
      expect(c1.id).toBe(c2.id);
    });

    it('run lifecycle: startRun → finishRun, completedRun / lastCompletedRun / countRuns', async () => {
      const acct = await replayAccount(ledger, 'paper-runs', '1000');
      const run = await ledger.startRun(newRun(acct.id));
      expect(run).toMatchObject({
        accountId: acct.id,
        kind: 'rebalance',
        period: DAY,
        status: 'running',
        finishedAt: null,
        exitReason: null,
        decisionTime: DAY_MS,
        startedAt: DAY_MS + 1_234,
        config: { strategy: { lookback_days: 30, top_n: 5 }, quote: 'USDT', list: [1, 2] },
      });
      expect(await ledger.completedRun(acct.id, 'rebalance', DAY)).toBeNull();
      expect(await ledger.lastCompletedRun(acct.id, 'rebalance')).toBeNull();
      expect(await ledger.countRuns(acct.id, 'rebalance', DAY)).toBe(1);

      await ledger.finishRun(run.id, {
        status: 'completed',
        exitReason: 'ok',
        finishedAt: DAY_MS + 1_234 + 987,
        timings: { load: 120, total: 987 },
        summary: { orders: 2, equity: '1000.5' },
      });
      const done = await ledger.completedRun(acct.id, 'rebalance', DAY);
      expect(done).toMatchObject({
        id: run.id,
        status: 'completed',
        exitReason: 'ok',
        finishedAt: DAY_MS + 2_221,
      });
      const stored = await ledger.db
        .selectFrom('runs')
        .select(['duration_ms', 'timings', 'summary'])
        .where('id', '=', run.id)
        .executeTakeFirstOrThrow();
      expect(stored).toEqual({
        duration_ms: '987',
        timings: { load: 120, total: 987 },
        summary: { orders: 2, equity: '1000.5' },
      });
      await expect(
        ledger.finishRun(run.id, { status: 'failed', exitReason: 'x', finishedAt: DAY_MS, timings: {} }),
      ).rejects.toThrow(/already completed/);
      await expect(
        ledger.finishRun('999999999', { status: 'failed', exitReason: 'x', finishedAt: DAY_MS, timings: {} }),
      ).rejects.toThrow(/not in the ledger/);

      // A later period, a failed run, a dry run and a backtest: only completed non-dry rebalances count.
      const later = await ledger.startRun(
        newRun(acct.id, { period: '2024-03-08', startedAt: DAY_MS + 7 * 86_400_000 }),
      );
      await ledger.finishRun(later.id, {
        status: 'completed',
        exitReason: 'ok',
        finishedAt: later.startedAt + 5,
        timings: {},
      });
      const failed = await ledger.startRun(
        newRun(acct.id, { period: '2024-03-09', startedAt: later.startedAt + 86_400_000 }),
      );
      await ledger.finishRun(failed.id, {
        status: 'failed',
        exitReason: 'boom',
        finishedAt: failed.startedAt + 5,
        timings: {},
      });
      const dry = await ledger.startRun(newRun(acct.id, { period: '2024-03-10', dryRun: true }));
      await ledger.finishRun(dry.id, {
        status: 'completed',
        exitReason: 'ok',
        finishedAt: dry.startedAt + 1,
        timings: {},
      });
      await ledger.startRun(newRun(acct.id, { kind: 'backtest', period: '2024-03-11' }));

      expect((await ledger.lastCompletedRun(acct.id, 'rebalance'))?.id).toBe(later.id);
      expect(await ledger.completedRun(acct.id, 'rebalance', '2024-03-09')).toBeNull();
      expect(await ledger.completedRun(acct.id, 'rebalance', '2024-03-10')).toBeNull();
      expect(await ledger.countRuns(acct.id, 'rebalance', '2024-03-09')).toBe(1);
      expect(await ledger.countRuns(acct.id, 'rebalance', '2024-03-10')).toBe(0);
      expect(await ledger.countRuns(acct.id, 'backtest', '2024-03-11')).toBe(1);
      expect(await ledger.lastCompletedRun(acct.id, 'backtest')).toBeNull();
      // A second attempt of a period counts twice.
      await ledger.startRun(newRun(acct.id, { forced: true }));
      expect(await ledger.countRuns(acct.id, 'rebalance', DAY)).toBe(2);
      expect((await ledger.completedRun(acct.id, 'rebalance', DAY))?.id).toBe(run.id);
    });

    it('records the universe decisions of a run', async () => {
      const acct = await replayAccount(ledger, 'paper-universe', '1');
      const run = await ledger.startRun(newRun(acct.id));
      await ledger.recordUniverse(run.id, [
        {
          symbol: 'BTCUSDT',
          baseAsset: 'BTC',
          score: 0.1234,
          marketCapUsd: 1.2e12,
          ageDays: 2000,
          meanQuoteVolume: 1.5e9,
          rank: 1,
          selected: true,
          reason: null,
        },
        {
          symbol: 'NEWUSDT',
          baseAsset: 'NEW',
          score: null,
          marketCapUsd: null,
          ageDays: 3,
          meanQuoteVolume: null,
          rank: null,
          selected: false,
          reason: 'too_young',
        },
      ]);
      const rows = await ledger.db
        .selectFrom('universe_decisions')
        .selectAll()
        .where('run_id', '=', run.id)
        .orderBy('symbol')
        .execute();
      expect(
        rows.map((r) => [r.symbol, r.score, r.market_cap_usd, r.age_days, r.rank, r.selected, r.reason]),
      ).toEqual([
        ['BTCUSDT', 0.1234, '1200000000000', 2000, 1, true, null],
        ['NEWUSDT', null, null, 3, null, false, 'too_young'],
      ]);
    });

    describe('orders and fills', () => {
      let accountId: string;
      let runId: string;

      beforeAll(async () => {
        accountId = (await replayAccount(ledger, 'paper-orders', '100')).id;
        runId = (await ledger.startRun(newRun(accountId))).id;
      });

      it('recordOrder + completeOrder round-trip every value exactly, in insertion order', async () => {
        const buy = newOrder(runId, accountId, 'mr-test-buy-1');
        const sell = newOrder(runId, accountId, 'mr-test-sell-1', {
          symbol: 'ETHUSDT',
          side: 'SELL',
          leg: 'sell',
          quantity: '0.00000001',
          quoteOrderQty: null,
          decisionPrice: '3000.1',
        });
        const rejected = newOrder(runId, accountId, 'mr-test-buy-2', {
          symbol: 'SOLUSDT',
          quoteOrderQty: '5',
        });
        const sellId = await ledger.recordOrder(sell);
        const buyId = await ledger.recordOrder(buy);
        const rejId = await ledger.recordOrder(rejected);
        expect(BigInt(buyId)).toBeGreaterThan(BigInt(sellId));

        // Before completion: PENDING with zero executions.
        const pending = await ledger.runOrders(runId);
        expect(pending.orders.map((o) => [o.clientOrderId, o.status, o.executedQty])).toEqual([
          ['mr-test-sell-1', 'PENDING', '0'],
          ['mr-test-buy-1', 'PENDING', '0'],
          ['mr-test-buy-2', 'PENDING', '0'],
        ]);

        const buyFills: FillRow[] = [
          {
            tradeId: '900001',
            symbol: 'BTCUSDT',
            side: 'BUY',
            price: '61234.56789012',
            quantity: '2016.123456789012345678',
            quoteQuantity: '123456789.123456789012345678',
            commission: '0.00000001',
            commissionAsset: 'BTC',
            commissionQuote: '0.0006123456789012',
            filledAt: DAY_MS + 5_321,
          },
          {
            tradeId: '900002',
            symbol: 'BTCUSDT',
            side: 'BUY',
            price: '99999999999999999999.99999999',
            quantity: '0.00000001',
            quoteQuantity: '999999999999.9999999999999999',
            commission: '0',
            commissionAsset: 'BTC',
            commissionQuote: '0',
            filledAt: DAY_MS + 5_322,
          },
        ];
        const buyOutcome: OrderOutcomeRow = {
          status: 'FILLED',
          exchangeOrderId: '9223372036854775807',
          executedQty: '2016.123456799012345678',
          cummulativeQuoteQty: '1123456789.1234567890123',
          avgPrice: '61234.567890123456789',
          slippageBps: 1.25,
          rejectCode: null,
          rejectReason: null,
          rejectMessage: null,
          transactTime: DAY_MS + 5_321,
          latencyMs: 321,
        };
        // Rejected by the exchange: nothing executed, the Binance code with our reason and its message.
        const rejOutcome: OrderOutcomeRow = {
          ...unfilledOutcome(
            'REJECTED',
            'insufficient_balance',
            'Account has insufficient balance for requested action.',
          ),
          rejectCode: -2010,
        };
        await ledger.completeOrder(buyId, buyOutcome, buyFills);
        await ledger.completeOrder(rejId, rejOutcome, []);

        const { orders, fills } = await ledger.runOrders(runId);
        expect(orders).toEqual([
          // PENDING: nothing executed, no exchange id, price, time or reason.
          { id: sellId, ...sell, ...unfilledOutcome('PENDING', null, null) },
          { id: buyId, ...buy, ...buyOutcome },
          { id: rejId, ...rejected, ...rejOutcome },
        ]);
        expect(fills).toEqual(
          buyFills.map((f) => ({ ...f, orderId: buyId, clientOrderId: 'mr-test-buy-1' })),
        );

        // Postgres stores the very digits (no float anywhere on the way).
        const raw = await sql<{ q: string; p: string; c: string }>`
          select quantity::text as q, price::text as p, commission::text as c
          from fills where order_id = ${buyId} order by id`.execute(ledger.db);
        expect(raw.rows).toEqual([
          { q: '2016.123456789012345678', p: '61234.56789012', c: '0.00000001' },
          { q: '0.00000001', p: '99999999999999999999.99999999', c: '0' },
        ]);
      });

      it('recordCompletedOrders writes orders, outcomes and fills in one transaction, in order', async () => {
        // Its own account and run: the views test counts the orders of 'paper-orders'.
        const batchAccount = (await replayAccount(ledger, 'paper-batch', '100')).id;
        const batchRunId = (await ledger.startRun(newRun(batchAccount))).id;
        const outcome = {
          status: 'FILLED',
          exchangeOrderId: '77',
          executedQty: '0.5',
          cummulativeQuoteQty: '50.00000001',
          avgPrice: '100.00000002',
          slippageBps: 0,
          rejectCode: null,
          rejectReason: null,
          rejectMessage: null,
          transactTime: DAY_MS,
          latencyMs: null,
        };
        const fill = {
          tradeId: 't1',
          symbol: 'BTCUSDT',
          side: 'BUY' as const,
          price: '100.00000002',
          quantity: '0.5',
          quoteQuantity: '50.00000001',
          commission: '0.0005',
          commissionAsset: 'BTC',
          commissionQuote: '0.05000000001',
          filledAt: DAY_MS,
        };
        const ids = await ledger.recordCompletedOrders([
          { order: newOrder(batchRunId, batchAccount, 'mr-batch-1'), outcome, fills: [fill] },
          {
            order: newOrder(batchRunId, batchAccount, 'mr-batch-2'),
            outcome: {
              ...unfilledOutcome('REJECTED', 'min_notional', 'Filter failure: NOTIONAL'),
              rejectCode: -1013,
            },
            fills: [],
          },
        ]);
        expect(ids).toHaveLength(2);
        const { orders, fills } = await ledger.runOrders(batchRunId);
        const mine = orders.filter((o) => o.clientOrderId.startsWith('mr-batch-'));
        expect(mine.map((o) => [o.id, o.status, o.rejectCode, o.cummulativeQuoteQty])).toEqual([
          [ids[0], 'FILLED', null, '50.00000001'],
          [ids[1], 'REJECTED', -1013, '0'],
        ]);
        expect(fills.filter((f) => f.orderId === ids[0]).map((f) => f.commissionQuote)).toEqual([
          '0.05000000001',
        ]);
        // A duplicate clientOrderId anywhere in a batch writes nothing of it.
        await expect(
          ledger.recordCompletedOrders([
            {
              order: newOrder(batchRunId, batchAccount, 'mr-batch-3'),
              outcome,
              fills: [{ ...fill, tradeId: 't3' }],
            },
            { order: newOrder(batchRunId, batchAccount, 'mr-batch-1'), outcome, fills: [] },
          ]),
        ).rejects.toThrow(/duplicate key|orders_client_order_id_key/);
        const after = await ledger.runOrders(batchRunId);
        expect(after.orders.some((o) => o.clientOrderId === 'mr-batch-3')).toBe(false);
        expect(after.fills.some((f) => f.tradeId === 't3')).toBe(false);
      });

      it('a duplicate clientOrderId is rejected by the database', async () => {
        await ledger.recordOrder(newOrder(runId, accountId, 'mr-test-dup'));
        await expect(ledger.recordOrder(newOrder(runId, accountId, 'mr-test-dup'))).rejects.toThrow(
          /duplicate key|orders_client_order_id_key/,
        );
      });

      it('completeOrder is one transaction: a bad fill leaves the order PENDING without fills', async () => {
        const id = await ledger.recordOrder(newOrder(runId, accountId, 'mr-test-atomic'));
        const good: FillRow = {
          tradeId: '1',
          symbol: 'BTCUSDT',
          side: 'BUY',
          price: '1',
          quantity: '1',
          quoteQuantity: '1',
          commission: '0',
          commissionAsset: 'BTC',
          commissionQuote: '0',
          filledAt: DAY_MS,
        };
        const outcome: OrderOutcomeRow = {
          status: 'FILLED',
          exchangeOrderId: '1',
          executedQty: '2',
          cummulativeQuoteQty: '2',
          avgPrice: '1',
          slippageBps: 0,
          rejectCode: null,
          rejectReason: null,
          rejectMessage: null,
          transactTime: DAY_MS,
          latencyMs: 1,
        };
        // The second fill violates `quantity >= 0`.
        await expect(
          ledger.completeOrder(id, outcome, [good, { ...good, tradeId: '2', quantity: '-1' }]),
        ).rejects.toThrow();
        const { orders, fills } = await ledger.runOrders(runId);
        expect(orders.find((o) => o.id === id)?.status).toBe('PENDING');
        expect(fills.filter((f) => f.orderId === id)).toEqual([]);
        await expect(ledger.completeOrder('999999999', outcome, [])).rejects.toThrow(/not in the ledger/);
      });

      it('numeric is exact: 0.1 + 0.2 summed in SQL is 0.3', async () => {
        const id = await ledger.recordOrder(newOrder(runId, accountId, 'mr-test-sum', { symbol: 'XRPUSDT' }));
        const fill = (tradeId: string, commissionQuote: string): FillRow => ({
          tradeId,
          symbol: 'XRPUSDT',
          side: 'BUY',
          price: '0.5',
          quantity: '2',
          quoteQuantity: '1',
          commission: '0.002',
          commissionAsset: 'XRP',
          commissionQuote,
          filledAt: DAY_MS,
        });
        await ledger.completeOrder(
          id,
          {
            status: 'FILLED',
            exchangeOrderId: '77',
            executedQty: '4',
            cummulativeQuoteQty: '2',
            avgPrice: '0.5',
            slippageBps: 0,
            rejectCode: null,
            rejectReason: null,
            rejectMessage: null,
            transactTime: DAY_MS,
            latencyMs: 0,
          },
          [fill('a', '0.1'), fill('b', '0.2')],
        );
        const { rows } = await sql<{ s: string; t: string }>`
          select sum(commission_quote) as s, (sum(commission_quote) = 0.3)::text as t
          from fills where order_id = ${id}`.execute(ledger.db);
        expect(rows).toEqual([{ s: '0.3', t: 'true' }]);
        expect(0.1 + 0.2).not.toBe(0.3); // what a float would have given
      });
    });

    describe('state, equity and views', () => {
      // A hand-made account history (average cost, fees in quote at the fill price), initial 10000 USDT:
      //  ETH: BUY 2 for 3000 USDT @ 1500, commission 0.002 ETH (= 3 USDT) → qty 1.998, cost 3000.
      //       SELL 1.998 @ 1600 = 3196.8, commission 3.1968 USDT → realized 3196.8 − 3.1968 − 3000 = 193.6032;
      //       closed (qty 0, cost 0), fees 3 + 3.1968 = 6.1968.
      //  BTC: BUY 0.2 for 5000 USDT @ 25000, commission 0.0002 BTC (= 5 USDT) → qty 0.1998, cost 5000, fees 5.
      //       Marked at 26000.12345678: value 0.1998 × 26000.12345678 = 5194.824666664644,
      //       unrealized 194.824666664644.
      //  Cash: 10000 − 3000 + 3196.8 − 3.1968 − 5000 = 5193.6032.
      //  Equity 5193.6032 + 5194.824666664644 = 10388.427866664644; −10000 = 388.427866664644
      //  = realized 193.6032 + unrealized 194.824666664644.
      const cash = dec('10000').minus('3000').plus('3196.8').minus('3.1968').minus('5000');
      const btcValue = dec('0.1998').times('26000.12345678');
      // The positions as the ledger keeps them (the marks are per snapshot): BTC open, ETH closed.
      const btcPosition = {
        asset: 'BTC',
        symbol: 'BTCUSDT',
        quantity: '0.1998',
        costBasis: '5000',
        realizedPnl: '0',
        feesQuote: '5',
      };
      const ethPosition = {
        asset: 'ETH',
        symbol: 'ETHUSDT',
        quantity: '0',
        costBasis: '0',
        realizedPnl: '193.6032',
        feesQuote: '6.1968',
      };
      const state: AccountState = {
        balances: [
          { asset: 'USDT', free: decStr(cash), locked: '0' },
          { asset: 'BTC', free: '0.1998', locked: '0' },
        ],
        positions: [
          {
            ...btcPosition,
            markPrice: '26000.12345678',
            marketValue: decStr(btcValue),
            unrealizedPnl: decStr(btcValue.minus('5000')),
          },
          {
            ...ethPosition,
            markPrice: '1650.5',
            marketValue: '0',
            unrealizedPnl: '0',
          },
        ],
        adjustments: [
          {
            asset: 'BTC',
            symbol: 'BTCUSDT',
            kind: 'segment_split',
            quantityBefore: '0.1998',
            quantityAfter: '0.1998',
            ratio: '1',
            note: 'test',
          },
        ],
        equity: {
          day: DAY,
          markedAt: DAY_MS,
          priceBasis: 'open',
          cash: decStr(cash),
          positionsValue: decStr(btcValue),
          equity: decStr(cash.plus(btcValue)),
          realizedPnl: '193.6032',
          unrealizedPnl: decStr(btcValue.minus('5000')),
          feesQuote: '11.1968',
        },
      };
      let accountId: string;
      let runId: string;

      beforeAll(async () => {
        accountId = (await replayAccount(ledger, 'paper-state', '10000.00')).id;
        runId = (await ledger.startRun(newRun(accountId))).id;
      });

      it('the hand-computed figures are what the comment says', () => {
        expect([decStr(cash), decStr(btcValue), state.equity.equity]).toEqual([
          '5193.6032',
          '5194.824666664644',
          '10388.427866664644',
        ]);
      });

      it('a fresh account loads as its initial quote balance only', async () => {
        expect(await ledger.loadState(accountId)).toEqual({
          balances: [{ asset: 'USDT', free: '10000', locked: '0' }],
          positions: [],
        });
      });

      it('saveState / loadState round trip (a closed position keeps its realized P/L)', async () => {
        await ledger.saveState(runId, accountId, state);
        const loaded = await ledger.loadState(accountId);
        expect(loaded.balances).toEqual([
          { asset: 'BTC', free: '0.1998', locked: '0' },
          { asset: 'USDT', free: '5193.6032', locked: '0' },
        ]);
        expect(loaded.positions).toEqual([btcPosition, ethPosition]);
        // Saving the same run again replaces its snapshots (no duplicates).
        await ledger.saveState(runId, accountId, state);
        const { rows } = await sql<{ n: string }>`
          select (select count(*) from balance_snapshots where run_id = ${runId})
               + (select count(*) from position_snapshots where run_id = ${runId})
               + (select count(*) from equity_snapshots where run_id = ${runId})
               + (select count(*) from holding_adjustments where run_id = ${runId}) as n`.execute(ledger.db);
        expect(rows[0]?.n).toBe('6');
      });

      it('the accounting identity holds in SQL on the saved snapshots', async () => {
        const { rows } = await sql<{
          total: string;
          pnl: string;
          identity: boolean;
          positions_sum: boolean;
          equity_sum: boolean;
          unrealized_ok: boolean;
        }>`
          select e.equity - a.initial_quote as total,
                 e.realized_pnl + e.unrealized_pnl as pnl,
                 e.equity - a.initial_quote = e.realized_pnl + e.unrealized_pnl as identity,
                 e.equity = e.cash + e.positions_value as equity_sum,
                 (select sum(p.realized_pnl) = e.realized_pnl and sum(p.unrealized_pnl) = e.unrealized_pnl
                         and sum(p.market_value) = e.positions_value
                    from position_snapshots p where p.run_id = e.run_id) as positions_sum,
                 (select bool_and(p.unrealized_pnl = p.quantity * p.mark_price - p.cost_basis)
                    from position_snapshots p where p.run_id = e.run_id) as unrealized_ok
          from equity_snapshots e join accounts a on a.id = e.account_id
          where e.run_id = ${runId}`.execute(ledger.db);
        expect(rows).toEqual([
          {
            total: '388.427866664644',
            pnl: '388.427866664644',
            identity: true,
            equity_sum: true,
            positions_sum: true,
            unrealized_ok: true,
          },
        ]);
      });

      it('a later run’s state becomes the current state', async () => {
        const run2 = (await ledger.startRun(newRun(accountId, { period: '2024-03-02' }))).id;
        const sold: AccountState = {
          ...state,
          balances: [{ asset: 'USDT', free: '10388.427866664644', locked: '0' }],
          positions: state.positions.map((p) => ({
            ...p,
            quantity: '0',
            costBasis: '0',
            marketValue: '0',
            unrealizedPnl: '0',
            realizedPnl: p.asset === 'BTC' ? '194.824666664644' : p.realizedPnl,
          })),
          adjustments: [],
          equity: {
            ...state.equity,
            day: '2024-03-02',
            markedAt: DAY_MS + 86_400_000,
            cash: '10388.427866664644',
            positionsValue: '0',
            equity: '10388.427866664644',
            realizedPnl: '388.427866664644',
            unrealizedPnl: '0',
          },
        };
        await ledger.saveState(run2, accountId, sold);
        const loaded = await ledger.loadState(accountId);
        expect(loaded.balances).toEqual([{ asset: 'USDT', free: '10388.427866664644', locked: '0' }]);
        expect(loaded.positions.map((p) => [p.asset, p.quantity, p.realizedPnl])).toEqual([
          ['BTC', '0', '194.824666664644'],
          ['ETH', '0', '193.6032'],
        ]);
        const other = (await replayAccount(ledger, 'paper-other', '1')).id;
        await expect(ledger.saveState(run2, other, sold)).rejects.toThrow(/belongs to account/);
      });

      it('the Metabase views return rows', async () => {
        const rowsOf = (view: string, key: string, numerics: string[]) =>
          viewRows(ledger, view, accountId, key, numerics);
        const daily = await rowsOf('daily_equity', 'day', ['equity', 'total_pnl', 'identity_gap']);
        expect(daily).toEqual([
          ['2024-03-01', '10388.427866664644', '388.427866664644', '0'],
          ['2024-03-02', '10388.427866664644', '388.427866664644', '0'],
        ]);
        const pnl = await rowsOf('pnl_by_asset', 'asset', ['quantity', 'realized_pnl', 'total_pnl']);
        expect(pnl).toEqual([
          ['BTC', '0', '194.824666664644', '194.824666664644'],
          ['ETH', '0', '193.6032', '193.6032'],
        ]);
        const orders = await ledger.db
          .selectFrom('accounts')
          .select('id')
          .where('name', '=', 'paper-orders')
          .executeTakeFirstOrThrow();
        const overview = await sql<{
          orders: string;
          filled_orders: string;
          rejected_orders: string;
          pending_orders: string;
          fills: string;
          fees_quote: string;
        }>`select orders, filled_orders, rejected_orders, pending_orders, fills, fees_quote
           from run_overview where account_id = ${orders.id}`.execute(ledger.db);
        // paper-orders: sell (pending), buy (filled, 2 fills), rejected, dup (pending), atomic (pending),
        // sum (filled, 2 fills); fees 0.0006123456789012 + 0 + 0.1 + 0.2.
        expect(overview.rows.map((r) => ({ ...r, fees_quote: decStr(r.fees_quote) }))).toEqual([
          {
            orders: '6',
            filled_orders: '2',
            rejected_orders: '1',
            pending_orders: '3',
            fills: '4',
            fees_quote: '0.3006123456789012',
          },
        ]);
        const withEquity = await sql<{ equity: string }>`
          select equity from run_overview where run_id = ${runId}`.execute(ledger.db);
        expect(decStr(withEquity.rows[0]?.equity ?? 'NaN')).toBe('10388.427866664644');
      });

      it('concurrent calls are serialised safely (transactions never interleave)', async () => {
        const results = await Promise.all([
          ledger.saveState(runId, accountId, state),
          ledger.loadState(accountId),
          ledger.countRuns(accountId, 'rebalance', DAY),
          ledger.saveState(runId, accountId, state),
          ledger.loadState(accountId),
        ]);
        expect(results[2]).toBe(1);
        for (const loaded of [results[1], results[4]]) {
          expect(['USDT', 'BTC,USDT']).toContain(loaded?.balances.map((b) => b.asset).join(','));
        }
      });
    });
  });
});

describe('PGlite on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledger-pglite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a missing data directory, and the data survives a reopen', async () => {
    const dataDir = join(dir, 'nested', 'pglite');
    const first = await openLedger({ dataDir, migrate: true });
    const acct = await first.ensureAccount({
      name: 'disk',
      exchangeKind: 'replay',
      quoteAsset: 'USDT',
      initialQuote: '42.5',
    });
    await first.close();
    const second = await openLedger({ dataDir, migrate: true });
    try {
      expect(
        await second.ensureAccount({
          name: 'disk',
          exchangeKind: 'replay',
          quoteAsset: 'USDT',
          initialQuote: '1',
        }),
      ).toEqual(acct);
      expect((await second.migrateWithReport()).applied).toEqual([]);
    } finally {
      await second.close();
    }
  });
});

describe('connection errors', () => {
  it('an unreachable server fails fast with LedgerConnectionError naming host:port, password redacted', async () => {
    const port = await closedPort();
    const url = `postgres://ledger_user:s3cret-Pa55@127.0.0.1:${port}/ledgerdb`;
    const started = Date.now();
    const err = await openLedger({ url }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(err).toBeInstanceOf(LedgerConnectionError);
    const e = err as LedgerConnectionError;
    expect(e.name).toBe('LedgerConnectionError');
    expect(e.message).toBe(
      `cannot connect to Postgres at postgres://ledger_user:***@127.0.0.1:${port}/ledgerdb: ECONNREFUSED`,
    );
    expect(e.code).toBe('ECONNREFUSED');
    expect(`${e.message} ${e.target} ${String(e.stack)}`).not.toContain('s3cret');
  });

  it('redactUrl hides passwords and shows host:port/database', () => {
    expect(redactUrl('postgres://u:p%40ss@db.example:6543/ledger?sslmode=require')).toBe(
      'postgres://u:***@db.example:6543/ledger',
    );
    expect(redactUrl('postgresql://u@localhost/ledger')).toBe('postgresql://u@localhost:5432/ledger');
    expect(redactUrl('host=db password=hunter2 dbname=x')).toBe('host=db password=*** dbname=x');
  });
});

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
