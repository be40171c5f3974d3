/**
 * End-to-end on the real exchange path: the rebalancer with `[exchange] kind = testnet` and `base_url` at
 * the local Binance emulator, through binance-api-node over HTTP (signatures, filters, errors, weights),
 * into the ledger — composed exactly as `npm run rebalance` composes it (openAdapters).
 *
 * Expected values: the emulator fills MARKET orders at the current price, which at 00:00:30 of day D is
 * the open of D in the bundled daily candles, with the account's taker rate 0.001 (commission in the
 * asset received) — the same numbers as the replay exchange with slippage 0, whose BTC-only case is
 * computed by hand in rebalance.test.ts (BTCUSDT open 2021-01-01 = 28923.63 → 0.34573 BTC for
 * 9999.7665999 USDT) but for the emulator's commissions, rounded up to Binance's 8 decimals. So each
 * testnet run is checked against a replay run of the same config, and the ledger against the emulator's
 * own account.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import type { RebalanceResult } from '../../src/app/rebalance.ts';
import type { FillReport } from '../../src/app/rebalance-result.ts';
import { exitCodeOfResult } from '../../src/cli/exit-codes.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { formatReport } from '../../src/cli/report.ts';
import { openAdapters } from '../../src/compose/rebalance.ts';
import { BUNDLED_DATA_DIR } from '../../src/compose/settings.ts';
import type { Overrides } from '../../src/config/loader.ts';
import { Decimal, dec, decStr } from '../../src/domain/decimal.ts';
import { bundledDataset } from '../emulator/support.ts';
import { BTC_FIRST_BUY } from '../support/btc-first-buy.ts';
import { useEmulator } from '../support/emulator.ts';
import { binanceErrorAnswer, useFaultProxy } from '../support/fault-proxy.ts';
import { freeBalances } from '../support/free-balances.ts';
import { LEDGER_BACKENDS, useLedgerScratch } from '../support/ledger-scratch.ts';
import { rebalanceAsCli } from '../support/rebalance-as-cli.ts';
import { runningClock } from '../support/running-clock.ts';

const logger = createLogger('silent', 'json');
const SECRET = 'e2e-secret-0123456789abcdef';
const KEYS = [
  'k-btc',
  'k-delta',
  'k-wrong',
  'k-filter',
  'k-weight',
  'k-429',
  'k-hostile',
  'k-timeout',
  'k-bnb',
  'k-venue',
  'k-refuse',
  'k-skip',
  'k-allrej',
  'k-caps',
  'k-ticker',
  'k-partial',
  'k-resume',
  'k-clean',
  'k-clock',
];

/** The BTC-only basket: BTCUSDT alone, top 1. */
const BTC_ONLY: Overrides = { universe: { include: 'BTCUSDT' }, strategy: { top_n: '1' } };
/** {@link BTC_ONLY} booked in the account `account`. */
const btcOnlyIn = (account: string): Overrides => ({ paper: { account }, ...BTC_ONLY });

