/**
 * Issue 14, re-checked as its probe ran it: hostile answers and exchange states that the earlier tests
 * cover only at the adapter (test/integration/binance/hostile-responses.test.ts) or only in one direction
 * (test/e2e/testnet-emulator.test.ts), here through a whole rebalance: binance-api-node → HTTP → the test
 * fault proxy (test/support/fault-proxy.ts, which rewrites chosen answers as a broken exchange or proxy
 * would) → the emulator, with its test controls (`resetState`), and a PGlite ledger — the use case composed
 * exactly as the CLI composes it (openAdapters, runRebalance).
 *
 * The emulator's clock is 00:00:30 UTC of 2021-03-01 (+ real time): the decision day D = 2021-03-01,
 * lookback L = 7 (the default), so the return's base close is the candle of D-1-L = 2021-02-21.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import { exitCodeOfResult } from '../../src/cli/exit-codes.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { openAdapters } from '../../src/compose/rebalance.ts';
import { BUNDLED_DATA_DIR } from '../../src/compose/settings.ts';
import { loadConfig, type Overrides } from '../../src/config/loader.ts';
import { decStr } from '../../src/domain/decimal.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.ts';
import { type Fault, type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { rebalanceWithKey } from '../support/rebalance-as-cli.ts';
import { runningClock } from '../support/running-clock.ts';

const logger = createLogger('silent', 'json');
const SECRET = 'hostile-probe-secret-0123456789';
const D = '2021-03-01';
const BASE_DAY_MS = dayToMs('2021-02-21'); // D-1-L

let dir: string;
let emu: RunningEmulator;
let proxy: FaultProxy;
const clock = runningClock(D, 30_000);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-probe-'));
  emu = await startEmulator({
    dataset: await loadDataset(BUNDLED_DATA_DIR),
    now: clock.now,
    accounts: ['k-zero', 'k-neg', 'k-miss', 'k-reset', 'k-more'].map((apiKey) => ({
      apiKey,
      secret: SECRET,
      balances: { USDT: '10000' },
      takerCommission: '0.001',
      makerCommission: '0.001',
    })),
  });
  proxy = await startFaultProxy(emu.baseUrl);
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => proxy.setRule(null));

/** One account per case; a three-symbol universe, every order of a phase one after the other. */
const cfg = (account: string): Overrides => ({
  paper: { account },
  universe: { include: 'BTCUSDT,ETHUSDT,LTCUSDT' },
  strategy: { top_n: '3' },
  exchange: { kind: 'testnet', base_url: proxy.baseUrl },
});

/**
 * One rebalance as the CLI runs it (openAdapters, runRebalance, close); throws what the run throws.
 * `ledger`: the PGlite directory's name (the daily klines are cached in the ledger: a case that needs
 * them fetched from the exchange takes a ledger of its own).
 */
async function run(overrides: Overrides, apiKey: string, ledger = 'pglite') {
  const loaded = loadConfig({
    cwd: dir,
    env: {},
    overrides: { ...overrides, database: { data_dir: path.join(dir, ledger) } },
  });
  return rebalanceWithKey(loaded, apiKey, SECRET);
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('the run was expected to fail');
    },
    (e: unknown) => e as Error & { exitCode?: number },
  );

async function ledgerRows<T>(
  query: (db: PostgresLedger['db']) => Promise<{ rows: T[] }>,
  ledger = 'pglite',
): Promise<T[]> {
  const loaded = loadConfig({
    cwd: dir,
    env: {},
    overrides: { database: { data_dir: path.join(dir, ledger) } },
  });
  const adapters = await openAdapters(loaded.config, logger);
  try {
    return (await query((adapters.ledger as PostgresLedger).db)).rows;
  } finally {
    await adapters.close();
  }
}
const runStatuses = (account: string, ledger = 'pglite') =>
  ledgerRows<{ status: string }>(
    (db) =>
      sql<{ status: string }>`select r.status from runs r join accounts a on a.id = r.account_id
      where a.name = ${account} order by r.id`.execute(db),
    ledger,
  ).then((rows) => rows.map((r) => r.status));
