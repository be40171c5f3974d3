/**
 * The self-contained HTML backtest report (src/report/html-report.ts), rendered from a fixture and
 * opened offline in headless Chromium (Debian's /usr/bin/chromium via playwright-core): every network
 * request is aborted and must not even be attempted, all four charts must draw non-blank canvases, the
 * log-scale toggle must switch the equity chart's y scale, no script error may occur, and the monthly
 * table must hold the hand-computed values. A screenshot goes to test-results/html-report.png.
 *
 * Without Chromium the browser part is skipped locally (with a message) but FAILS under CI (`CI` set).
 * CHROMIUM_PATH overrides the executable.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  BacktestMetrics,
  BacktestRejection,
  BacktestResult,
  BacktestTrade,
  EquityPoint,
  HoldingsPoint,
} from '../../src/app/backtest-result.ts';
import { ERROR_HANDLER_SCRIPT, REPORT_CLIENT_SCRIPT } from '../../src/report/client-script.ts';
import { jsonForScript, REPORT_CHART_IDS, renderBacktestReport } from '../../src/report/html-report.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = path.join(ROOT, 'test-results', 'html-report.png');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = Boolean(process.env.CI);

// ---------------------------------------------------------------------------------------------
// Fixture: a RENDERING fixture, not strategy output. 400 daily points from 2023-12-31 (day 0 =
// initial_quote, the day before --from) to 2025-02-02; every series is a fixed formula of the day
// index i, so values can be recomputed by hand. The metrics are made-up constants.
// ---------------------------------------------------------------------------------------------

const START = Date.UTC(2023, 11, 31);
const N_DAYS = 400;
const dateOf = (i: number) => new Date(START + i * 86_400_000).toISOString().slice(0, 10);

/** Strategy equity: `E(i) = 10000 + 25·i + 900·sin(2π·i/100)`. */
const strategyEquity = (i: number) => 10_000 + 25 * i + 900 * Math.sin((2 * Math.PI * i) / 100);
const btcEquity = (i: number) =>
  10_000 * (1 + (0.9 * i) / (N_DAYS - 1)) * (1 + 0.15 * Math.sin((2 * Math.PI * i) / 150));
const ewEquity = (i: number) => 10_000 + 12 * i + 700 * Math.sin((2 * Math.PI * i) / 60);

const PRICE: Record<string, (i: number) => number> = {
  BTC: (i) => 40_000 + 50 * i,
  ETH: (i) => 2_200 + 3 * i,
  SOL: (i) => 100 + 0.2 * i,
};
const ASSETS = ['BTC', 'ETH', 'SOL'] as const;

function metrics(over: Partial<BacktestMetrics>): BacktestMetrics {
  return {
    total_return: 0.9975,
    cagr: 0.8791,
    volatility: 0.2712,
    sharpe: 2.41,
    sortino: 3.05,
    max_drawdown: 0.1043,
    calmar: 8.43,
    fees: 123.456,
    turnover: 14.2,
    n_trades: 115,
    ...over,
  };
}

/** A fill on day `i`: `notional` USDT of `asset` at `price`, `commission` paid in `commissionAsset`. */
function trade(
  i: number,
  asset: string,
  side: BacktestTrade['side'],
  notional: number,
  price: number,
  commission: number,
  commissionAsset: string,
): BacktestTrade {
  return {
    date: dateOf(i),
    symbol: `${asset}USDT`,
    side,
    quantity: (notional / price).toFixed(8),
    price: price.toFixed(2),
    quote_quantity: notional.toFixed(8),
    commission: commission.toFixed(8),
    commission_asset: commissionAsset,
  };
}

