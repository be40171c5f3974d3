import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import { type RebalanceResult, RUN_LEASE_MS, runRebalance } from '../../src/app/rebalance.ts';
import { exitCodeOfResult } from '../../src/cli/exit-codes.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { formatReport } from '../../src/cli/report.ts';
import { type Adapters, openAdapters } from '../../src/compose/rebalance.ts';
import { settingsFrom } from '../../src/compose/settings.ts';
import type { Overrides } from '../../src/config/loader.ts';
import { dec, decStr } from '../../src/domain/decimal.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { BTC_FIRST_BUY } from '../support/btc-first-buy.ts';
import { freeBalances } from '../support/free-balances.ts';
import { LEDGER_BACKENDS, useLedgerScratch } from '../support/ledger-scratch.ts';
import { rebalanceAsCli } from '../support/rebalance-as-cli.ts';

const logger = createLogger('silent', 'json');
/** The top 1 of `universe`, booked in the account `account`. */
const top1 = (account: string, universe: Overrides['universe']): Overrides => ({
  paper: { account },
  universe,
  strategy: { top_n: '1' },
});

describe.each(LEDGER_BACKENDS)('rebalance end-to-end on $name', (backend) => {
  const { skip } = backend;
  const scratch = useLedgerScratch(backend, 'e2e-rebalance-', 'e2e_rebalance');
  const { configFor } = scratch;
  let adapters: Adapters;

  beforeAll(async () => {
    if (skip) return;
    adapters = await openAdapters(configFor({}).config, logger);
  });
  afterAll(async () => {
    if (skip) return;
    await adapters?.close();
  });

  const run = async (
    overrides: Overrides,
    opts: { asOf?: string; dryRun?: boolean; force?: boolean } = {},
  ) => {
    const loaded = configFor(overrides);
    return rebalanceAsCli(adapters.deps, loaded, opts); // the CLI parses --as-of at the edge
  };
  const db = () => (adapters.ledger as PostgresLedger).db;

  it.skipIf(skip)(
    'BTC only, 2021-01-01 then 2021-01-02 (full mode): fills, fees, balances and P/L by hand',
    async () => {
      const btcOnly = top1('btc-only', { include: 'BTCUSDT' });
      // Day 1. BTCUSDT open 2021-01-01 = 28923.63 (klines-1d/BTCUSDT.csv); step 0.00001 (LOT_SIZE, since
      // MARKET_LOT_SIZE.stepSize is 0 in the 2023-09-08 exchangeInfo). Hand computation (§7, §8 full):
      //   Q = round_down_8(10000 / 1) = 10000; q = floor_step(10000 / 28923.63) = 0.34573
      //   q × p = 0.34573 × 28923.63 = 9999.7665999; cash left 10000 − 9999.7665999 = 0.2334001
      //   commission = 0.34573 × 0.001 = 0.00034573 BTC → BTC 0.34538427; valued 0.00034573 × 28923.63 = 9.9997665999
      //   equity at the open = 0.2334001 + 0.34538427 × 28923.63 = 9990.0002334001 → P/L −9.9997665999 (all unrealized)
      const r1 = await run(btcOnly, { asOf: '2021-01-01' });
      expect(r1.run.status).toBe('completed');
      expect(r1.ranking.filter((x) => x.selected).map((x) => x.symbol)).toEqual(['BTCUSDT']);
      expect(r1.fills).toEqual([
        expect.objectContaining({
          ...BTC_FIRST_BUY,
          commission: '0.00034573',
          commission_asset: 'BTC',
          commission_quote: '9.9997665999',
        }),
      ]);
      expect(r1.balances).toEqual(freeBalances({ BTC: '0.34538427', USDT: '0.2334001' }));
      expect(r1.equity?.equity).toBe('9990.0002334001');
      expect(r1.pnl).toMatchObject({
        realized: '0',
        unrealized: '-9.9997665999',
        total: '-9.9997665999',
        fees: '9.9997665999',
      });

      // Same period again: nothing placed, says so.
      const again = await run(btcOnly, { asOf: '2021-01-01' });
      expect(again.run.status).toBe('skipped');
      expect(again.run.exit_reason).toBe('already_rebalanced');
      expect(again.orders).toEqual([]);

      // Day 2, open 29331.7. SELL floor_step(0.34538427) = 0.34538 (dust 0.00000427 BTC stays):
      //   proceeds 0.34538 × 29331.7 = 10130.582546, commission 10.130582546 USDT
      //   cash = 0.2334001 + 10130.582546 − 10.130582546 = 10120.685363554
      //   BUY Q = round_down_8(10120.685363554) = 10120.68536355; q = floor_step(Q / 29331.7) = 0.34504
      //   q × p = 10120.609768; cash left 0.075595554; BTC = 0.00000427 + 0.34504 − 0.00034504 = 0.34469923
      // (checked with Python's decimal module at 60 digits)
      const r2 = await run(btcOnly, { asOf: '2021-01-02' });
      expect(
        r2.fills.map((f) => [
          f.side,
          f.quantity,
          f.price,
          f.quote_quantity,
          f.commission,
          f.commission_asset,
        ]),
      ).toEqual([
        ['SELL', '0.34538', '29331.7', '10130.582546', '10.130582546', 'USDT'],
        ['BUY', '0.34504', '29331.7', '10120.609768', '0.00034504', 'BTC'],
      ]);
      expect(r2.balances).toEqual(freeBalances({ BTC: '0.34469923', USDT: '0.075595554' }));
      // Realized on the sell: 10130.582546 − 10.130582546 − 9999.7665999 × 0.34538 / 0.34538427
      const removed = dec('9999.7665999').times('0.34538').div('0.34538427').toDecimalPlaces(18);
      const realized = dec('10130.582546').minus('10.130582546').minus(removed);
      expect(r2.pnl?.realized).toBe(decStr(realized));
      // Identity: equity − 10000 = realized + unrealized
      expect(decStr(dec(r2.equity?.equity as string).minus(10000))).toBe(
        decStr(dec(r2.pnl?.realized as string).plus(r2.pnl?.unrealized as string)),
      );
    },
  );

  it.skipIf(skip)(
    'a holding across the COCOS x1000 redenomination is converted at the value-preserving ratio (§2)',
    async () => {
      const cocos = top1('cocos', { include: 'COCOSUSDT', min_age_days: '0' });
      const r1 = await run(cocos, { asOf: '2021-01-15' });
      const before = r1.balances.find((b) => b.asset === 'COCOS')?.free as string;
      expect(dec(before).gt(0)).toBe(true);
      // 2021-01-23 is the first day of the new segment: close_before 0.000695, open_after 0.695 (COCOSUSDT.csv).
      // h := round_down_8(h × 0.000695 / 0.695) = round_down_8(h / 1000); then the full-mode SELL of it
      // (COCOS is not eligible on 01-23: no candle on 01-22; the empty universe is allowed here, 9.3).
      const r2 = await run(
        { ...cocos, universe: { ...cocos.universe, allow_empty: 'true' } },
        { asOf: '2021-01-23' },
      );
      const after = dec(before).times('0.000695').div('0.695').toDecimalPlaces(8, 1);
      expect(r2.adjustments).toEqual([
        {
          asset: 'COCOS',
          kind: 'segment_split',
          quantity_before: before,
          quantity_after: decStr(after),
          ratio: '0.001',
        },
      ]);
      const sell = r2.orders.find((o) => o.symbol === 'COCOSUSDT' && o.side === 'SELL');
      expect(sell?.quantity).toBe(decStr(after.toDecimalPlaces(0, 1))); // LOT_SIZE stepSize 1.00000000 (2023-09-08 snapshot)
      expect(r2.ranking).toEqual([]);
      expect(decStr(dec(r2.equity?.equity as string).minus(10000))).toBe(
        decStr(dec(r2.pnl?.realized as string).plus(r2.pnl?.unrealized as string)),
      );
    },
  );

  it.skipIf(skip)(
    'default universe at the latest bundled day: top 10, ledger agrees with the result, identity holds in SQL',
    async () => {
      const r = await run({ paper: { account: 'default-e2e' } });
      expect(r.run.period).toBe('2026-01-01');
      const selected = r.ranking.filter((x) => x.selected);
      expect(selected.length).toBe(10);
      // Momentum: trailing returns descending.
      for (let i = 1; i < selected.length; i++) {
        expect(selected[i - 1]?.trailing_return).toBeGreaterThanOrEqual(
          selected[i]?.trailing_return as number,
        );
      }
      expect(Object.keys(r.excluded.by_reason).length).toBeGreaterThan(0);
      const buys = r.orders.filter((o) => o.side === 'BUY');
      expect(buys.length).toBe(10);
      // Every BUY spent at most Q = round_down_8(10000 / 10) = 1000 and the commission is q × 0.001 in base.
      for (const f of r.fills) {
        expect(dec(f.quote_quantity).lte(1000)).toBe(true);
        expect(f.commission).toBe(decStr(dec(f.quantity).times('0.001')));
        expect(f.quote_quantity).toBe(decStr(dec(f.quantity).times(f.price)));
      }
      // Cash = 10000 − Σ q × p
      const spent = r.fills.reduce((a, f) => a.plus(f.quote_quantity), dec(0));
      expect(r.balances.find((b) => b.asset === 'USDT')?.free).toBe(decStr(dec(10000).minus(spent)));

      // The ledger holds the same orders and fills, exactly.
      const runId = r.run.id as string;
      const fills = await sql<{ quantity: string; price: string; commission: string }>`
      select f.quantity::text as quantity, f.price::text as price, f.commission::text as commission
      from fills f where f.run_id = ${runId} order by f.id`.execute(db());
      expect(fills.rows.map((x) => [decStr(x.quantity), decStr(x.price), decStr(x.commission)])).toEqual(
        r.fills.map((f) => [f.quantity, f.price, f.commission]),
      );
      const decisions = await sql<{
        n: string;
      }>`select count(*)::text as n from universe_decisions where run_id = ${runId}`.execute(db());
      expect(Number(decisions.rows[0]?.n)).toBe(r.ranking.length + r.excluded.symbols.length);
      // Accounting identity in SQL on the saved equity snapshot: equity − initial = realized + unrealized.
      const id = await sql<{ ok: boolean; lhs: string }>`
      select (e.equity - a.initial_quote) = (e.realized_pnl + e.unrealized_pnl) as ok, (e.equity - a.initial_quote)::text as lhs
      from equity_snapshots e join runs r on r.id = e.run_id join accounts a on a.id = r.account_id
      where e.run_id = ${runId}`.execute(db());
      expect(id.rows[0]?.ok).toBe(true);
      expect(decStr(id.rows[0]?.lhs as string)).toBe(r.pnl?.total);
      // Position snapshots sum to the run's P/L.
      const pos = await sql<{ u: string; v: string }>`
      select sum(unrealized_pnl)::text as u, sum(market_value)::text as v from position_snapshots where run_id = ${runId}`.execute(
        db(),
      );
      expect(decStr(pos.rows[0]?.u as string)).toBe(r.pnl?.unrealized);
      expect(decStr(pos.rows[0]?.v as string)).toBe(r.equity?.positions_value);
    },
  );

  it.skipIf(skip)(
    'delta mode over consecutive days keeps the identity and trades less than full mode',
    async () => {
      const results: RebalanceResult[] = [];
      for (const day of ['2021-03-01', '2021-03-02', '2021-03-03']) {
        results.push(
          await run(
            { paper: { account: 'delta-e2e' }, portfolio: { rebalance_mode: 'delta' } },
            { asOf: day },
          ),
        );
      }
      const full: RebalanceResult[] = [];
      for (const day of ['2021-03-01', '2021-03-02', '2021-03-03']) {
        full.push(await run({ paper: { account: 'full-e2e' } }, { asOf: day }));
      }
      const notional = (rs: RebalanceResult[]) =>
        rs
          .slice(1)
          .flatMap((r) => r.fills)
          .reduce((a, f) => a.plus(f.quote_quantity), dec(0));
      expect(notional(results).lt(notional(full))).toBe(true);
      for (const r of [...results, ...full]) {
        expect(decStr(dec(r.equity?.equity as string).minus(10000))).toBe(
          decStr(dec(r.pnl?.realized as string).plus(r.pnl?.unrealized as string)),
        );
      }
    },
  );

  it.skipIf(skip)('dry run writes nothing; a forced re-run uses new clientOrderIds', async () => {
    const count = async () =>
      Number((await sql<{ n: string }>`select count(*)::text as n from orders`.execute(db())).rows[0]?.n);
    const before = await count();
    const dry = await run({ paper: { account: 'dry-e2e' } }, { asOf: '2021-05-01', dryRun: true });
    expect(dry.run.status).toBe('dry_run');
    expect(dry.orders.length).toBeGreaterThan(0);
    expect(await count()).toBe(before);
    const first = await run({ paper: { account: 'dry-e2e' } }, { asOf: '2021-05-01' });
    const forced = await run({ paper: { account: 'dry-e2e' } }, { asOf: '2021-05-01', force: true });
    const ids1 = new Set(first.orders.map((o) => o.client_order_id));
    expect(forced.orders.every((o) => !ids1.has(o.client_order_id))).toBe(true);
    for (const o of [...first.orders, ...forced.orders])
      expect(o.client_order_id).toMatch(/^[a-zA-Z0-9-_]{1,36}$/);
  });

  it.skipIf(skip)(
    'an exchange failure mid-run: the run is recorded as failed with the reason, the order stays PENDING',
    async () => {
      const loaded = configFor({ paper: { account: 'fail-e2e' } });
      const failing = {
        ...adapters.deps,
        // A real exchange (orders recorded before they are sent) failing as a lost connection would.
        openExchange: async () => ({
          kind: 'testnet' as const,
          // It holds what the new book manages (else the pre-run reconciliation refuses, 14.3).
          balances: async () => [{ asset: 'USDT', free: '10000', locked: '0' }],
          placeMarketOrder: async () => {
            throw new Error('socket hang up');
          },
          queryOrder: async () => null,
        }),
      };
      await expect(
        runRebalance(failing, {
          settings: settingsFrom(loaded.config),
          dayMs: dayToMs('2021-07-01'),
          dryRun: false,
          force: false,
          effectiveConfig: {},
        }),
      ).rejects.toThrow(/socket hang up/);
      const rows = await sql<{ status: string; exit_reason: string; pending: string }>`
      select r.status, r.exit_reason, (select count(*)::text from orders o where o.run_id = r.id and o.status = 'PENDING') as pending
      from runs r join accounts a on a.id = r.account_id where a.name = 'fail-e2e'`.execute(db());
      // Up to 10 orders of a phase are in flight at once on a real exchange (ORDER_CONCURRENCY); each was
      // recorded PENDING before it was sent, and nothing new is sent after the first failure.
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0]).toMatchObject({ status: 'failed', exit_reason: 'socket hang up' });
      expect(Number(rows.rows[0]?.pending)).toBeGreaterThanOrEqual(1);
      expect(Number(rows.rows[0]?.pending)).toBeLessThanOrEqual(10);
    },
  );

  it.skipIf(skip)(
    'zero eligible symbols (9.3): refused before any order (exit 3) unless [universe] allow_empty = true',
    async () => {
      // Reproduces: an empty universe sold the whole basket into cash and said "completed". BTCUSDT is
      // the only symbol allowed and its cap (~$540B on 2021-01-01) is below a 1e15 USD floor.
      const cfg = top1('empty-e2e', { include: 'BTCUSDT', min_market_cap: '1e15' });
      const refused = await run(cfg, { asOf: '2021-01-01' });
      expect(refused.run.status).toBe('refused');
      expect(refused.run.guard).toBe('empty_universe');
      expect(refused.run.exit_reason).toMatch(/no eligible symbol on 2021-01-01 \(excluded: .*small_cap 1/);
      expect(refused.orders).toEqual([]);
      expect(exitCodeOfResult(refused)).toBe(3);
      const rows = await sql<{ status: string; orders: string }>`
        select r.status, (select count(*) from orders o where o.run_id = r.id)::text as orders
        from runs r join accounts a on a.id = r.account_id where a.name = 'empty-e2e' order by r.id`.execute(
        db(),
      );
      expect(rows.rows).toEqual([{ status: 'refused', orders: '0' }]);
      // Opted in: the run completes with no order (a fresh book is all cash already).
      const allowed = await run(
        { ...cfg, universe: { ...cfg.universe, allow_empty: 'true' } },
        { asOf: '2021-01-01' },
      );
      expect(allowed.run.status).toBe('completed');
      expect(exitCodeOfResult(allowed)).toBe(0);
    },
  );

  it.skipIf(skip)(
    'a run whose process died (still running, no sign of life for longer than the lease) is marked abandoned by the next run (14.1)',
    async () => {
      // Reproduces: killed runs stayed `running` forever. The dead run is what a kill -9 leaves: a
      // `running` row whose last heartbeat is older than RUN_LEASE_MS (60 s).
      const loaded = configFor({ paper: { account: 'dead-e2e' } });
      const account = await adapters.ledger.ensureAccount({
        name: 'dead-e2e',
        exchangeKind: 'replay',
        quoteAsset: 'USDT',
        initialQuote: '10000',
        venue: 'replay',
      });
      const dead = await adapters.ledger.startRun({
        accountId: account.id,
        kind: 'rebalance',
        period: '2021-07-01',
        rebalanceMode: 'full',
        strategyMode: 'momentum',
        dryRun: false,
        forced: false,
        config: {},
        decisionTime: Date.UTC(2021, 6, 1),
        startedAt: Date.now() - 2 * RUN_LEASE_MS,
      });
      const r = await runRebalance(adapters.deps, {
        settings: settingsFrom(loaded.config),
        dayMs: dayToMs('2021-07-01'),
        dryRun: false,
        force: false,
        effectiveConfig: {},
      });
      expect(r.run.status).toBe('completed');
      const rows = await sql<{ id: string; status: string; exit_reason: string | null }>`
        select r.id::text, r.status, r.exit_reason from runs r join accounts a on a.id = r.account_id
        where a.name = 'dead-e2e' order by r.id`.execute(db());
      expect(rows.rows.map((x) => [x.id === dead.id, x.status])).toEqual([
        [true, 'abandoned'],
        [false, 'completed'],
      ]);
      expect(rows.rows[0]?.exit_reason).toMatch(/^abandoned: no sign of life since /);
    },
  );

  it.skipIf(skip)(
    'a replay day past most of the data (9.3): "data ends before D" is counted apart from halted/delisted not_trading, and reported',
    async () => {
      // Reproduces: a day where most symbols are not_trading because the bundled series end (e.g. the
      // broad universe's source window) looked like a market where everything was delisted. symbols.csv
      // notes those ends ("klines-1d ends at the end of its source window; not a delisting"): at least
      // 29 series end on one day, well over the 20 the rule needs, while delistings end one by one.
      const r = await run(
        { paper: { account: 'ends-e2e' }, universe: { allow_empty: 'true' } },
        { asOf: '2025-12-01', dryRun: true },
      );
      const ends = r.excluded.data_ends;
      expect(ends?.symbols ?? 0).toBeGreaterThanOrEqual(100);
      expect(r.excluded.by_reason.data_ends).toBe(ends?.symbols);
      expect(r.excluded.by_reason.not_trading ?? 0).toBeLessThan(ends?.symbols ?? 0);
      expect(formatReport(r)).toMatch(/Data ends before 2025-12-01: \d+ symbol\(s\) \(their series end /);
    },
  );

  it.skipIf(skip)(
    'bad input: a day outside the data or an unknown include symbol fails before any ledger write',
    async () => {
      const count = async () =>
        Number((await sql<{ n: string }>`select count(*)::text as n from runs`.execute(db())).rows[0]?.n);
      const before = await count();
      await expect(run({ paper: { account: 'bad-e2e' } }, { asOf: '2030-01-01' })).rejects.toThrow(
        /outside the data/,
      );
      await expect(run({ paper: { account: 'bad-e2e' }, universe: { include: 'NOPEUSDT' } })).rejects.toThrow(
        /unknown symbol\(s\) NOPEUSDT/,
      );
      expect(await count()).toBe(before);
    },
  );
});