describe.each(LEDGER_BACKENDS)('testnet path through the emulator, ledger on $name', (backend) => {
  const { skip } = backend;
  const scratch = useLedgerScratch(backend, 'e2e-testnet-', 'e2e_testnet');
  const { configFor } = scratch;
  // The emulator's clock (it must advance: weight windows).
  const clock = runningClock();
  const setClock = clock.set;
  const emu = useEmulator(
    async () => {
      const dataset = await bundledDataset();
      setClock('2021-01-01', 30_000);
      return {
        dataset,
        now: clock.now,
        accounts: KEYS.map((apiKey) => ({
          apiKey,
          secret: SECRET,
          balances: (apiKey === 'k-bnb'
            ? { USDT: '10000', BNB: '10' }
            : {
                USDT: apiKey === 'k-filter' ? '32' : apiKey === 'k-refuse' ? '5000' : '10000',
              }) as Record<string, string>,
          takerCommission: '0.001',
          makerCommission: '0.001',
          payFeesInBnb: apiKey === 'k-bnb',
        })),
      };
    },
    { skip },
  );
  const proxy = useFaultProxy(() => emu().baseUrl, { skip });
  beforeEach(() => {
    if (!skip) proxy().setRule(null);
  });

  /** The emulator's balances in canonical decimals (Binance prints 8 decimals: "0.23340010"). */
  const emuBalances = (apiKey: string) =>
    emu()
      .balances(apiKey)
      .map((b) => ({ asset: b.asset, free: decStr(b.free), locked: decStr(b.locked) }));
  /**
   * The book run `r` left equals the emulator's account `apiKey`; the run's reconciliation found no
   * difference.
   */
  const expectAccountIsBook = (apiKey: string, r: RebalanceResult) => {
    expect(emuBalances(apiKey)).toEqual(r.balances);
    expect(r.exchange?.reconciliation).toEqual([]);
  };
  /** The order requests (`POST /api/v3/order`) the proxy has seen so far. */
  const orderPosts = () => proxy().seen.filter((x) => x === 'POST /api/v3/order').length;
  /**
   * From now on the proxy forwards `method path` and hands the client the exchange's answer with its body
   * rewritten by `rewrite` (only the `nth` such request's answer when `nth` is given; the status is kept).
   */
  const rewriteAnswers = (method: string, path: string, rewrite: (body: string) => string, nth?: number) =>
    proxy().setRule((m, p, n) =>
      m === method && p === path && (nth === undefined || n === nth)
        ? { respond: (u) => ({ status: u.status, body: rewrite(u.body) }) }
        : null,
    );
  /** The first order's answer says executedQty "-1" (after the emulator executed it). */
  const corruptFirstOrderAnswer = () =>
    rewriteAnswers(
      'POST',
      '/api/v3/order',
      (b) => b.replace(/"executedQty":"[^"]*"/, '"executedQty":"-1"'),
      1,
    );

  /** One rebalance as the CLI runs it: open the adapters, run, close. */
  const run = async (
    overrides: Overrides,
    opts: {
      apiKey?: string;
      secret?: string;
      viaProxy?: boolean;
      asOf?: string;
      dryRun?: boolean;
      /** The run's local clock minus the emulator's, ms (default: the host's real clock). */
      localSkewMs?: number;
    } = {},
  ) => {
    const kind = overrides.exchange?.kind ?? 'testnet';
    const loaded = configFor({
      ...overrides,
      exchange: {
        kind,
        base_url: kind === 'replay' ? '' : opts.viaProxy ? proxy().baseUrl : emu().baseUrl,
        ...(overrides.exchange ?? {}),
      },
    });
    const adapters = await openAdapters(loaded.config, logger, {
      credentials: { apiKey: opts.apiKey ?? 'k-btc', apiSecret: opts.secret ?? SECRET, privateKeyPath: null },
      ...(opts.localSkewMs === undefined
        ? {}
        : { clock: { now: () => clock.now() + (opts.localSkewMs ?? 0) } }),
    });
    try {
      const { asOf, dryRun } = opts; // the CLI parses --as-of at the edge; never forced here
      const result = await rebalanceAsCli(adapters.deps, loaded, { asOf, dryRun });
      return { result, stats: adapters.rest?.stats() ?? null };
    } finally {
      await adapters.close();
    }
  };
  const withLedger = async <T>(fn: (db: PostgresLedger['db']) => Promise<T>): Promise<T> => {
    const loaded = configFor({});
    const adapters = await openAdapters(loaded.config, logger);
    try {
      return await fn((adapters.ledger as PostgresLedger).db);
    } finally {
      await adapters.close();
    }
  };
  /**
   * A testnet run against a replay run of the same config: the same orders, fills and rejections, except
   * that the emulator rounds each commission up to Binance's 8 decimals where the §7 model keeps all of
   * them (a SELL's `q × p × f`); so equity and P/L agree to within 1e-8 per fill.
   */
  const expectSameTrades = (t: RebalanceResult, r: RebalanceResult) => {
    const strip = ({ client_order_id: _id, commission: _c, commission_quote: _q, ...f }: FillReport) => f;
    expect(t.fills.map(strip)).toEqual(r.fills.map(strip));
    expect(t.fills.map((f) => f.commission)).toEqual(
      r.fills.map((f) => decStr(dec(f.commission).toDecimalPlaces(8, Decimal.ROUND_UP))),
    );
    expect(t.orders.filter((o) => o.status === 'REJECTED').map((o) => [o.symbol, o.reject_code])).toEqual(
      r.orders.filter((o) => o.status === 'REJECTED').map((o) => [o.symbol, o.reject_code]),
    );
    const gap = dec(t.equity?.equity ?? '0')
      .minus(r.equity?.equity ?? '0')
      .abs();
    expect(gap.lte(dec('1e-8').times(t.fills.length))).toBe(true);
    // Both books keep the identity exactly: equity − initial = realized + unrealized.
    for (const x of [t, r]) {
      expect(
        dec(x.pnl?.total ?? '0').eq(dec(x.equity?.equity ?? '0').minus(x.equity?.initial_quote ?? '0')),
      ).toBe(true);
    }
  };

  it.skipIf(skip)(
    'BTC only, full mode, two days: same fills as the replay exchange; ledger = emulator account; reconciled',
    async () => {
      setClock('2021-01-01', 30_000);
      const { result: t1 } = await run({ ...BTC_ONLY, paper: { account: 'tn-btc' } }, { apiKey: 'k-btc' });
      const { result: r1 } = await run(
        { ...BTC_ONLY, exchange: { kind: 'replay' }, paper: { account: 'rp-btc' } },
        { asOf: '2021-01-01' },
      );
      expect(t1.run.status).toBe('completed');
      expect(t1.run.exchange).toBe('testnet');
      // Hand computation in rebalance.test.ts: 0.34573 BTC at 28923.63 for 9999.7665999 USDT.
      expect(t1.fills).toEqual([
        expect.objectContaining({ ...BTC_FIRST_BUY, commission: '0.00034573', commission_asset: 'BTC' }),
      ]);
      expectSameTrades(t1, r1);
      expect(t1.equity?.price_basis).toBe('last');
      expect(t1.orders[0]?.slippage_bps).toBe(0);
      expect(t1.orders[0]?.latency_ms).toBeGreaterThanOrEqual(0);
      expectAccountIsBook('k-btc', t1);

      setClock('2021-01-02', 30_000);
      const { result: t2 } = await run({ ...BTC_ONLY, paper: { account: 'tn-btc' } }, { apiKey: 'k-btc' });
      const { result: r2 } = await run(
        { ...BTC_ONLY, exchange: { kind: 'replay' }, paper: { account: 'rp-btc' } },
        { asOf: '2021-01-02' },
      );
      expect(t2.fills.map((f) => f.side)).toEqual(['SELL', 'BUY']);
      expectSameTrades(t2, r2);
      expectAccountIsBook('k-btc', t2);

      // The ledger holds the exchange's own balances and every order with its Binance ids.
      await withLedger(async (db) => {
        const rows = await sql<{ n: string }>`
          select count(*)::text as n from exchange_balance_snapshots s join accounts a on a.id = s.account_id
          where a.name = 'tn-btc'`.execute(db);
        expect(Number(rows.rows[0]?.n)).toBeGreaterThanOrEqual(4);
        const orders = await sql<{
          status: string;
          exchange_order_id: string | null;
          latency_ms: string | null;
        }>`
          select o.status, o.exchange_order_id, o.latency_ms::text from orders o join accounts a on a.id = o.account_id
          where a.name = 'tn-btc' order by o.id`.execute(db);
        expect(orders.rows.map((o) => o.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
        expect(orders.rows.every((o) => o.exchange_order_id !== null && o.latency_ms !== null)).toBe(true);
      });
    },
  );

  it.skipIf(skip)(
    'delta mode over a broad universe, two days: equals replay; ledger = emulator account',
    async () => {
      const cfg: Overrides = { strategy: { top_n: '3' }, portfolio: { rebalance_mode: 'delta' } };
      for (const day of ['2021-03-01', '2021-03-02']) {
        setClock(day, 30_000);
        const { result: t } = await run({ ...cfg, paper: { account: 'tn-delta' } }, { apiKey: 'k-delta' });
        const { result: r } = await run(
          { ...cfg, exchange: { kind: 'replay' }, paper: { account: 'rp-delta' } },
          { asOf: day },
        );
        expect(t.ranking.filter((x) => x.selected).map((x) => x.symbol)).toEqual(
          r.ranking.filter((x) => x.selected).map((x) => x.symbol),
        );
        expectSameTrades(t, r);
        expectAccountIsBook('k-delta', t);
      }
    },
  );

  it.skipIf(skip)(
    'one book per venue (9.1): the default accounts differ per kind, so a testnet run after a replay run trades its own book; a testnet run on a replay account is refused before any request',
    async () => {
      // Reproduces: `npm run rebalance` then `--exchange testnet` traded the replay book (the SELLs of
      // the replay basket failed with -2010 and the run said "completed").
      setClock('2021-01-01', 30_000);
      const { result: r } = await run({ ...BTC_ONLY, exchange: { kind: 'replay' } }, { asOf: '2021-01-01' });
      expect(r.run.account).toBe('replay');
      const { result: t } = await run(BTC_ONLY, { apiKey: 'k-venue' });
      expect(t.run.account).toBe('testnet');
      expect(t.run.status).toBe('completed');
      expect(t.orders.map((o) => [o.side, o.status])).toEqual([['BUY', 'FILLED']]);
      expect(emuBalances('k-venue')).toEqual(t.balances);

      // The replay account named for a testnet run: refused with both venues named, nothing sent.
      const before = emu().stats().requests;
      const err = (await run({ ...BTC_ONLY, paper: { account: 'replay' } }, { apiKey: 'k-venue' }).catch(
        (e: unknown) => e,
      )) as Error & { exitCode?: number };
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe('VenueMismatchError');
      expect(err.exitCode).toBe(78);
      expect(err.message).toContain('account "replay" keeps the book of replay');
      expect(err.message).toContain(`testnet ${emu().baseUrl.replace(/\/+$/, '')}`);
      expect(emu().stats().requests).toBe(before);
      // …and the testnet account from the replay exchange: refused too.
      const err2 = await run(
        { ...BTC_ONLY, exchange: { kind: 'replay' }, paper: { account: 'testnet' } },
        { asOf: '2021-01-01' },
      ).catch((e: unknown) => e as Error);
      expect((err2 as Error).name).toBe('VenueMismatchError');
      expect((err2 as Error).message).toContain('but this run trades on replay');
    },
  );

  it.skipIf(skip)(
    'honest outcomes (9.2): a run whose every BUY is rejected is completed_with_rejections and exits 4, not "completed" and 0',
    async () => {
      // Reproduces: every order rejected, the run said "completed" and exited 0. The exchange answers
      // the BUY with Binance's -2010 (as when the account's funds are held elsewhere).
      setClock('2021-03-01', 30_000);
      proxy().setRule((method, p) =>
        method === 'POST' && p === '/api/v3/order'
          ? binanceErrorAnswer(400, -2010, 'Account has insufficient balance for requested action.')
          : null,
      );
      const { result } = await run(btcOnlyIn('tn-allrej'), { apiKey: 'k-allrej', viaProxy: true });
      expect(result.orders.map((o) => [o.side, o.status, o.reject_code])).toEqual([
        ['BUY', 'REJECTED', -2010],
      ]);
      expect(result.run.status).toBe('completed_with_rejections');
      expect(result.run.rejected_phases).toEqual(['buy']);
      expect(result.run.exit_reason).toMatch(/every order of the buy phase was rejected/);
      expect(exitCodeOfResult(result)).toBe(4);
      const rows = await withLedger((db) =>
        sql<{ status: string }>`
        select r.status from runs r join accounts a on a.id = r.account_id where a.name = 'tn-allrej'`.execute(
          db,
        ),
      );
      expect(rows.rows.map((r) => r.status)).toEqual(['completed_with_rejections']);
    },
  );

  it.skipIf(skip)(
    'reconciled before any order (9.2/14.3): an exchange holding less than the book is refused, nothing is sent, exit 3',
    async () => {
      // Reproduces: the pre-run check only warned and the run traded (and its SELLs/BUYs failed with -2010).
      // The account holds 5000 USDT; the new book manages initial_quote = 10000.
      setClock('2021-03-01', 30_000);
      const posts = orderPosts();
      const { result } = await run(btcOnlyIn('tn-refuse'), { apiKey: 'k-refuse', viaProxy: true });
      expect(result.run.status).toBe('refused');
      expect(result.run.guard).toBe('reconciliation');
      expect(result.run.exit_reason).toContain('USDT 5000 < 10000');
      expect(exitCodeOfResult(result)).toBe(3);
      expect(result.orders).toEqual([]);
      expect(result.exchange?.reconciliation).toEqual([
        expect.objectContaining({ phase: 'before', asset: 'USDT', expected: '10000', actual: '5000' }),
      ]);
      expect(orderPosts()).toBe(posts);
      expect(emuBalances('k-refuse')).toEqual([{ asset: 'USDT', free: '5000', locked: '0' }]);
      const rows = await withLedger((db) =>
        sql<{ status: string; n: string }>`
        select r.status, (select count(*) from reconciliations c where c.run_id = r.id)::text as n
        from runs r join accounts a on a.id = r.account_id where a.name = 'tn-refuse'`.execute(db),
      );
      expect(rows.rows).toEqual([{ status: 'refused', n: '1' }]);
    },
  );

  it.skipIf(skip)(
    'the "already rebalanced" path reconciles on a real exchange (14.3): an account that lost its assets is refused, exit 3',
    async () => {
      // Reproduces: the skip path never looked at the exchange, so a testnet reset went unnoticed.
      setClock('2021-01-01', 30_000);
      const cfg = btcOnlyIn('tn-skip');
      const { result: first } = await run(cfg, { apiKey: 'k-skip', viaProxy: true });
      expect(first.run.status).toBe('completed');
      const { result: same } = await run(cfg, { apiKey: 'k-skip', viaProxy: true });
      expect(same.run.status).toBe('skipped');
      expect(same.exchange?.reconciliation).toEqual([]);
      expect(exitCodeOfResult(same)).toBe(0);
      // The exchange now answers an emptied account (as after a testnet reset).
      rewriteAnswers('GET', '/api/v3/account', (b) => b.replace(/"balances":\[[^\]]*\]/, '"balances":[]'));
      const { result: reset } = await run(cfg, { apiKey: 'k-skip', viaProxy: true });
      expect(reset.run.status).toBe('refused');
      expect(reset.run.exit_reason).toMatch(/^refused: already_rebalanced, but the exchange holds less/);
      expect(reset.exchange?.reconciliation.map((r) => [r.asset, r.actual])).toEqual([
        ['BTC', '0'],
        ['USDT', '0'],
      ]);
      expect(exitCodeOfResult(reset)).toBe(3);
    },
  );

  it.skipIf(skip)(
    'stale market caps on a real run (9.3): a data error naming the source and its last snapshot, no order',
    async () => {
      // Reproduces: caps older than §4's 45 days made every symbol `no_market_cap`, and the run sold the
      // whole basket. The data directory holds the bundled CoinMarketCap file cut after 2020-12-01.
      const capsDir = path.join(scratch.dir, 'stale-caps');
      mkdirSync(path.join(capsDir, 'marketcap'), { recursive: true });
      const csv = gunzipSync(
        readFileSync(
          path.join(BUNDLED_DATA_DIR, 'marketcap', 'cmc_monthly_top200_2020-01_to_2025-10.csv.gz'),
        ),
      )
        .toString('utf8')
        .split('\n')
        .filter((l, i) => i === 0 || (l !== '' && (l.split(',').at(-1) ?? '') <= '20201201'))
        .join('\n');
      writeFileSync(path.join(capsDir, 'marketcap', 'cmc_monthly_top200_2020-01_to_2025-10.csv'), `${csv}\n`);
      setClock('2021-03-01', 30_000);
      const posts = orderPosts();
      const err = (await run(
        {
          paper: { account: 'tn-caps' },
          universe: { include: 'BTCUSDT,ETHUSDT', min_market_cap: '1e8' },
          strategy: { top_n: '2' },
          data: { dir: capsDir },
        },
        { apiKey: 'k-caps', viaProxy: true },
      ).catch((e: unknown) => e)) as Error & { exitCode?: number };
      expect(err.name).toBe('StaleDataError');
      expect(err.exitCode).toBe(66);
      expect(err.message).toContain('cmc_monthly_top200_2020-01_to_2025-10.csv');
      expect(err.message).toContain('the latest snapshot is of 2020-12-01');
      expect(err.message).toContain('decision day 2021-03-01');
      expect(orderPosts()).toBe(posts);
      expect(emuBalances('k-caps')).toEqual([{ asset: 'USDT', free: '10000', locked: '0' }]);
    },
  );

  it.skipIf(skip)(
    'validate what the exchange says (14.2): a ticker price of "0" or an empty ticker list fails the run naming endpoint, symbol and field; nothing is sent',
    async () => {
      // Reproduces: a ticker price "0" was taken as the decision price (10 real buys, equity 0.88); an
      // empty ticker list sent orders with a null decision price.
      const cfg: Overrides = {
        paper: { account: 'tn-ticker' },
        universe: { include: 'BTCUSDT,ETHUSDT' },
        strategy: { top_n: '2' },
      };
      setClock('2021-03-01', 30_000);
      const before = orderPosts();
      const failWith = async (body: (u: string) => string) => {
        rewriteAnswers('GET', '/api/v3/ticker/price', body);
        return (await run(cfg, { apiKey: 'k-ticker', viaProxy: true }).catch((e: unknown) => e)) as Error & {
          exitCode?: number;
        };
      };
      const zero = await failWith((b) => b.replace(/("symbol":"BTCUSDT","price":")[^"]*"/, '$10"'));
      expect(zero.name).toBe('InvalidMarketDataError');
      expect(zero.exitCode).toBe(65);
      expect(zero.message).toBe(
        'GET /api/v3/ticker/price: BTCUSDT price = "0" is not a price > 0; nothing was sent',
      );
      const empty = await failWith(() => '[]');
      expect(empty.message).toMatch(
        /^GET \/api\/v3\/ticker\/price: no price for (BTCUSDT|ETHUSDT), a symbol this run may trade/,
      );
      expect(orderPosts()).toBe(before);
      expect(emuBalances('k-ticker')).toEqual([{ asset: 'USDT', free: '10000', locked: '0' }]);
      const rows = await withLedger((db) =>
        sql<{ status: string }>`
        select r.status from runs r join accounts a on a.id = r.account_id where a.name = 'tn-ticker' order by r.id`.execute(
          db,
        ),
      );
      expect(rows.rows.map((r) => r.status)).toEqual(['failed', 'failed']);
    },
  );

  it.skipIf(skip)(
    'a partial fill (EXPIRED with some executed, 14.2) is reported and logged, and booked exactly as filled',
    async () => {
      // Reproduces: an EXPIRED order with a fill completed without a word. The exchange's answer says
      // EXPIRED for the one BUY; its fills are what the account got (the emulator's account agrees).
      setClock('2021-01-01', 30_000);
      rewriteAnswers('POST', '/api/v3/order', (b) => b.replace('"status":"FILLED"', '"status":"EXPIRED"'));
      const { result } = await run(btcOnlyIn('tn-partial'), { apiKey: 'k-partial', viaProxy: true });
      expect(result.orders.map((o) => o.status)).toEqual(['EXPIRED']);
      expect(result.partial_fills).toEqual([
        expect.objectContaining({
          symbol: 'BTCUSDT',
          side: 'BUY',
          status: 'EXPIRED',
          executed_qty: '0.34573',
        }),
      ]);
      expect(formatReport(result)).toContain('Partial fill: BUY BTCUSDT EXPIRED, executed 0.34573');
      expect(result.run.status).toBe('completed');
      expectAccountIsBook('k-partial', result);
    },
  );

  it.skipIf(skip)(
    'resume, do not churn (14.1): the re-run of a period whose run failed on its first BUY answer sends only what is missing (here nothing), in full mode; same book as one clean run within dust',
    async () => {
      // Reproduces: in full mode the re-run sold and re-bought the whole basket (19–20 extra orders). The
      // first BUY's answer is corrupted (executedQty -1) after the emulator filled it: the run fails.
      setClock('2021-03-01', 30_000);
      const cfg = (account: string): Overrides => ({
        paper: { account },
        universe: { include: 'BTCUSDT,ETHUSDT,LTCUSDT' },
        strategy: { top_n: '3' },
        portfolio: { rebalance_mode: 'full' },
        exchange: { concurrency: '1' },
      });
      corruptFirstOrderAnswer();
      const err = await run(cfg('tn-resume'), { apiKey: 'k-resume', viaProxy: true }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      proxy().setRule(null);
      const { result } = await run(cfg('tn-resume'), { apiKey: 'k-resume', viaProxy: true });
      expect(result.run.status).toBe('completed');
      expect(result.run.resumed).toBe(true);
      expect(result.exchange?.recovered_orders).toHaveLength(1);
      const sent = result.orders.filter((o) => o.status !== 'SKIPPED');
      // The three BUYs were in flight when the first answer failed the run (orders of a phase go out
      // together): two completed, one stayed PENDING and is resolved now. Nothing is missing, so nothing
      // is sent — the top-ups to the exact target are below LOT_SIZE (dust). Before: 3 SELLs + 3 BUYs.
      expect(sent).toEqual([]);
      expect(result.orders.every((o) => o.side === 'BUY' && o.reject_reason === 'dust')).toBe(true);
      expectAccountIsBook('k-resume', result);

      // One clean run of the same period: the same assets, each within 0.5 % (fees and rounding).
      const { result: clean } = await run(cfg('tn-clean'), { apiKey: 'k-clean', viaProxy: true });
      expect(result.balances.map((b) => b.asset)).toEqual(clean.balances.map((b) => b.asset));
      for (const b of result.balances.filter((x) => x.asset !== 'USDT')) {
        const c = clean.balances.find((x) => x.asset === b.asset)?.free ?? '0';
        expect(dec(b.free).minus(c).abs().div(c).lt('0.005')).toBe(true);
      }
      const runs = await withLedger((db) =>
        sql<{ id: string; status: string; continues_run_id: string | null }>`
        select r.id::text, r.status, r.continues_run_id::text from runs r join accounts a on a.id = r.account_id
        where a.name = 'tn-resume' order by r.id`.execute(db),
      );
      expect(runs.rows.map((r) => r.status)).toEqual(['failed', 'completed']);
      expect(runs.rows[1]?.continues_run_id).toBe(runs.rows[0]?.id);
      expect(result.run.continues_run_id).toBe(runs.rows[0]?.id);
    },
  );

  it.skipIf(skip)(
    'trusted clock (14.4): a local clock 30 s behind the exchange near 00:00 UTC is refused (exit 3); in agreement the run trades the exchange day',
    async () => {
      // Reproduces: a clock 30 s behind near 00:00 UTC traded the previous day's period, and the next
      // run traded again the same day. The emulator's clock is 00:00:30 of 2021-03-01.
      setClock('2021-03-01', 30_000);
      const cfg = btcOnlyIn('tn-clock');
      const posts = orderPosts();
      const { result: behind } = await run(cfg, { apiKey: 'k-clock', viaProxy: true, localSkewMs: -30_000 });
      expect(behind.run.status).toBe('refused');
      expect(behind.run.guard).toBe('clock');
      expect(behind.run.exit_reason).toMatch(
        /^refused: the local clock is (29\.\d|30\.\d) s behind the exchange/,
      );
      expect(exitCodeOfResult(behind)).toBe(3);
      expect(orderPosts()).toBe(posts);
      const { result: agreed } = await run(cfg, { apiKey: 'k-clock', viaProxy: true, localSkewMs: 200 });
      expect(agreed.run.status).toBe('completed');
      expect(agreed.run.period).toBe('2021-03-01');
    },
  );

  it.skipIf(skip)(
    'a wrong secret is refused (-1022): the run fails with the code, the secret is nowhere',
    async () => {
      setClock('2021-01-05', 30_000);
      const wrong = 'not-the-secret-xyz';
      const err = await run({ paper: { account: 'tn-wrong' } }, { apiKey: 'k-wrong', secret: wrong }).catch(
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/-1022/);
      expect((err as Error).message).not.toContain(wrong);
      expect(JSON.stringify(err)).not.toContain(wrong);
      const runs = await withLedger((db) =>
        sql<{ status: string; exit_reason: string }>`
        select r.status, r.exit_reason from runs r join accounts a on a.id = r.account_id where a.name = 'tn-wrong'`.execute(
          db,
        ),
      );
      expect(runs.rows).toHaveLength(1);
      expect(runs.rows[0]?.status).toBe('failed');
      expect(runs.rows[0]?.exit_reason).toMatch(/-1022/);
      expect(runs.rows[0]?.exit_reason).not.toContain(wrong);
      expect(emuBalances('k-wrong')).toEqual([{ asset: 'USDT', free: '10000', locked: '0' }]);
    },
  );

  it.skipIf(skip)('a dry run on the testnet plans at the live prices and places nothing', async () => {
    setClock('2021-03-01', 30_000);
    const before = emuBalances('k-wrong');
    const { result } = await run(
      { paper: { account: 'tn-dry' }, universe: { include: 'BTCUSDT,ETHUSDT' }, strategy: { top_n: '2' } },
      { apiKey: 'k-wrong', dryRun: true },
    );
    expect(result.run.status).toBe('dry_run');
    expect(result.orders.map((o) => o.status)).toEqual(['FILLED', 'FILLED']);
    expect(emuBalances('k-wrong')).toEqual(before);
  });

  it.skipIf(skip)('missing keys: a clear error before any request', async () => {
    const before = emu().stats().requests;
    const loaded = configFor({ exchange: { kind: 'testnet', base_url: emu().baseUrl } });
    await expect(
      openAdapters(loaded.config, logger, {
        credentials: { apiKey: null, apiSecret: null, privateKeyPath: null },
      }),
    ).rejects.toThrow(/BINANCE_API_KEY/);
    expect(emu().stats().requests).toBe(before);
  });

  it.skipIf(skip)(
    'dust (9.4): an order the filters would reject at the decision price is not sent, recorded SKIPPED as dust and summed in the report; the others go through',
    async () => {
      // 32 USDT over 4 symbols: Q = round_down_8(32 / 4) = 8 per BUY. In the exchangeInfo snapshot
      // (2023-09-08) BTCUSDT and ETHUSDT have NOTIONAL minNotional 5, FTTUSDT and BEAMUSDT 10: 8 ≥ 5 (q × p
      // floored to the step stays above 5: BTC ≈ 0.00017 × ~45000 ≈ 7.7) fills; 8 < 10 would be refused
      // with -1013 "Filter failure: NOTIONAL" — reproduces: those orders were sent to be rejected.
      setClock('2021-03-01', 30_000);
      const posts = orderPosts();
      const { result } = await run(
        {
          paper: { account: 'tn-filter', initial_quote: '32' },
          universe: { include: 'BTCUSDT,ETHUSDT,FTTUSDT,BEAMUSDT' },
          strategy: { top_n: '4' },
        },
        { apiKey: 'k-filter', viaProxy: true },
      );
      const skipped = result.orders.filter((o) => o.status === 'SKIPPED');
      const filled = result.orders.filter((o) => o.status === 'FILLED');
      expect(skipped.map((o) => o.symbol).sort()).toEqual(['BEAMUSDT', 'FTTUSDT']);
      expect(filled.map((o) => o.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
      for (const o of skipped) {
        expect(o.reject_reason).toBe('dust');
        expect(o.reject_message).toMatch(/^dust \(min_notional\): Filter failure: NOTIONAL/);
      }
      // Only the two real orders reached the exchange; the dust sums to 2 × 8 USDT.
      expect(orderPosts() - posts).toBe(2);
      expect(result.dust).toEqual({ orders: 2, notional: '16' });
      expect(result.run.status).toBe('completed');
      expect(formatReport(result)).toContain('Dust: 2 order(s) not sent');
      expect(emuBalances('k-filter')).toEqual(result.balances);
      const rows = await withLedger((db) =>
        sql<{ status: string; reject_reason: string | null }>`
        select o.status, o.reject_reason from orders o join accounts a on a.id = o.account_id
        where a.name = 'tn-filter' and o.status = 'SKIPPED'`.execute(db),
      );
      expect(rows.rows).toEqual([
        { status: 'SKIPPED', reject_reason: 'dust' },
        { status: 'SKIPPED', reject_reason: 'dust' },
      ]);
    },
  );

  it.skipIf(skip)(
    'the request-weight budget is honoured: the client waits for the next minute instead of exceeding it',
    async () => {
      // Budget 0.01 × 6000 = 60 per minute; the run needs more (exchangeInfo 20, account 20 twice, …).
      // The emulator clock stands 5 s before a minute boundary until the run's first request, so the
      // wait is short, on a day no other test uses (the emulator counts weight per IP and minute, as
      // Binance does). It starts at the first request, not when set: on a loaded machine the run took
      // over 3 s to start, the minute rolled over first and nothing was throttled (a flaky failure).
      clock.setAtFirstRead('2021-03-05', 55_000);
      const { result, stats } = await run(
        {
          paper: { account: 'tn-weight' },
          universe: { include: 'BTCUSDT,ETHUSDT' },
          strategy: { top_n: '2' },
          exchange: { weight_share: '0.01' },
        },
        { apiKey: 'k-weight' },
      );
      expect(result.run.status).toBe('completed');
      expect(stats?.throttled).toBeGreaterThanOrEqual(1);
      expect(stats?.weight).toBeGreaterThan(60);
      expect(stats?.maxUsedWeight1m).toBeLessThanOrEqual(60);
      expect(stats?.rateLimited).toBe(0);
    },
  );

  it.skipIf(skip)(
    'HTTP 429 / -1003 from the exchange: the client waits for the window and retries',
    async () => {
      // The proxy answers the first klines request with Binance's 429 body.
      setClock('2021-03-07', 58_000);
      proxy().setRule((_method, p, nth) =>
        p === '/api/v3/klines' && nth === 1
          ? binanceErrorAnswer(
              429,
              -1003,
              'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
            )
          : null,
      );
      const { result, stats } = await run(btcOnlyIn('tn-429'), { apiKey: 'k-429', viaProxy: true });
      expect(result.run.status).toBe('completed');
      expect(stats?.rateLimited).toBe(1);
    },
  );

  it.skipIf(skip)(
    'a hostile order response (negative executedQty): the run fails naming endpoint and field, no further order; the next run resolves the order by clientOrderId',
    async () => {
      setClock('2021-03-01', 30_000);
      corruptFirstOrderAnswer();
      const cfg: Overrides = {
        paper: { account: 'tn-hostile' },
        universe: { include: 'BTCUSDT,ETHUSDT,LTCUSDT' },
        strategy: { top_n: '3' },
        exchange: { concurrency: '1' },
      };
      const postsBefore = orderPosts();
      const err = await run(cfg, { apiKey: 'k-hostile', viaProxy: true }).catch((e: unknown) => e as Error);
      expect((err as Error).message).toMatch(/POST \/api\/v3\/order .*invalid response: field executedQty/);
      const postsAfterFailure = orderPosts() - postsBefore;
      // The first order executed on the emulator; at most the orders already in flight were sent.
      expect(postsAfterFailure).toBeLessThanOrEqual(5);
      proxy().setRule(null);
      const { result } = await run(cfg, { apiKey: 'k-hostile', viaProxy: true, asOf: undefined });
      expect(result.run.status).toBe('completed');
      expect(result.exchange?.recovered_orders.length).toBeGreaterThanOrEqual(1);
      expect(result.exchange?.recovered_orders.every((o) => o.status !== 'PENDING')).toBe(true);
      expectAccountIsBook('k-hostile', result);
    },
  );

  it.skipIf(skip)(
    'an order whose answer is lost (timeout) is looked up by clientOrderId, never placed twice',
    async () => {
      setClock('2021-03-01', 30_000);
      proxy().setRule((method, p, nth) =>
        method === 'POST' && p === '/api/v3/order' && nth === 1 ? { delayMs: 1500 } : null,
      );
      const before = orderPosts();
      const { result } = await run(
        {
          paper: { account: 'tn-timeout' },
          universe: { include: 'BTCUSDT' },
          strategy: { top_n: '1' },
          exchange: { timeout_ms: '500' },
        },
        { apiKey: 'k-timeout', viaProxy: true },
      );
      expect(result.run.status).toBe('completed');
      expect(result.orders.map((o) => o.status)).toEqual(['FILLED']);
      expect(orderPosts() - before).toBe(1);
      expect(proxy().seen).toContain('GET /api/v3/order');
      expect(emuBalances('k-timeout')).toEqual(result.balances);
    },
  );

  it.skipIf(skip)(
    'fees paid in BNB: valued through BNBUSDT, charged to the book in the received asset; reconciled',
    async () => {
      // Hand computation (Python decimal, 60 digits) from the bundled opens: BTCUSDT 28923.63 (2021-01-01),
      // 29331.7 (01-02); BNBUSDT 37.3596, 37.7637; taker 0.001 less Binance's 25 % BNB discount.
      // Day 1 BUY Q 10000 → 0.34573 BTC for 9999.7665999; BNB commission round_up_8(9999.7665999 ×
      // 0.00075 / 37.3596) = 0.20074693, worth 7.499825006028 USDT. The account's BNB paid it, so the book
      // takes the value in the received asset: round_up_8(7.499825006028 / 28923.63) = 0.0002593 BTC fewer.
      setClock('2021-01-01', 30_000);
      const { result: t1 } = await run({ ...BTC_ONLY, paper: { account: 'tn-bnb' } }, { apiKey: 'k-bnb' });
      expect(t1.fills).toEqual([
        expect.objectContaining({
          side: 'BUY',
          quantity: '0.34573',
          quote_quantity: '9999.7665999',
          commission: '0.20074693',
          commission_asset: 'BNB',
          commission_quote: '7.499825006028',
        }),
      ]);
      expect(t1.balances).toEqual(freeBalances({ BTC: '0.3454707', USDT: '0.2334001' }));
      expect(t1.equity?.equity).toBe('9992.500102741');
      expect(emuBalances('k-bnb')).toEqual(
        freeBalances({ BNB: '9.79925307', BTC: '0.34573', USDT: '0.2334001' }),
      );
      expect(t1.exchange?.reconciliation).toEqual([]);

      // Day 2: SELL 0.34547 (floor_step of the book's 0.3454707) for 10133.222399, BNB 0.20124927 worth
      // 7.599917057499 taken from the proceeds; Q = round_down_8(0.2334001 + 10133.222399 − 7.599917057499)
      // = 10125.85588204 → 0.34521 BTC for 10125.596157, BNB 0.20109781 (7.594197367497 USDT = 0.00025891 BTC).
      setClock('2021-01-02', 30_000);
      const { result: t2 } = await run({ ...BTC_ONLY, paper: { account: 'tn-bnb' } }, { apiKey: 'k-bnb' });
      expect(t2.orders.map((o) => [o.side, o.quantity ?? o.quote_order_qty, o.status])).toEqual([
        ['SELL', '0.34547', 'FILLED'],
        ['BUY', '10125.85588204', 'FILLED'],
      ]);
      expect(t2.fills.map((f) => [f.commission, f.commission_asset, f.commission_quote])).toEqual([
        ['0.20124927', 'BNB', '7.599917057499'],
        ['0.20109781', 'BNB', '7.594197367497'],
      ]);
      expect(t2.balances).toEqual(freeBalances({ BTC: '0.34495179', USDT: '0.259725042501' }));
      expect(t2.equity?.equity).toBe('10118.282143785501');
      expect(t2.pnl?.fees).toBe('22.693939431024');
      expect(t2.pnl?.total).toBe('118.282143785501'); // = equity − 10000: P/L net of the BNB fees
      // The account keeps what the BNB paid for: more BTC and USDT than the book, and less BNB.
      expect(emuBalances('k-bnb')).toEqual(
        freeBalances({ BNB: '9.39690599', BTC: '0.34547', USDT: '7.8596421' }),
      );
      // Before day 2 the account held more BTC than the book (0.34573 − 0.3454707 = 0.0002593, what the
      // account's BNB paid for): reported, not traded (14.3); after the run nothing differs.
      expect(t2.exchange?.reconciliation).toEqual([
        {
          phase: 'before',
          asset: 'BTC',
          expected: '0.3454707',
          actual: '0.34573',
          difference: '0.0002593',
          note: 'the exchange holds more than the ledger manages: the surplus is not traded',
        },
      ]);
    },
  );
});