function buildFixture(): BacktestResult {
  const curve = (f: (i: number) => number): EquityPoint[] =>
    Array.from({ length: N_DAYS }, (_, i) => ({ date: dateOf(i), equity: f(i) }));
  const holdings = Array.from({ length: N_DAYS }, (_, i): HoldingsPoint => {
    const e = strategyEquity(i);
    if (i === 0) return { date: dateOf(i), values: { USDT: e } };
    const w = {
      BTC: 0.3 + 0.1 * Math.sin(i / 25),
      ETH: 0.25 + 0.08 * Math.cos(i / 35),
      SOL: 0.2 + 0.07 * Math.sin(i / 45 + 1),
    };
    return {
      date: dateOf(i),
      values: { BTC: w.BTC * e, ETH: w.ETH * e, SOL: w.SOL * e, USDT: (1 - w.BTC - w.ETH - w.SOL) * e },
    };
  });
  const trades: BacktestTrade[] = [];
  for (let i = 1, k = 0; i < N_DAYS; i += 7, k++) {
    const sell = ASSETS[k % 3] as string;
    const buy = ASSETS[(k + 1) % 3] as string;
    const notional = 500 + 10 * k;
    const ps = (PRICE[sell] as (i: number) => number)(i);
    const pb = (PRICE[buy] as (i: number) => number)(i);
    trades.push(
      trade(i, sell, 'SELL', notional, ps, notional * 0.001, 'USDT'),
      // One fill paid in BNB: the report cannot value it and says so.
      trade(i, buy, 'BUY', notional, pb, (notional / pb) * 0.001, k === 3 ? 'BNB' : buy),
    );
  }
  const rejected: BacktestRejection[] = [
    { date: '2024-03-05', symbol: 'SOLUSDT', side: 'BUY', reason: 'min_notional' },
    // Not a valid symbol: proves that text from the result is escaped, never parsed as HTML.
    {
      date: '2024-06-01',
      symbol: '<img src=x onerror="window.__pwned=1">',
      side: 'SELL',
      reason: 'no_price',
    },
  ];
  return {
    config: {
      strategy: { mode: 'momentum', lookback_days: 30, top_n: 3, rebalance_every_days: 7 },
      universe: { quote_asset: 'USDT', include: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], exclude: [] },
      execution: { fee_rate: '0.001', slippage_bps: 0 },
      paper: { initial_quote: '10000' },
      database: { url: 'postgres://bob:hunter2@db.example/ledger' },
      note: '</script><script>window.__pwned=2</script><!--',
    },
    equity: curve(strategyEquity),
    trades,
    rejected,
    metrics: metrics({}),
    benchmarks: {
      btc_hold: metrics({ total_return: 0.9, sharpe: 1.2, calmar: null, n_trades: 1, fees: 10, turnover: 1 }),
      equal_weight: metrics({ total_return: 0.6, sortino: null, volatility: null }),
    },
    benchmark_equity: { btc_hold: curve(btcEquity), equal_weight: curve(ewEquity) },
    holdings,
    exits: [],
    halted_at: null,
  };
}

const fixture = buildFixture();
const html = renderBacktestReport(fixture, { title: 'Fixture <report> & co' });

