/**
 * End-to-end: `[exchange] kind = paper` (issue 13 item 2) — market data from the PUBLIC endpoints of the
 * local Binance emulator through the same adapter as testnet (binance-api-node → HTTP → emulator), no API
 * key anywhere, orders filled by the simulated matching engine at the last price (GET /api/v3/ticker/price)
 * with slippage_bps per strategy-semantics.md §7, the book in the ledger (PGlite, and the Postgres server
 * when DATABASE_URL is set) — composed exactly as `npm run rebalance` composes it (openAdapters); the
 * second day also through the real CLI.
 *
 * A recording proxy between the client and the emulator lists every request: a paper run sends only
 * public GETs, never an order or account request.
 *
 * Also: the period guard (a second run of the day is skipped; a run whose prices arrive after midnight
 * fills nothing, issue 14.4) and one book per venue (issue 9.1: a testnet run on the paper account and a
 * paper run on a testnet or replay account are refused before any request, exit 78).
 *
 * Hand calculation of day 1 (BTC only, top 1, full mode, 10000 USDT, fee 0.001, slippage 10 bps):
 * the emulator's last price at 2021-01-01 00:00:30 is the open of the day's first hourly candle, 28923.63
 * (the same open the testnet test fills at); §7 BUY price p = 28923.63 × (1 + 10/1e4) = 28952.55363;
 * q = floor_step(10000 / 28952.55363 = 0.3453926768…, stepSize 0.00001) = 0.34539; cost q × p =
 * 0.34539 × 28952.55363 = 9999.9224982657 (exact: 28952.55363 × 34539 = 999992249.82657, ÷ 1e5);
 * commission q × f = 0.00034539 BTC; holding 0.34539 − 0.00034539 = 0.34504461 BTC; cash 10000 −
 * 9999.9224982657 = 0.0775017343 USDT.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { formatReport } from '../../src/cli/report.ts';
import { openLockedLedger } from '../../src/compose/ledger.ts';
import { openAdapters } from '../../src/compose/rebalance.ts';
import { BUNDLED_DATA_DIR } from '../../src/compose/settings.ts';
import { type Credentials, loadConfig, type Overrides } from '../../src/config/loader.ts';
import { Decimal, dec, decStr } from '../../src/domain/decimal.ts';
import { DAY_MS } from '../../src/domain/time.ts';
import {
  DEMO_API_KEY,
  DEMO_API_SECRET,
  type RunningEmulator,
  startEmulator,
} from '../../src/emulator/server.ts';
import type { Ledger } from '../../src/ports/ledger.ts';
import { cli } from '../support/cli.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { LEDGER_BACKENDS, useLedgerScratch } from '../support/ledger-scratch.ts';
import { rebalanceAsCli } from '../support/rebalance-as-cli.ts';

const logger = createLogger('silent', 'json');
/** No key in any environment of these tests: a paper run must not need one. */
const NO_KEYS = { BINANCE_API_KEY: '', BINANCE_API_SECRET: '', BINANCE_PRIVATE_KEY_PATH: '' };

let dataset: Dataset;
beforeAll(async () => {
  dataset = await loadDataset(BUNDLED_DATA_DIR);
});

