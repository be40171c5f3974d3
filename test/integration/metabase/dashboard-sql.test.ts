/**
 * Metabase dashboards as data (issue 12 items 1 and 3, the SQL part): every card of
 * `deploy/metabase/dashboards/*.json` is valid against `deploy/metabase/dashboard-spec.schema.json`
 * (ajv), and its native SQL — rendered as Metabase renders it: each `[[ … ]]` optional clause kept with
 * `{{account}}` substituted as a quoted literal, or dropped when the filter is unset — runs on the real
 * ledger, PGlite and the Postgres server of `DATABASE_URL`, filled through the real paths:
 *   - a recorded backtest (what `momentum-rebalancer backtest --account lab` runs and records, in process),
 *   - two replay rebalances (account mb-replay, top 3, 25 bps simulated slippage), composed as
 *     `npm run rebalance` composes them (openAdapters → runRebalance),
 *   - one testnet rebalance through binance-api-node over HTTP to the local Binance emulator (account
 *     mb-testnet, BTC only; the emulator account holds 10 500 USDT, 500 more than the book manages).
 * Each card returns exactly the columns its spec names, in order. Values are checked against the ledger's
 * tables and by hand (expected values in the tests' comments).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { openLedger } from '../../../src/adapters/postgres/connect.ts';
import type { PostgresLedger } from '../../../src/adapters/postgres/postgres-ledger.ts';
import {
  backtestMarketOf,
  backtestWindow,
  checkBacktestPeriod,
  entryFilterOn,
  runBacktest,
} from '../../../src/app/backtest.ts';
import { recordBacktest } from '../../../src/app/backtest-record.ts';
import { runIntraday } from '../../../src/app/intraday/run-intraday.ts';
import { createLogger } from '../../../src/cli/logger.ts';
import { openIntradayAdapters } from '../../../src/compose/intraday.ts';
import { openAdapters } from '../../../src/compose/rebalance.ts';
import { BUNDLED_DATA_DIR, settingsFrom } from '../../../src/compose/settings.ts';
import type { Overrides } from '../../../src/config/loader.ts';
import { Decimal, dec } from '../../../src/domain/decimal.ts';
import { type RunningEmulator, startEmulator } from '../../../src/emulator/server.ts';
import { LEDGER_BACKENDS, useLedgerScratch } from '../../support/ledger-scratch.ts';
import { rebalanceAsCli } from '../../support/rebalance-as-cli.ts';
import { runningClock } from '../../support/running-clock.ts';

const ROOT = new URL('../../../', import.meta.url);
const DASHBOARD_DIR = new URL('deploy/metabase/dashboards/', ROOT);
const SCHEMA = JSON.parse(readFileSync(new URL('deploy/metabase/dashboard-spec.schema.json', ROOT), 'utf8'));

interface Card {
  key: string;
  name: string;
  display: string;
  sql: string;
  template_tags: Record<string, { type: string; display_name: string }>;
  columns: string[];
  visualization_settings: Record<string, unknown>;
  layout: { row: number; col: number; size_x: number; size_y: number };
}
interface Dashboard {
  name: string;
  parameters: { slug: string; name: string; type: string }[];
  cards: Card[];
}
const VIEWS = readdirSync(new URL('sql/views/', ROOT))
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.replace(/\.sql$/, ''));
const files = readdirSync(DASHBOARD_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const dashboards = new Map<string, Dashboard>(
  files.map((f) => [f, JSON.parse(readFileSync(new URL(f, DASHBOARD_DIR), 'utf8')) as Dashboard]),
);

/** Metabase's rendering of a native query: `{{tag}}` → a quoted text literal; `[[ … ]]` kept only when every tag in it is set. */
function renderSql(text: string, values: Record<string, string>): string {
  const literal = (tag: string) => {
    const v = values[tag];
    if (v === undefined) throw new Error(`required tag {{${tag}}} has no value`);
    return `'${v.replaceAll("'", "''")}'`;
  };
  const optional = text.replace(/\[\[([\s\S]*?)\]\]/g, (_m, inner: string) => {
    const tags = [...inner.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string);
    return tags.every((t) => values[t] !== undefined) ? inner : '';
  });
  return optional.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, tag: string) => literal(tag));
}