describe('HTML report: the page text', () => {
  it('is one self-contained file: no http(s) script/link/img source, the CSP forbids the network', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<script\b/g)).toHaveLength(4); // error handler, data, uPlot, report
    expect(html).toContain('uPlot'); // inlined library
  });

  it('escapes text from the result (config values, symbols, title) and keeps the JSON script-safe', () => {
    expect(html).not.toContain('window.__pwned=2</script>');
    expect(html).toContain('&#60;/script&#62;&#60;script&#62;window.__pwned=2');
    expect(html).toContain('&#60;img src=x onerror=&#34;window.__pwned=1&#34;&#62;');
    expect(html).toContain('<title>Fixture &#60;report&#62; &#38; co</title>');
    expect(html).not.toContain('hunter2'); // URL password redacted
    const json = jsonForScript({ s: '</script><!-- \u2028\u2029 &' });
    expect(json).not.toMatch(/<|>|&|\u2028|\u2029/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!-- \u2028\u2029 &' });
  });

  it('the inlined browser scripts are valid JavaScript without backticks or template holes', () => {
    for (const src of [ERROR_HANDLER_SCRIPT, REPORT_CLIENT_SCRIPT]) {
      expect(() => new vm.Script(src)).not.toThrow();
      expect(src).not.toMatch(/`|\$\{|<\/script/i);
    }
  });

  it('stays small: daily curves and monthly trade totals only, never the individual trades', () => {
    const bytes = Buffer.byteLength(html);
    process.stdout.write(`html-report: 400-day fixture page = ${bytes} bytes\n`);
    expect(bytes).toBeLessThan(200_000);
    expect(html).not.toContain(fixture.trades[0]?.quantity as string);
  });
});

// ---------------------------------------------------------------------------------------------
// In Chromium. The project's tsconfig has no DOM lib: the few page shapes used inside page.evaluate are
// declared here (module-scoped).
// ---------------------------------------------------------------------------------------------

interface DomEl {
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
  querySelector(selector: string): DomEl | null;
}
interface DomCanvas extends DomEl {
  readonly width: number;
  readonly height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface PageGlobals {
  __charts: Record<'equity' | 'drawdown' | 'fees' | 'holdings', { scales: { y: { distr: number } } }>;
  __pwned?: unknown;
}
declare const document: {
  readonly body: DomEl;
  readonly scripts: { readonly length: number };
  readonly images: { readonly length: number };
  getElementById(id: string): DomEl | null;
  querySelector(selector: string): DomEl | null;
  querySelectorAll(selector: string): Iterable<DomEl>;
};
declare const window: PageGlobals;

if (!HAVE_CHROMIUM) {
  if (IN_CI) {
    // Under CI a missing browser is a failure, not a skip (.ci/run installs Debian's chromium).
    it('Chromium is installed (required under CI)', () => {
      throw new Error(`Chromium is missing at ${CHROMIUM}: the browser checks of the HTML report cannot run`);
    });
  } else {
    process.stderr.write(
      `html-report.test: SKIPPING the browser checks: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`,
    );
  }
}

describe.skipIf(!HAVE_CHROMIUM)('HTML report in headless Chromium (offline)', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const attempted: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'html-report-'));
    const file = path.join(dir, 'report.html');
    writeFileSync(file, html);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      attempted.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-ready]', { timeout: 20_000 });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws all four charts on non-blank canvases, without errors or network requests', async () => {
    expect(await page.evaluate(() => document.body.dataset.chartsReady)).toBe(
      String(REPORT_CHART_IDS.length),
    );
    for (const id of REPORT_CHART_IDS) {
      const info = await page.evaluate((chartId) => {
        const el = document.getElementById(chartId);
        const canvas = el?.querySelector('canvas') as DomCanvas | null | undefined;
        if (!el || !canvas) return null;
        const ctx = canvas.getContext('2d');
        const img = ctx?.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        const colors = new Set<number>();
        if (img) {
          for (let p = 0; p < img.length; p += 4) {
            if ((img[p + 3] as number) > 0) {
              painted++;
              colors.add(((img[p] as number) << 16) | ((img[p + 1] as number) << 8) | (img[p + 2] as number));
            }
          }
        }
        return {
          drawn: el.dataset.drawn,
          width: canvas.width,
          height: canvas.height,
          painted,
          colors: colors.size,
        };
      }, id);
      expect(info, id).not.toBeNull();
      expect(info?.drawn, id).toBe('true');
      expect(info?.width, id).toBeGreaterThan(300);
      expect(info?.height, id).toBeGreaterThan(100);
      // Axes, grid and series: a few % of the pixels at least, in several colours.
      expect(info?.painted, id).toBeGreaterThan(((info?.width ?? 0) * (info?.height ?? 0)) / 50);
      expect(info?.colors, id).toBeGreaterThan(3);
    }
    expect(await page.evaluate(() => document.body.dataset.error)).toBeUndefined();
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(attempted).toEqual([]);
  });

  it('escaped data stays text: no injected element or script ran', async () => {
    const r = await page.evaluate(() => ({
      pwned: window.__pwned,
      scripts: document.scripts.length,
      imgs: document.images.length,
      rejectedSymbols: [...document.querySelectorAll('#table-rejections tbody tr td:nth-child(2)')].map(
        (td) => td.textContent,
      ),
    }));
    expect(r.pwned).toBeUndefined();
    expect(r.scripts).toBe(4);
    expect(r.imgs).toBe(0);
    expect(r.rejectedSymbols).toEqual(['SOLUSDT', '<img src=x onerror="window.__pwned=1">']);
  });

  it('monthly returns: one row per year with a value (2024, 2025) and the hand-computed February 2024', async () => {
    const rows = await page.$$eval('#table-monthly tbody tr', (trs) =>
      trs.map((tr) => tr.querySelector('th')?.textContent),
    );
    // Dec 2023 holds only the base point (day 0 = initial_quote), so 2023 has no row.
    expect(rows).toEqual(['2024', '2025']);
    // Feb 2024 = E(2024-02-29) / E(2024-01-31) − 1, i = 60 and i = 31:
    //   E(31) = 10000 + 25·31 + 900·sin(0.62π) = 10775 + 900·0.929776 = 11611.80
    //   E(60) = 10000 + 25·60 + 900·sin(1.20π) = 11500 − 900·0.587785 = 10970.99
    //   r = 10970.99 / 11611.80 − 1 = −0.05519 → "-5.5%"
    const feb = await page.$eval('#table-monthly td[data-ym="2024-02"]', (td) => ({
      text: td.textContent,
      value: Number((td as unknown as DomEl).dataset.value),
    }));
    expect(feb.text).toBe('-5.5%');
    expect(feb.value).toBeCloseTo(10970.99 / 11611.8 - 1, 4);
    // Jan 2024 starts from the base point: E(31) / E(0) − 1 = 11611.80 / 10000 − 1 = +16.1 %.
    expect(await page.$eval('#table-monthly td[data-ym="2024-01"]', (td) => td.textContent)).toBe('+16.1%');
    // 2025 has January and February (to 2025-02-02) only.
    const y2025 = await page.$$eval('#table-monthly tbody tr:nth-child(2) td', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(y2025.slice(2, 12)).toEqual(Array(10).fill('—'));
  });

  it('the log-scale toggle re-creates the equity chart with a log y axis (distr 3) and back', async () => {
    const distr = () => page.evaluate(() => window.__charts.equity.scales.y.distr);
    expect(await distr()).toBe(1);
    await page.click('#log-toggle');
    await page.waitForFunction(() => window.__charts.equity.scales.y.distr === 3);
    await page.waitForSelector('#chart-equity[data-drawn="true"]');
    expect(await page.$$eval('#chart-equity canvas', (cs) => cs.length)).toBe(1); // old chart destroyed
    await page.click('#log-toggle');
    await page.waitForFunction(() => window.__charts.equity.scales.y.distr === 1);
    expect(await page.evaluate(() => document.body.dataset.error)).toBeUndefined();
  });

  it('a result without equity, trades or holdings still renders (empty charts, no error)', async () => {
    const none: BacktestMetrics = metrics({ volatility: null, sharpe: null, sortino: null, calmar: null });
    const empty: BacktestResult = {
      config: {},
      equity: [],
      trades: [],
      rejected: [],
      metrics: none,
      benchmarks: { btc_hold: none, equal_weight: none },
      benchmark_equity: { btc_hold: [], equal_weight: [] },
      holdings: [],
      exits: [],
      halted_at: null,
    };
    const file = path.join(dir, 'empty.html');
    writeFileSync(file, renderBacktestReport(empty));
    const p2 = await page.context().newPage();
    const errors: string[] = [];
    p2.on('pageerror', (e) => errors.push(e.message));
    await p2.goto(pathToFileURL(file).href);
    await p2.waitForSelector('body[data-charts-ready="4"]', { timeout: 10_000 });
    await p2.click('#log-toggle');
    await p2.waitForFunction(() => window.__charts.equity.scales.y.distr === 3);
    expect(await p2.evaluate(() => document.body.dataset.error)).toBeUndefined();
    expect(await p2.$$eval('#table-monthly tbody tr', (trs) => trs.length)).toBe(1); // the "no month" note
    expect(errors).toEqual([]);
    await p2.close();
  });

  it('report fixes (issue 12 item 5): log scale by default above 10×, rejections grouped by reason, holdings by rank named in the tooltip', async () => {
    // The fixture's equity spans 10000 → ~12000: linear by default (checked above). Here equity grows
    // 1 % a day for 400 days (1.01^399 ≈ 53×): the page must open on the log scale.
    const base = buildFixture();
    const grown: BacktestResult = {
      ...base,
      equity: base.equity.map((p, i) => ({ date: p.date, equity: 1000 * 1.01 ** i })),
    };
    const file = path.join(dir, 'grown.html');
    writeFileSync(file, renderBacktestReport(grown));
    const p2 = await page.context().newPage();
    await p2.goto(pathToFileURL(file).href);
    await p2.waitForSelector('body[data-charts-ready="4"]', { timeout: 10_000 });
    expect(await p2.evaluate(() => window.__charts.equity.scales.y.distr)).toBe(3);
    expect(await p2.$eval('#log-toggle', (el) => (el as unknown as { checked: boolean }).checked)).toBe(true);
    await p2.close();

    // Rejections: one row per reason with its count, before the listing (fixture: 1 min_notional, 1 no_price).
    const reasons = await page.$$eval('#table-rejection-reasons tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(reasons).toEqual([
      ['min_notional', '1'],
      ['no_price', '1'],
    ]);
    // Holdings by rank: the legend's series are #1 (largest), #2, #3 and cash; no "other" band.
    const labels = await page.$$eval('#chart-holdings .u-legend th', (ths) =>
      ths.map((th) => th.textContent?.trim()),
    );
    expect(labels).toEqual(['Date', '#1 (largest)', '#2', '#3', 'USDT (cash)']);
  });

  it('resizes with the window and saves a full-page screenshot', async () => {
    await page.setViewportSize({ width: 900, height: 900 });
    await page.waitForFunction(() => {
      const c = document.querySelector('#chart-equity canvas') as DomCanvas | null;
      return c !== null && c.width < 900;
    });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.waitForFunction(() => {
      const c = document.querySelector('#chart-equity canvas') as DomCanvas | null;
      return c !== null && c.width > 1000;
    });
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(await page.evaluate(() => document.body.dataset.error)).toBeUndefined();
    expect(attempted).toEqual([]);
  });
});
