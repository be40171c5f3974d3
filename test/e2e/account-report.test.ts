/**
 * `momentum-rebalancer report --out FILE.html` (issue 12 item 4) through the real CLI on the embedded
 * PGlite ledger after two real replay rebalances (top 3, 25 bps slippage), the page opened offline in
 * headless Chromium. Expected values come from the rebalances' own --json output (independent of the
 * report's reader): every order appears with its decision price, fill price and slippage — 25 bps by
 * construction: fill = decision × (1 ± 25 / 1e4), so (fill − decision) / decision × 1e4 = ±25, signed
 * worse = positive — and P/L by asset equals the last run's `pnl.by_asset` exactly (strings). Also:
 * an unknown account and a missing --out exit 2 naming the problem; the page states that fills are
 * simulated (replay).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ENV = { REBALANCER_STRATEGY_TOP_N: '3', REBALANCER_EXECUTION_SLIPPAGE_BPS: '25' };

interface JsonOrder {
  symbol: string;
  side: string;
  decision_price: string;
  avg_price: string | null;
  slippage_bps: number | null;
}
interface JsonPnl {
  asset: string;
  quantity: string;
  market_value: string;
  realized: string;
  unrealized: string;
  fees: string;
}

describe('report --out: the live account HTML report', () => {
  let cwd: string;
  const orders: JsonOrder[] = [];
  let lastPnl: JsonPnl[] = [];
  beforeAll(async () => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'account-report-'));
    for (const day of ['2024-03-01', '2024-03-02']) {
      const r = await cli(cwd, ['rebalance', '--as-of', day, '--json'], ENV);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { orders: JsonOrder[]; pnl: { by_asset: JsonPnl[] } };
      orders.push(...out.orders);
      lastPnl = out.pnl.by_asset;
    }
  }, 120_000);
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('bad input: no --out, or an unknown account → exit 2 naming it, no file', async () => {
    const noOut = await cli(cwd, ['report']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out FILE\.html is required/);
    const unknown = await cli(cwd, ['report', '--account', 'nobody', '--out', 'x.html']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no account "nobody" in the ledger .*accounts: replay/);
    expect(existsSync(path.join(cwd, 'x.html'))).toBe(false);
  });

  it.skipIf(!HAVE_CHROMIUM)(
    'writes one offline page: charts drawn, orders with 25 bps slippage, P/L by asset equal to the ledger',
    async () => {
      const r = await cli(cwd, ['report', '--out', 'account.html']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /report of account "replay" written to .*account\.html .*2 day\(s\), 9 order\(s\)/,
      );
      const file = path.join(cwd, 'account.html');
      const html = readFileSync(file, 'utf8');
      expect(html).toContain('fills are simulated (replay)');
      let browser: Browser | undefined;
      try {
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const attempted: string[] = [];
        await context.route('**/*', (route) => {
          if (route.request().url().startsWith('file:')) return route.continue();
          attempted.push(route.request().url());
          return route.abort();
        });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-charts-ready="4"]', { timeout: 20_000 });
        expect(await page.getAttribute('body', 'data-error')).toBeNull();
        expect(errors).toEqual([]);
        expect(attempted).toEqual([]);
        // Orders: one row each, in decision order, with the decision price, fill price and slippage.
        const rows = await page.$$eval('#table-orders tbody tr', (trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
        );
        expect(rows.map((c) => [c[2], c[3], c[5], c[6], c[7]])).toEqual(
          orders.map((o) => [o.symbol, o.side, o.decision_price, o.avg_price, '25.00']),
        );
        // P/L by asset: the exact strings of the last run's pnl.by_asset (sorted by asset).
        const pnl = await page.$$eval('#table-pnl tbody tr', (trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
        );
        expect(pnl.map((c) => [c[0], c[1], c[2], c[3], c[4], c[6]])).toEqual(
          [...lastPnl]
            .sort((a, b) => (a.asset < b.asset ? -1 : 1))
            .map((p) => [p.asset, p.quantity, p.market_value, p.realized, p.unrealized, p.fees]),
        );
        // The metrics column is the account's own (no benchmarks).
        expect(await page.$$eval('#table-metrics thead th', (ths) => ths.map((t) => t.textContent))).toEqual([
          '',
          'Account',
        ]);
      } finally {
        await browser?.close();
      }
    },
    60_000,
  );
});