describe('dashboard specs: valid against dashboard-spec.schema.json, self-consistent', () => {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(SCHEMA);

  it('there are the live and backtests dashboards', () => {
    expect(files).toEqual(['backtests.json', 'live.json']);
  });

  it.each(files)(
    '%s validates; tags declared; visualization names only its columns; fits 24 columns',
    (f) => {
      const d = dashboards.get(f) as Dashboard;
      expect(validate(d), JSON.stringify(validate.errors)).toBe(true);
      const keys = d.cards.map((c) => c.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const c of d.cards) {
        const used = new Set([...c.sql.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]));
        expect([...used].sort(), c.key).toEqual(Object.keys(c.template_tags).sort());
        for (const t of used)
          expect(
            d.parameters.map((p) => p.slug),
            c.key,
          ).toContain(t);
        const vs = c.visualization_settings;
        const named = [
          ...((vs['graph.dimensions'] as string[] | undefined) ?? []),
          ...((vs['graph.metrics'] as string[] | undefined) ?? []),
          ...(['pie.dimension', 'pie.metric'].flatMap((k) =>
            vs[k] === undefined ? [] : [vs[k] as string],
          ) ?? []),
        ];
        for (const n of named) expect(c.columns, `${c.key} names ${n}`).toContain(n);
        expect(c.layout.col + c.layout.size_x, c.key).toBeLessThanOrEqual(24);
        // Questions read the views only (sql/views), never the tables behind them.
        const sources = [...c.sql.matchAll(/\b(?:from|join)\s+([a-z_][a-z0-9_]*)/gi)].map(
          (m) => m[1] as string,
        );
        expect(sources.length, c.key).toBeGreaterThan(0);
        for (const src of sources) expect(VIEWS, `${c.key} reads ${src}`).toContain(src);
      }
    },
  );

  it('the schema rejects a card outside the format (bad display, missing columns)', () => {
    const d = structuredClone(dashboards.get('live.json') as Dashboard) as unknown as {
      cards: Record<string, unknown>[];
    };
    (d.cards[0] as Record<string, unknown>).display = 'heatmap';
    delete (d.cards[0] as Record<string, unknown>).columns;
    expect(validate(d)).toBe(false);
    expect(JSON.stringify(validate.errors)).toMatch(/display|columns/);
  });

  it('renderSql: the optional clause with the account quoted, or without it', () => {
    const q = 'select 1 from x where 1=1 [[and account = {{account}}]] order by 1';
    expect(renderSql(q, { account: "o'hara" })).toBe(
      "select 1 from x where 1=1 and account = 'o''hara' order by 1",
    );
    expect(renderSql(q, {})).toBe('select 1 from x where 1=1  order by 1');
  });
});

const logger = createLogger('silent', 'json');
const SECRET = 'mb-secret-0123456789abcdef';

/** One card's result: its column names in order (from a temporary view of the query) and its rows. */
async function runCard(
  db: Kysely<unknown>,
  text: string,
): Promise<{ columns: string[]; types: string[]; rows: Record<string, unknown>[] }> {
  return db.transaction().execute(async (trx) => {
    await sql.raw(`create temporary view mb_card as ${text}`).execute(trx);
    const cols = await sql<{ name: string; type: string }>`
      select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = 'pg_temp.mb_card'::regclass and attnum > 0 and not attisdropped order by attnum`.execute(
      trx,
    );
    const rows = await sql.raw<Record<string, unknown>>(text).execute(trx);
    await sql.raw('drop view pg_temp.mb_card').execute(trx);
    return { columns: cols.rows.map((c) => c.name), types: cols.rows.map((c) => c.type), rows: rows.rows };
  });
}