const reconciliations = (account: string) =>
  ledgerRows<{ run: string; asset: string; expected: string; actual: string }>((db) =>
    sql<{ run: string; asset: string; expected: string; actual: string }>`
      select c.run_id::text as run, c.asset, c.expected::text, c.actual::text
      from reconciliations c join runs r on r.id = c.run_id join accounts a on a.id = r.account_id
      where a.name = ${account} order by c.run_id, c.asset`.execute(db),
  );

const orderPosts = () => proxy.seen.filter((x) => x === 'POST /api/v3/order').length;
const emuBalances = (apiKey: string) =>
  emu.balances(apiKey).map((b) => ({ asset: b.asset, free: decStr(b.free), locked: decStr(b.locked) }));
/** Rewrites the JSON body of the successful answers of `method path` (the upstream did execute). */
const rewrite =
  (method: string, p0: string, edit: (json: never) => unknown, only: (nth: number) => boolean = () => true) =>
  (m: string, p: string, nth: number): Fault | null =>
    m === method && p === p0 && only(nth)
      ? {
          respond: (up) => ({
            status: up.status,
            body: up.status === 200 ? JSON.stringify(edit(JSON.parse(up.body) as never)) : up.body,
          }),
        }
      : null;

describe('issue 14 re-checked through a whole rebalance (emulator, fault proxy, PGlite)', () => {
  it('FILLED with executedQty "0" on the first BUY (14.2): the run fails naming endpoint, symbol and field; the re-run books the real fill by clientOrderId, book = exchange', async () => {
    // Reproduces: such an answer was booked as a fill of 0 while the exchange had filled the order (the
    // ledger missed a real fill and booked cash it did not have).
    proxy.setRule(
      rewrite(
        'POST',
        '/api/v3/order',
        (o: Record<string, unknown>) => ({ ...o, executedQty: '0.00000000', fills: [] }),
        (nth) => nth === 1,
      ),
    );
    const err = await failure(run(cfg('zero'), 'k-zero'));
    expect(err.message).toMatch(
      /^POST \/api\/v3\/order BTCUSDT: invalid response: field executedQty: status FILLED with executedQty 0/,
    );
    expect(await runStatuses('zero')).toEqual(['failed']);
    proxy.setRule(null);
    const again = await run(cfg('zero'), 'k-zero');
    expect(again.run.status).toBe('completed');
    expect(again.run.resumed).toBe(true);
    expect(again.exchange?.recovered_orders.map((o) => o.status)).toContain('FILLED');
    // The BTC the exchange really holds is in the book: book = exchange, nothing left to reconcile.
    expect(again.balances).toEqual(emuBalances('k-zero'));
    expect(again.balances.find((b) => b.asset === 'BTC')?.free).not.toBe('0');
    expect(again.exchange?.reconciliation).toEqual([]);
  });

  it('a negative close at D-1-L in the exchange klines (14.2): the run fails naming endpoint, symbol, the close and its day; no order', async () => {
    // Reproduces: the error named the field only by its position (`field [23][4]: expected a
    // non-negative decimal string`), not as the close of 2021-02-21 (a close of 0 is named so).
    proxy.setRule(
      rewrite('GET', '/api/v3/klines', (rows: unknown[][]) =>
        rows.map((r) => (r[0] === BASE_DAY_MS ? [...r.slice(0, 4), '-5.00000000', ...r.slice(5)] : r)),
      ),
    );
    const posts = orderPosts();
    const err = await failure(run(cfg('neg'), 'k-neg', 'pglite-neg')); // a cold kline cache
    expect(err.message).toMatch(
      /^GET \/api\/v3\/klines (BTCUSDT|ETHUSDT|LTCUSDT): invalid response: field \[\d+\]\.close \(openTime 2021-02-21\): expected a non-negative decimal string, got "-5\.00000000"/,
    );
    expect(orderPosts()).toBe(posts);
    expect(emuBalances('k-neg')).toEqual([{ asset: 'USDT', free: '10000', locked: '0' }]);
    expect(await runStatuses('neg', 'pglite-neg')).toEqual(['failed']);
  });

  it('a ticker list missing a symbol the run would buy (14.2): InvalidMarketDataError (exit 65) naming it, nothing sent, run failed', async () => {
    // Reproduces: an incomplete ticker list sent orders with a null decision price.
    proxy.setRule(
      rewrite('GET', '/api/v3/ticker/price', (rows: { symbol: string }[]) =>
        rows.filter((x) => x.symbol !== 'LTCUSDT'),
      ),
    );
    const posts = orderPosts();
    const err = await failure(run(cfg('miss'), 'k-miss'));
    expect(err.name).toBe('InvalidMarketDataError');
    expect(err.exitCode).toBe(65);
    expect(err.message).toBe(
      'GET /api/v3/ticker/price: no price for LTCUSDT, a symbol this run may trade (empty or incomplete answer); nothing was sent',
    );
    expect(orderPosts()).toBe(posts);
    expect(await runStatuses('miss')).toEqual(['failed']);
  });

  it('the "already rebalanced" path after an emulator state reset (14.3): refused, exit 3; the coins it lost (less) and the USDT it got back (more) both reported and recorded', async () => {
    // Reproduces: the skip path never reconciled, so a testnet reset or an emulator restart went unnoticed.
    const first = await run(cfg('reset'), 'k-reset');
    expect(first.run.status).toBe('completed');
    const skip = await run(cfg('reset'), 'k-reset');
    expect(skip.run.status).toBe('skipped');
    expect(skip.exchange?.reconciliation).toEqual([]);
    emu.control({ resetState: true }); // every account back to 10000 USDT, no coins
    const posts = orderPosts();
    const after = await run(cfg('reset'), 'k-reset');
    expect(after.run.status).toBe('refused');
    expect(after.run.guard).toBe('reconciliation');
    expect(exitCodeOfResult(after)).toBe(3);
    expect(after.run.exit_reason).toMatch(
      /^refused: already_rebalanced, but the exchange holds less than the ledger manages \(BTC 0 < [\d.]+, ETH 0 < [\d.]+, LTC 0 < [\d.]+\)/,
    );
    const rows = after.exchange?.reconciliation ?? [];
    expect(rows.map((r) => [r.asset, r.actual, Math.sign(Number(r.difference))])).toEqual([
      ['BTC', '0', -1],
      ['ETH', '0', -1],
      ['LTC', '0', -1],
      ['USDT', '10000', 1],
    ]);
    expect(orderPosts()).toBe(posts);
    expect((await reconciliations('reset')).map((r) => r.asset)).toEqual(['BTC', 'ETH', 'LTC', 'USDT']);
    expect(await runStatuses('reset')).toEqual(['completed', 'skipped', 'refused']);
  });

  it('the "already rebalanced" path when the exchange holds more than the book (14.3): skipped, exit 0, the surplus reported and recorded', async () => {
    // The book manages 5000 USDT of an account holding 10000: after the run the exchange holds ~5000
    // USDT more than the book. "More" is reported on the skip path too, and does not stop it.
    const more = (account: string) => ({ ...cfg(account), paper: { account, initial_quote: '5000' } });
    const first = await run(more('more'), 'k-more');
    expect(first.run.status).toBe('completed');
    const skip = await run(more('more'), 'k-more');
    expect(skip.run.status).toBe('skipped');
    expect(exitCodeOfResult(skip)).toBe(0);
    const usdt = emuBalances('k-more').find((b) => b.asset === 'USDT')?.free ?? '';
    const book = skip.balances.find((b) => b.asset === 'USDT')?.free ?? '';
    expect(skip.exchange?.reconciliation).toEqual([
      {
        phase: 'before',
        asset: 'USDT',
        expected: book,
        actual: usdt,
        difference: expect.stringMatching(/^5000(\.\d+)?$/),
        note: 'the exchange holds more than the ledger manages: the surplus is not traded',
      },
    ]);
    const recorded = await reconciliations('more');
    expect(recorded.filter((r) => r.run === skip.run.id).map((r) => [r.asset, r.actual])).toEqual([
      ['USDT', usdt],
    ]);
  });
});
