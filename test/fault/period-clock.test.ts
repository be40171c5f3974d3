/**
 * "No period is traded twice in one UTC day" (issue 14 item 4), through binance-api-node → HTTP → the
 * emulator (its `setClock` test control moves the exchange's clock), the use case as the CLI composes it,
 * and a PGlite ledger.
 *
 * Reproduces what the probe saw: a clock 30 s behind near 00:00 UTC traded the previous day's period, and
 * the next run traded again the same day. And the case the kernel's start-of-run checks cannot see: a run
 * that read the exchange's day (period D) at 23:59:58 and would send its orders after 00:00 of D+1 —
 * period D traded on day D+1, then the D+1 run trades a second period that day. Expected, by the rule
 * itself: the orders executed on the emulator on any one UTC day (its clock) belong to one period.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import type { RebalanceResult } from '../../src/app/rebalance.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { openAdapters } from '../../src/compose/rebalance.ts';
import { BUNDLED_DATA_DIR } from '../../src/compose/settings.ts';
import { msToDay } from '../../src/domain/time.ts';
import { signed } from '../emulator/support.ts';
import { useEmulator } from '../support/emulator.ts';
import { useFaultProxy } from '../support/fault-proxy.ts';
import { PGLITE, useLedgerScratch } from '../support/ledger-scratch.ts';
import { rebalanceAsCli } from '../support/rebalance-as-cli.ts';

const logger = createLogger('silent', 'json');
const KEY = 'period-clock-key';
const SECRET = 'period-clock-secret-0123456789';
const CREDS = { apiKey: KEY, secret: SECRET };

describe('no period is traded twice in one UTC day of the exchange clock (14.4)', () => {
  // The PGlite ledger in the suite's temp directory (`<dir>/pglite`).
  const { configFor } = useLedgerScratch(PGLITE, 'period-clock-', 'period_clock');
  const emu = useEmulator(async () => ({
    dataset: await loadDataset(BUNDLED_DATA_DIR),
    asOf: '2021-02-28',
    accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: '10000' }, takerCommission: '0.001' }],
  }));
  const proxy = useFaultProxy(() => emu().baseUrl);
  /** clientOrderId → the period of the run that placed it. */
  const periodOf = new Map<string, string>();

  /** One rebalance as the CLI composes it; `localSkewMs`: the local clock minus the exchange's. */
  const run = async (localSkewMs: number): Promise<RebalanceResult> => {
    const loaded = configFor({
      exchange: { kind: 'testnet', base_url: proxy().baseUrl },
      paper: { account: 'period-clock' },
      universe: { include: 'BTCUSDT,ETHUSDT,BNBUSDT' },
      strategy: { top_n: '2' },
    });
    const adapters = await openAdapters(loaded.config, logger, {
      credentials: { apiKey: KEY, apiSecret: SECRET, privateKeyPath: null },
      clock: { now: () => emu().now() + localSkewMs },
    });
    try {
      const result = await rebalanceAsCli(adapters.deps, loaded);
      for (const o of result.orders) periodOf.set(o.client_order_id, result.run.period);
      return result;
    } finally {
      await adapters.close();
    }
  };
  const orderPosts = () => proxy().seen.filter((s) => s === 'POST /api/v3/order').length;

  /** Exchange UTC day → the periods whose orders executed on it (from the emulator's allOrders). */
  const periodsByExchangeDay = async () => {
    const byDay = new Map<string, Set<string>>();
    for (const symbol of ['BTCUSDT', 'ETHUSDT', 'BNBUSDT']) {
      const r = await signed(emu().baseUrl, () => emu().now(), CREDS, 'GET', '/api/v3/allOrders', { symbol });
      expect(r.status).toBe(200);
      for (const o of r.body as { clientOrderId: string; executedQty: string; updateTime: number }[]) {
        if (Number(o.executedQty) === 0) continue;
        const day = msToDay(o.updateTime);
        const set = byDay.get(day) ?? new Set<string>();
        set.add(periodOf.get(o.clientOrderId) ?? `unknown ${o.clientOrderId}`);
        byDay.set(day, set);
      }
    }
    return byDay;
  };

  it('23:59:30 of D trades D; at 00:00:10 of D+1 a local clock 30 s behind is refused, one in agreement trades D+1; a run that read its day at 23:59:50 but would send after 00:00 sends nothing', async () => {
    // Warm-up (the ledger created and migrated, the klines cached) so that the runs below take seconds:
    // period 2021-02-27, traded on its own day.
    emu().control({ setClock: '2021-02-27T12:00:00Z' });
    expect((await run(0)).run.period).toBe('2021-02-27');

    // D = 2021-02-28 at 23:59:30 exchange time, clocks in agreement: period D, traded on day D.
    emu().control({ setClock: '2021-02-28T23:59:30Z' });
    const d = await run(0);
    expect(d.run.period).toBe('2021-02-28');
    expect(d.run.status).toBe('completed');
    expect(d.orders.length).toBeGreaterThan(0);

    // 00:00:10 of D+1, the local clock 30 s behind (it still says D): refused, nothing sent.
    emu().control({ setClock: '2021-03-01T00:00:10Z' });
    const posts = orderPosts();
    const behind = await run(-30_000);
    expect(behind.run.status).toBe('refused');
    expect(behind.run.guard).toBe('clock');
    expect(orderPosts()).toBe(posts);

    // Same moment, clocks in agreement: D+1 is a new period — traded, on day D+1.
    const next = await run(0);
    expect(next.run.period).toBe('2021-03-01');
    expect(next.run.status).toBe('completed');

    // 2021-03-02 at 23:59:50: the run reads the exchange's day (period 2021-03-02), and its balances
    // request is answered only once the exchange's clock is past 00:00 of 2021-03-03, so its orders
    // would go out on 2021-03-03 (period D traded on day D+1): they must not be sent.
    emu().control({ setClock: '2021-03-02T23:59:50Z' });
    const midnight = Date.parse('2021-03-03T00:00:00Z');
    proxy().setRule((method, p) =>
      method === 'GET' && p === '/api/v3/account'
        ? { delayMs: Math.max(0, midnight - emu().now()) + 1_000 }
        : null,
    );
    const postsLate = orderPosts();
    const late = await run(0).catch((e: unknown) => e as Error);
    proxy().setRule(null);
    expect(late).toBeInstanceOf(Error);
    expect((late as Error).name).toBe('PeriodEndedError');
    expect((late as Error).message).toMatch(
      /^period 2021-03-02: the exchange's clock is now 2021-03-03T00:00:\d\d\.\d{3}Z \(UTC day 2021-03-03\); the orders of 2021-03-02 were not sent/,
    );
    expect(orderPosts()).toBe(postsLate);

    // The next run trades 2021-03-03, the only period traded that day.
    const d3 = await run(0);
    expect(d3.run.period).toBe('2021-03-03');
    expect(d3.run.status).toBe('completed');

    // Every exchange day carries the orders of one period, its own.
    const byDay = await periodsByExchangeDay();
    expect([...byDay.keys()].length).toBeGreaterThan(0);
    for (const [day, periods] of byDay) expect([...periods]).toEqual([day]);
  }, 300_000);
});