let dataset: Dataset;
beforeAll(async () => {
  dataset = await loadDataset(BUNDLED_DATA_DIR);
});

describe.each(LEDGER_BACKENDS)('every card on the real ledger ($name)', (backend) => {
  const { skip } = backend;
  const scratch = useLedgerScratch(backend, 'mb-views-', 'mb_views');
  const { configFor } = scratch;
  let emu: RunningEmulator;
  let ledger: PostgresLedger;
  const clock = runningClock();
  const db = () => ledger.db as unknown as Kysely<unknown>;
  const q = async <T>(text: string) => (await sql.raw<T>(text).execute(db())).rows;

  /** Rebalances of one account as the CLI runs them (one set of adapters for the days given, then closed). */
  const rebalance = async (overrides: Overrides, days: (string | undefined)[], apiKey?: string) => {
    const loaded = configFor(overrides);
    const adapters = await openAdapters(
      loaded.config,
      logger,
      apiKey ? { credentials: { apiKey, apiSecret: SECRET, privateKeyPath: null } } : {},
    );
    try {
      const results = [];
      for (const asOf of days) {
        results.push(await rebalanceAsCli(adapters.deps, loaded, asOf ? { asOf } : {}));
      }
      return results;
    } finally {
      await adapters.close();
    }
  };

  beforeAll(async () => {
    if (skip) return;
    const { dir, dbUrl } = scratch;
    // 1. A recorded backtest (January 2021, 10 days), as `momentum-rebalancer backtest --account lab`
    //    runs and records it (src/cli/backtest-command.ts), in process: the same use cases and ledger.
    const loaded = configFor({ paper: { account: 'lab' } });
    const settings = settingsFrom(loaded.config);
    const period = checkBacktestPeriod(dataset, settings, '2021-01-01', '2021-01-10');
    const market = backtestMarketOf(
      dataset,
      backtestWindow(period.from, period.to, settings.strategy.lookbackDays, entryFilterOn(settings)),
    );
    const startedAt = Date.now();
    const bt = runBacktest(market, {
      settings,
      from: period.from,
      to: period.to,
      effectiveConfig: loaded.redacted(),
    });
    const btLedger = await openLedger({
      ...(dbUrl ? { url: dbUrl } : { dataDir: path.join(dir, 'pglite') }),
      migrate: true,
    });
    try {
      await recordBacktest(btLedger, {
        account: 'lab',
        quoteAsset: settings.quoteAsset,
        initialQuote: settings.initialQuote,
        strategyMode: settings.strategy.mode,
        rebalanceMode: settings.portfolio.rebalanceMode,
        config: bt.result.config,
        from: bt.from,
        to: bt.to,
        days: bt.result.equity.map((p) => p.date),
        equity: bt.exact.strategy,
        btc: bt.exact.btc_hold,
        equalWeight: bt.exact.equal_weight,
        metrics: bt.result.metrics,
        benchmarks: bt.result.benchmarks,
        trades: bt.tradeCount,
        rejected: bt.rejectedCount,
        engine: bt.engine,
        startedAt,
        finishedAt: Date.now(),
        timings: { simulation: Math.round(bt.simulationMs) },
      });
    } finally {
      await btLedger.close();
    }
    // 2. Two replay rebalances with 25 bps simulated slippage.
    const replay: Overrides = {
      paper: { account: 'mb-replay' },
      strategy: { top_n: '3' },
      execution: { slippage_bps: '25' },
    };
    const replayed = await rebalance(replay, ['2021-03-01', '2021-03-02']);
    expect(replayed.map((r) => r.run.status)).toEqual(['completed', 'completed']);
    // 2b. An intraday pass with exits (the case of test/e2e/intraday-replay.test.ts: after the 2021-03-01
    //     rebalance, the pass at 2021-03-02T00:00Z sells MATIC and UNFI at their trailing stops).
    const intraday: Overrides = {
      paper: { account: 'mb-intraday' },
      strategy: { top_n: '2' },
      universe: { include: 'MATICUSDT,UNFIUSDT,BTCUSDT,ETHUSDT,ADAUSDT' },
      risk: { stop_loss: '0.05', trailing_stop: '0.1' },
    };
    await rebalance(intraday, ['2021-03-01']);
    {
      const loaded = configFor(intraday);
      const opened = await openIntradayAdapters(loaded.config, logger, {
        atMs: Date.parse('2021-03-02T00:00:00Z'),
      });
      try {
        const pass = await runIntraday(opened.deps, {
          settings: settingsFrom(loaded.config),
          dryRun: false,
          effectiveConfig: loaded.redacted(),
        });
        expect(pass.exits.length, JSON.stringify(pass.run)).toBeGreaterThan(0);
      } finally {
        await opened.close();
      }
    }
    // 3. One testnet rebalance through the emulator at 00:00:30 of 2021-01-01 (price = the open).
    clock.set('2021-01-01', 30_000);
    emu = await startEmulator({
      dataset,
      now: clock.now,
      accounts: [
        {
          apiKey: 'k-mb',
          secret: SECRET,
          balances: { USDT: '10500' },
          takerCommission: '0.001',
          makerCommission: '0.001',
          payFeesInBnb: false,
        },
      ],
    });
    // The emulator shares this process's event loop: its first GET /api/v3/ticker/price answer is built
    // synchronously (measured 5.1 s at load average 15), which stalled the run's ledger pool past its 5 s
    // connect timeout ("timeout exceeded when trying to connect"). Warm it first (plain public GETs).
    for (const p of ['/api/v3/exchangeInfo', '/api/v3/ticker/price', '/api/v3/time']) {
      const res = await fetch(`${emu.baseUrl}${p}`);
      expect(res.ok, p).toBe(true);
      await res.arrayBuffer();
    }
    const [t] = await rebalance(
      {
        paper: { account: 'mb-testnet' },
        universe: { include: 'BTCUSDT' },
        strategy: { top_n: '1' },
        exchange: { kind: 'testnet', base_url: emu.baseUrl },
      },
      [undefined],
      'k-mb',
    );
    expect(t?.run.status, JSON.stringify(t?.run)).toBe('completed');
    ledger = await openLedger(dbUrl ? { url: dbUrl } : { dataDir: path.join(dir, 'pglite') });
  }, 120_000);

  afterAll(async () => {
    if (skip) return;
    await ledger?.close();
    await emu?.close();
  });

  const ACCOUNT_OF: Record<string, string[]> = {
    'live.json': ['mb-replay', 'mb-testnet', 'mb-intraday'],
    'backtests.json': ['lab-backtest'],
  };
  const cases = files.flatMap((f) =>
    (dashboards.get(f) as Dashboard).cards.map((c) => ({ file: f, key: c.key, card: c })),
  );

  it.skipIf(skip).each(cases)(
    '$file $key: runs with and without the account filter and returns exactly its columns',
    async ({ file, card }) => {
      const variants = [{}, ...(ACCOUNT_OF[file] ?? []).map((a) => ({ account: a }))];
      const counts: number[] = [];
      for (const values of variants) {
        const text = renderSql(card.sql, values);
        const r = await runCard(db(), text);
        expect(r.columns, text).toEqual(card.columns);
        counts.push(r.rows.length);
      }
      // Unfiltered, and for at least one account, the card shows something (a replay account has no
      // latency and no exchange to reconcile with: those cards are empty for it).
      expect(counts[0], card.sql).toBeGreaterThan(0);
      expect(Math.max(...counts.slice(1)), card.sql).toBeGreaterThan(0);
    },
  );

  const one = async (file: string, key: string, account: string) => {
    const card = (dashboards.get(file) as Dashboard).cards.find((c) => c.key === key) as Card;
    return runCard(db(), renderSql(card.sql, { account }));
  };
  const str = (v: unknown) => String(v);

  it.skipIf(skip)('money stays numeric through the views; times are timestamptz', async () => {
    const r = await one('live.json', 'orders', 'mb-replay');
    const type = (c: string) => r.types[r.columns.indexOf(c)];
    for (const c of ['decision_price', 'avg_fill_price', 'slippage_bps', 'executed_quote', 'fees_quote'])
      expect(type(c), c).toBe('numeric');
    expect(type('decided_at')).toBe('timestamp with time zone');
    const e = await one('live.json', 'equity', 'mb-replay');
    expect(e.types).toEqual(['date', 'text', 'numeric', 'numeric']);
  });

  it.skipIf(skip)(
    'equity and drawdown: the last day equals the last equity snapshot; peak = initial 10000; drawdown = 1 − E / peak',
    async () => {
      const e = await one('live.json', 'equity', 'mb-replay');
      const snap = await q<{ day: string; equity: string }>(`
        select s.day::text as day, s.equity::text as equity from equity_snapshots s
        join accounts a on a.id = s.account_id where a.name = 'mb-replay' order by s.day desc, s.marked_at desc limit 1`);
      const last = e.rows.at(-1) as Record<string, unknown>;
      expect(e.rows.map((r) => str(r.day))).toEqual(['2021-03-01', '2021-03-02']);
      expect(dec(str(last.equity)).eq(dec(snap[0]?.equity as string))).toBe(true);
      // Both days end below the initial 10 000 or above it; the peak is max(initial, equities so far).
      const eq = e.rows.map((r) => dec(str(r.equity)));
      const peak1 = Decimal.max(dec(10000), eq[0] as Decimal);
      const peak2 = Decimal.max(peak1, eq[1] as Decimal);
      expect(dec(str(e.rows[0]?.peak)).eq(peak1)).toBe(true);
      expect(dec(str(last.peak)).eq(peak2)).toBe(true);
      const dd = await one('live.json', 'drawdown', 'mb-replay');
      const want = dec(1).minus((eq[1] as Decimal).div(peak2));
      expect(
        dec(str(dd.rows.at(-1)?.drawdown))
          .minus(want)
          .abs()
          .lt(1e-15),
      ).toBe(true);
      // Total P/L scalar = last equity − 10 000.
      const p = await one('live.json', 'pnl_total', 'mb-replay');
      expect(dec(str(p.rows[0]?.total_pnl)).eq((eq[1] as Decimal).minus(10000))).toBe(true);
    },
  );

  it.skipIf(skip)(
    'P/L by asset sums to the total P/L; holdings of the last day sum to the equity, weights to 1',
    async () => {
      const p = await one('live.json', 'pnl_by_asset', 'mb-replay');
      const total = p.rows.reduce((s, r) => s.plus(str(r.total_pnl)), dec(0));
      const eq = await q<{ equity: string; initial: string }>(`
        select s.equity::text as equity, a.initial_quote::text as initial from equity_snapshots s
        join accounts a on a.id = s.account_id where a.name = 'mb-replay' order by s.id desc limit 1`);
      // Accounting identity (docs/ledger.md): equity − initial_quote = Σ realized + Σ unrealized.
      expect(total.eq(dec(eq[0]?.equity as string).minus(eq[0]?.initial as string))).toBe(true);
      const h = await one('live.json', 'holdings_now', 'mb-replay');
      const value = h.rows.reduce((s, r) => s.plus(str(r.value_quote)), dec(0));
      expect(value.eq(dec(eq[0]?.equity as string))).toBe(true);
      expect(h.rows.length).toBe(4); // top 3 + USDT cash
      const w = await one('live.json', 'holdings', 'mb-replay');
      const lastDay = w.rows.filter((r) => str(r.day) === '2021-03-02');
      expect(
        lastDay
          .reduce((s, r) => s.plus(str(r.weight)), dec(0))
          .minus(1)
          .abs()
          .lt(1e-15),
      ).toBe(true);
    },
  );

  it.skipIf(skip)(
    'orders: slippage hand-computed from one fill (25 bps by construction), fees = its fills, latency on testnet only',
    async () => {
      const o = await one('live.json', 'orders', 'mb-replay');
      const buy = o.rows.find((r) => r.side === 'BUY' && r.status === 'FILLED') as Record<string, unknown>;
      const fill = await q<{
        price: string;
        quantity: string;
        quote_quantity: string;
        commission_quote: string;
      }>(`
        select f.price::text as price, f.quantity::text as quantity, f.quote_quantity::text as quote_quantity,
               f.commission_quote::text as commission_quote
        from fills f join orders o on o.id = f.order_id
        where o.client_order_id = (select client_order_id from order_fills where account = 'mb-replay'
          and side = 'BUY' and status = 'FILLED' order by decided_at desc, order_id desc limit 1)`);
      expect(fill).toHaveLength(1);
      const f = fill[0] as {
        price: string;
        quantity: string;
        quote_quantity: string;
        commission_quote: string;
      };
      // BUY: (avg − decision) / decision × 1e4, avg = the one fill's q × p / q = its price.
      const decision = dec(str(buy.decision_price));
      const slip = dec(f.price).minus(decision).div(decision).times(10_000);
      expect(dec(str(buy.avg_fill_price)).eq(f.price)).toBe(true);
      expect(dec(str(buy.slippage_bps)).minus(slip).abs().lte(5e-7)).toBe(true);
      // Simulated fill = decision × (1 + 25 / 1e4) (then the price tick): about +25 bps, worse = positive.
      expect(Math.abs(Number(slip) - 25)).toBeLessThan(0.5);
      expect(dec(str(buy.fees_quote)).eq(f.commission_quote)).toBe(true);
      expect(buy.latency_ms).toBeNull();
      const sells = o.rows.filter((r) => r.side === 'SELL' && r.slippage_bps !== null);
      for (const s of sells) expect(Number(s.slippage_bps)).toBeGreaterThan(0);
      // Testnet: BTCUSDT bought at the open 28923.63 = its decision price → 0 bps; commission
      // 0.00034573 BTC × 28923.63 = 9.9997665999 USDT (rebalance.test.ts hand computation); a latency.
      const t = await one('live.json', 'orders', 'mb-testnet');
      expect(t.rows).toHaveLength(1);
      expect(t.rows[0]).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', status: 'FILLED' });
      expect(dec(str(t.rows[0]?.decision_price)).eq('28923.63')).toBe(true);
      expect(dec(str(t.rows[0]?.avg_fill_price)).eq('28923.63')).toBe(true);
      expect(dec(str(t.rows[0]?.slippage_bps)).isZero()).toBe(true);
      expect(dec(str(t.rows[0]?.fees_quote)).eq('9.9997665999')).toBe(true);
      expect(Number(t.rows[0]?.latency_ms)).toBeGreaterThanOrEqual(0);
      const lat = await one('live.json', 'latency', 'mb-testnet');
      expect(lat.rows).toHaveLength(1);
    },
  );

  it.skipIf(skip)(
    'fees and turnover: testnet day 2021-01-01 traded 9999.7665999 for 9.9997665999 fees; turnover = traded / equity',
    async () => {
      const r = await one('live.json', 'fees_turnover', 'mb-testnet');
      expect(r.rows).toHaveLength(1);
      const row = r.rows[0] as Record<string, unknown>;
      expect(str(row.day)).toBe('2021-01-01');
      expect(dec(str(row.traded_quote)).eq('9999.7665999')).toBe(true);
      expect(dec(str(row.fees_quote)).eq('9.9997665999')).toBe(true);
      const eq = await q<{ equity: string }>(`
        select s.equity::text as equity from equity_snapshots s join accounts a on a.id = s.account_id
        where a.name = 'mb-testnet'`);
      const want = dec('9999.7665999').div(eq[0]?.equity as string);
      expect(dec(str(row.turnover)).minus(want).abs().lt(1e-15)).toBe(true);
      const fees = await one('live.json', 'fees_total', 'mb-testnet');
      expect(dec(str(fees.rows[0]?.fees_quote)).eq('9.9997665999')).toBe(true);
    },
  );

  it.skipIf(skip)(
    'universe: exclusion counts per reason equal the decisions table; the latest run listed whole',
    async () => {
      const c = await one('live.json', 'universe_exclusions', 'mb-replay');
      const want = await q<{ period: string; reason: string; n: string }>(`
      select r.period::text as period, u.reason, count(*)::text as n from universe_decisions u
      join runs r on r.id = u.run_id join accounts a on a.id = r.account_id
      where a.name = 'mb-replay' and u.reason is not null group by r.period, u.reason order by 1, 2`);
      expect(want.length).toBeGreaterThan(0);
      expect(c.rows.map((r) => [str(r.period), r.reason, str(r.symbols)])).toEqual(
        want.map((w) => [w.period, w.reason, w.n]),
      );
      const u = await one('live.json', 'universe_latest', 'mb-replay');
      expect(u.rows.filter((r) => r.selected === true).map((r) => r.rank)).toEqual([1, 2, 3]);
      expect(u.rows.every((r) => str(r.period) === '2021-03-02')).toBe(true);
    },
  );

  it.skipIf(skip)(
    'reconciliation: the exchange holds 500 USDT more than the book (10 500 vs 10 000 managed); BTC equal',
    async () => {
      const r = await one('live.json', 'reconciliation', 'mb-testnet');
      const by = new Map(r.rows.map((x) => [x.asset as string, x]));
      // USDT: book 10000 − 9999.7665999 = 0.2334001; exchange 10500 − 9999.7665999 = 500.2334001.
      expect(dec(str(by.get('USDT')?.book_quantity)).eq('0.2334001')).toBe(true);
      expect(dec(str(by.get('USDT')?.exchange_quantity)).eq('500.2334001')).toBe(true);
      expect(dec(str(by.get('USDT')?.difference)).eq(500)).toBe(true);
      // BTC: 0.34573 − commission 0.00034573 = 0.34538427 on both sides.
      expect(dec(str(by.get('BTC')?.book_quantity)).eq('0.34538427')).toBe(true);
      expect(dec(str(by.get('BTC')?.difference)).isZero()).toBe(true);
      expect(by.get('BTC')?.recorded_phase).toBeNull();
      // A replay account has no exchange: no row.
      const none = await runCard(
        db(),
        "select * from reconciliation_differences where account = 'mb-replay'",
      );
      expect(none.rows).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'backtests: overview final equity = the last point of its curve; curve indexed to 1 at the start; benchmarks present',
    async () => {
      const o = await one('backtests.json', 'overview', 'lab-backtest');
      expect(o.rows).toHaveLength(1);
      const curve = await q<{ day: string; equity: string }>(`
        select day::text as day, equity::text as equity from backtest_equity
        where run_id = ${Number(o.rows[0]?.run_id)} order by day`);
      // 2021-01-01 … 2021-01-10 plus the day before --from (= initial_quote): 11 points.
      expect(curve).toHaveLength(11);
      expect(dec(str(o.rows[0]?.final_equity)).eq(curve.at(-1)?.equity as string)).toBe(true);
      expect(o.rows[0]).toMatchObject({ top_n: expect.any(Number), strategy_mode: 'momentum' });
      const idx = await one('backtests.json', 'equity_index', 'lab-backtest');
      expect(idx.rows).toHaveLength(11);
      expect(dec(str(idx.rows[0]?.equity_index)).eq(1)).toBe(true);
      const b = await one('backtests.json', 'latest_vs_benchmarks', 'lab-backtest');
      expect(b.rows).toHaveLength(11);
      expect(b.rows.every((r) => r.benchmark_btc !== null && r.benchmark_equal_weight !== null)).toBe(true);
      const dd = await one('backtests.json', 'drawdowns', 'lab-backtest');
      for (const r of dd.rows) expect(Number(r.drawdown)).toBeGreaterThanOrEqual(0);
    },
  );
});