describe.each(LEDGER_BACKENDS)(
  'paper exchange on the emulator’s public market data, ledger on $name',
  (backend) => {
    const { skip } = backend;
    const scratch = useLedgerScratch(backend, 'e2e-paper-', 'e2e_paper');
    let emu: RunningEmulator;
    let proxy: FaultProxy;

    beforeAll(async () => {
      if (skip) return;
      const { dir, dbUrl } = scratch;
      // The emulator's default clock: asOf 00:00 + real time elapsed; its demo account is never used.
      emu = await startEmulator({ dataset, asOf: '2021-01-01' });
      emu.control({ setClock: '2021-01-01T00:00:30Z' });
      proxy = await startFaultProxy(emu.baseUrl);
      // One config file for the in-process runs and the CLI: BTC only, top 1, 10 bps of slippage.
      writeFileSync(
        path.join(dir, 'user.cfg'),
        [
          '[exchange]',
          'kind = paper',
          '[strategy]',
          'top_n = 1',
          '[universe]',
          'include = BTCUSDT',
          '[execution]',
          'slippage_bps = 10',
          '[data]',
          `market_url = ${proxy.baseUrl}`,
          '[database]',
          'data_dir = ./pglite',
          ...(dbUrl ? [`url = ${dbUrl}`] : []),
          '',
        ].join('\n'),
      );
    });
    afterAll(async () => {
      if (skip) return;
      await proxy?.close();
      await emu?.close();
    });

    /** One rebalance as the CLI runs it (no credentials given), with `overrides` over user.cfg. */
    const run = async (overrides: Overrides = {}, credentials?: Credentials) => {
      const loaded = loadConfig({ cwd: scratch.dir, env: NO_KEYS, overrides });
      const adapters = await openAdapters(loaded.config, logger, {
        env: NO_KEYS,
        ...(credentials ? { credentials } : {}),
      });
      try {
        const result = await rebalanceAsCli(adapters.deps, loaded);
        const state = await adapters.ledger.loadState(
          (
            await adapters.ledger.ensureAccount({
              name: result.run.account,
              exchangeKind: 'paper',
              quoteAsset: 'USDT',
              initialQuote: '10000',
            })
          ).id,
        );
        return { result, ledgerBalances: state.balances };
      } finally {
        await adapters.close();
      }
    };
    const replayAt = async (day: string, account: string) => {
      const loaded = loadConfig({
        cwd: scratch.dir,
        env: NO_KEYS,
        overrides: { exchange: { kind: 'replay' }, paper: { account } },
      });
      const adapters = await openAdapters(loaded.config, logger);
      try {
        return await rebalanceAsCli(adapters.deps, loaded, { asOf: day });
      } finally {
        await adapters.close();
      }
    };
    /** The ledger alone (no market data), as `status` opens it. */
    const withLedger = async <T>(fn: (ledger: Ledger) => Promise<T>): Promise<T> => {
      const { config } = loadConfig({ cwd: scratch.dir, env: NO_KEYS });
      const opened = await openLockedLedger(config, logger, 'test');
      try {
        return await fn(opened.ledger);
      } finally {
        await opened.close();
      }
    };
    const demoBalances = () => emu.balances(DEMO_API_KEY);

    it.skipIf(skip)(
      'two days forward with no key: fills at the last price + slippage (hand-checked), the same trades as replay, only public requests, book = ledger; other venues refused; the send-time period guard',
      async () => {
        const demoBefore = demoBalances();
        const venue = `paper ${proxy.baseUrl}`;

        // ---- day 1: 2021-01-01 (the emulator's wall-clock day) --------------------------------------
        const d1 = await run();
        expect(d1.result.run.status).toBe('completed');
        expect(d1.result.run.account).toBe('paper'); // the default account name of kind = paper
        expect(d1.result.run.exchange).toBe('paper');
        expect(d1.result.run.period).toBe('2021-01-01');
        // The ticker the run read, straight from the emulator: the open of 2021-01-01 00:00.
        const ticker = (await (await fetch(`${emu.baseUrl}/api/v3/ticker/price?symbol=BTCUSDT`)).json()) as {
          price: string;
        };
        expect(Number(ticker.price)).toBe(28923.63);
        // Hand calculation in the module comment.
        expect(d1.result.fills).toEqual([
          expect.objectContaining({
            symbol: 'BTCUSDT',
            side: 'BUY',
            price: '28952.55363',
            quantity: '0.34539',
            quote_quantity: '9999.9224982657',
            commission: '0.00034539',
            commission_asset: 'BTC',
          }),
        ]);
        expect(d1.result.orders[0]?.slippage_bps).toBeCloseTo(10, 6);
        expect(d1.result.balances).toEqual([
          { asset: 'BTC', free: '0.34504461', locked: '0' },
          { asset: 'USDT', free: '0.0775017343', locked: '0' },
        ]);
        expect(d1.result.equity?.price_basis).toBe('last');
        // The book is the ledger's: what the run reports is what the ledger holds.
        expect(d1.ledgerBalances).toEqual(d1.result.balances);
        // The report says plainly that the fills are simulated.
        expect(formatReport(d1.result)).toContain('Fills are simulated (paper)');

        // The same day again: the period guard skips it (as for testnet).
        const again = await run();
        expect(again.result.run.status).toBe('skipped');
        expect(again.result.fills).toEqual([]);

        // ---- day 2: the emulator clock advanced one day; the real CLI runs the rebalance ----------------
        emu.control({ advanceClockMs: DAY_MS });
        const cliRun = await cli(scratch.dir, ['rebalance', '--json'], NO_KEYS);
        expect(cliRun.stderr).not.toMatch(/error/i);
        expect(cliRun.code).toBe(0);
        const d2 = JSON.parse(cliRun.stdout) as typeof d1.result;
        expect(d2.run.period).toBe('2021-01-02');
        expect(d2.run.status).toBe('completed');
        expect(d2.fills.map((f) => f.side)).toEqual(['SELL', 'BUY']); // full mode: sell all, re-buy (§8)
        expect(d2.fills[0]?.quantity).toBe('0.34504'); // floor_step(0.34504461) of the book's holding

        // ---- the same two days on the replay exchange: identical fills (the ticker at 00:00:30 is the
        // open of D, the replay fill reference; §7 is one model) ----------------------------------------
        const r1 = await replayAt('2021-01-01', 'replay-twin');
        const r2 = await replayAt('2021-01-02', 'replay-twin');
        const strip = (f: { client_order_id: string }) => {
          const { client_order_id: _id, ...rest } = f;
          return rest;
        };
        expect(d1.result.fills.map(strip)).toEqual(r1.fills.map(strip));
        expect(d2.fills.map(strip)).toEqual(r2.fills.map(strip));
        expect(d2.balances).toEqual(r2.balances);
        expect(d2.equity?.equity).toBe(r2.equity?.equity);

        // ---- nothing reached an order or account endpoint: only public GETs; the emulator's account
        // is untouched -----------------------------------------------------------------------------------
        const paths = [...new Set(proxy.seen)].sort();
        expect(paths.every((p) => p.startsWith('GET /api/v3/'))).toBe(true);
        expect(paths.filter((p) => /order|account|myTrades/i.test(p))).toEqual([]);
        expect(paths).toEqual(
          expect.arrayContaining([
            'GET /api/v3/exchangeInfo',
            'GET /api/v3/klines',
            'GET /api/v3/ticker/price',
          ]),
        );
        expect(demoBalances()).toEqual(demoBefore);

        // ---- status: the ledger's book, saying the fills are simulated ---------------------------------
        const status = await cli(scratch.dir, ['status'], NO_KEYS);
        expect(status.code).toBe(0);
        expect(status.stdout).toContain('Account paper · exchange paper');
        expect(status.stdout).toContain('Fills are simulated (paper)');
        const btc = d2.balances.find((b) => b.asset === 'BTC')?.free as string;
        expect(status.stdout).toMatch(new RegExp(`^BTC +${btc.replace('.', '\\.')} `, 'm'));

        // ---- one book per venue (issue 9.1): a testnet run on the paper account, and a paper run on a
        // testnet account, are refused before any request (VenueMismatchError, exit 78) -----------------
        const emuRequests = emu.stats().requests;
        const seen = proxy.seen.length;
        const toTestnet = (await run(
          { exchange: { kind: 'testnet', base_url: emu.baseUrl }, paper: { account: 'paper' } },
          { apiKey: DEMO_API_KEY, apiSecret: DEMO_API_SECRET, privateKeyPath: null },
        ).catch((e: unknown) => e)) as Error & { exitCode?: number };
        expect(toTestnet.name).toBe('VenueMismatchError');
        expect(toTestnet.exitCode).toBe(78);
        expect(toTestnet.message).toContain(`account "paper" keeps the book of ${venue}`);
        expect(toTestnet.message).toContain(`trades on testnet ${emu.baseUrl}`);
        // A testnet account's book (as a testnet run creates it, through the ledger adapter).
        // (The same open also reads the paper book after day 2: what the CLI run reported.)
        const paperBook = await withLedger(async (ledger) => {
          await ledger.ensureAccount({
            name: 'tn',
            exchangeKind: 'testnet',
            quoteAsset: 'USDT',
            initialQuote: '10000',
            venue: `testnet ${emu.baseUrl}`,
          });
          const paper = await ledger.ensureAccount({
            name: 'paper',
            exchangeKind: 'paper',
            quoteAsset: 'USDT',
            initialQuote: '10000',
          });
          return (await ledger.loadState(paper.id)).balances;
        });
        expect(paperBook).toEqual(d2.balances);
        const toPaper = (await run({ paper: { account: 'tn' } }).catch((e: unknown) => e)) as Error & {
          exitCode?: number;
        };
        expect(toPaper.name).toBe('VenueMismatchError');
        expect(toPaper.exitCode).toBe(78);
        expect(toPaper.message).toContain(`keeps the book of testnet ${emu.baseUrl}`);
        expect(toPaper.message).toContain(`trades on ${venue}`);
        expect(emu.stats().requests).toBe(emuRequests);
        expect(proxy.seen.length).toBe(seen);
        expect(demoBalances()).toEqual(demoBefore);

        // ---- the period guard at send time (issue 14.4), as on testnet: the run reads the exchange's day
        // at 23:59:57 of 2021-01-03 (period 2021-01-03; the clock is set when its first exchangeInfo
        // request arrives, so the time the ledger takes to open does not matter), and its last prices are
        // answered only once the exchange's clock is past 00:00 of 2021-01-04: nothing may be filled --
        const midnight = Date.parse('2021-01-04T00:00:00Z');
        proxy.setRule((method, p, nth) => {
          if (method === 'GET' && p === '/api/v3/exchangeInfo' && nth === 1)
            emu.control({ setClock: '2021-01-03T23:59:57Z' });
          return method === 'GET' && p === '/api/v3/ticker/price'
            ? { delayMs: Math.max(0, midnight - emu.now()) + 1_000 }
            : null;
        });
        const late = await run().catch((e: unknown) => e as Error);
        proxy.setRule(null);
        expect((late as Error).name).toBe('PeriodEndedError');
        expect((late as Error).message).toMatch(
          /^period 2021-01-03: .* the orders of 2021-01-03 were not sent/,
        );
        // The next run trades 2021-01-04 from the day-2 book: the failed run left no fill in it.
        const d4 = await run();
        expect(d4.result.run.period).toBe('2021-01-04');
        expect(d4.result.run.status).toBe('completed');
        // floor_step(holding) with BTCUSDT's stepSize 0.00001
        const sellQty = decStr(dec(btc).toDecimalPlaces(5, Decimal.ROUND_DOWN));
        expect(d4.result.fills[0]).toMatchObject({ side: 'SELL', quantity: sellQty });
      },
      180_000,
    );
  },
);
