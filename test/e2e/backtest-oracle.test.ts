/**
 * The backtest against an independent implementation of docs/strategy-semantics.md: test/oracle/backtest.py
 * (Python standard library, exact `decimal` money), written from the contract and the data's SOURCES.md
 * alone, without reading src/ (test/oracle/README.md). Both run as a user runs them, in their own
 * processes, on the bundled data; the issue asks for agreement "to within 1e-9 relative on every daily
 * equity value". Every equity value, every trade (exact decimals), every rejection and every metric are
 * compared. One choice the contract leaves open is read differently, and checked as such: §9 `turnover =
 * Σ notional / mean(E)`, where the engine's mean includes `E(start − 1) = initial_quote` (the first point
 * of the results' equity curve) and the oracle's starts at `E(start)`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/app/backtest-result.ts';
import { dec } from '../../src/domain/decimal.ts';
import { worstEquityGap } from '../support/equity-gap.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = path.join(ROOT, 'data');
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = python.status === 0;

/**
 * The config keys the cases set, each as the engine's environment variable (README "Configuration") and
 * the oracle's flag (`null` for `mode`: the oracle's boolean `--reversal`).
 */
const KEYS = {
  lookback_days: ['REBALANCER_STRATEGY_LOOKBACK_DAYS', '--lookback'],
  top_n: ['REBALANCER_STRATEGY_TOP_N', '--top-n'],
  rebalance_every_days: ['REBALANCER_STRATEGY_REBALANCE_EVERY_DAYS', '--every'],
  mode: ['REBALANCER_STRATEGY_MODE', null],
  rebalance_mode: ['REBALANCER_PORTFOLIO_REBALANCE_MODE', '--mode'],
  band: ['REBALANCER_PORTFOLIO_BAND', '--band'],
  cash_buffer: ['REBALANCER_PORTFOLIO_CASH_BUFFER', '--cash-buffer'],
  slippage_bps: ['REBALANCER_EXECUTION_SLIPPAGE_BPS', '--slippage-bps'],
  min_market_cap: ['REBALANCER_UNIVERSE_MIN_MARKET_CAP', '--min-market-cap'],
  min_quote_volume: ['REBALANCER_UNIVERSE_MIN_QUOTE_VOLUME', '--min-quote-volume'],
} as const;

interface Case {
  name: string;
  from: string;
  to: string;
  /** Config values other than the defaults, given to both implementations. */
  set: Partial<Record<keyof typeof KEYS, string>>;
}

const CASES: Case[] = [
  {
    // 365 daily full rebalances; holds COCOS, BTCST, DREP and SUN across their §2 redenominations.
    name: '2021, defaults (full, top 10, lookback 7, daily)',
    from: '2021-01-01',
    to: '2021-12-31',
    set: {},
  },
  {
    name: '2021, delta, top 5, weekly, 10 bps slippage, band 0.05',
    from: '2021-01-01',
    to: '2021-12-31',
    set: { rebalance_mode: 'delta', top_n: '5', rebalance_every_days: '7', slippage_bps: '10', band: '0.05' },
  },
  {
    name: '2021 H1, reversal, lookback 14, market cap ≥ 1e9 USD, quote volume ≥ 1e6/day, cash buffer 0.02',
    from: '2021-01-01',
    to: '2021-06-30',
    set: {
      mode: 'reversal',
      lookback_days: '14',
      min_market_cap: '1000000000',
      min_quote_volume: '1000000',
      cash_buffer: '0.02',
    },
  },
  {
    // The broad extension of the data (shared/data/SOURCES.md §1b, 320–400 pairs a day from 2022-10-01,
    // bundled 2026-12): crosses the 2022-09-30 / 10-01 source boundary (LITUSDT and SFPUSDT get a §2 split
    // there), the FTT crash of 2022-11-08, delistings (HNT, SRM, TRIBE), and trades BNX, VIDT and LIT around
    // their redenominations. No figure is pinned: the oracle is the expected value (measured when added:
    // 183 equal daily values, 3,629 equal trades, 25,827 equal rejections).
    name: '2022-10 .. 2023-03 on the broad extension, defaults',
    from: '2022-10-01',
    to: '2023-03-31',
    set: {},
  },
];

/** The engine's environment and the oracle's flags for one case. */
function argsOf(c: Case): { env: Record<string, string>; oracle: string[] } {
  const env: Record<string, string> = {};
  const oracle = ['--from', c.from, '--to', c.to];
  for (const [key, value] of Object.entries(c.set) as [keyof typeof KEYS, string][]) {
    const [variable, flag] = KEYS[key];
    env[variable] = value;
    if (flag !== null) oracle.push(flag, value);
    else if (value === 'reversal') oracle.push('--reversal');
  }
  return { env, oracle };
}

const relGap = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

/** The oracle's names for the §7 rejections the engine calls `min_qty` / `min_notional`. */
const REASON: Record<string, string> = { below_min_qty: 'min_qty', below_min_notional: 'min_notional' };

describe.skipIf(!hasPython && !process.env.CI)(
  'backtest = an independent implementation of strategy-semantics.md',
  () => {
    it('python3 is installed (required under CI)', () => {
      expect(python.error ?? null).toBeNull();
      expect(python.status).toBe(0);
    });

    let dir: string;
    const results: { ours: BacktestResult; oracle: BacktestResult }[] = [];
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'bt-oracle-'));
      CASES.forEach((c, i) => {
        const args = argsOf(c);
        const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...args.env };
        delete env.DATABASE_URL;
        const ours = path.join(dir, `ours-${i}.json`);
        const a = spawnSync(
          process.execPath,
          [
            path.join(ROOT, 'bin/momentum-rebalancer.js'),
            'backtest',
            '--from',
            c.from,
            '--to',
            c.to,
            '--out',
            ours,
            '--no-record',
          ],
          { cwd: dir, env, encoding: 'utf8', timeout: 120_000 },
        );
        if (a.status !== 0) throw new Error(`backtest (${c.name}) exited ${a.status}: ${a.stderr}`);
        const oracle = path.join(dir, `oracle-${i}.json`);
        const b = spawnSync(
          'python3',
          [path.join(ROOT, 'test/oracle/backtest.py'), '--data', DATA, ...args.oracle, '--out', oracle],
          { cwd: dir, encoding: 'utf8', timeout: 300_000 },
        );
        if (b.status !== 0) throw new Error(`oracle (${c.name}) exited ${b.status}: ${b.stderr}`);
        results.push({
          ours: JSON.parse(readFileSync(ours, 'utf8')),
          oracle: JSON.parse(readFileSync(oracle, 'utf8')),
        });
      });
    }, 600_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    CASES.forEach((c, i) => {
      describe(c.name, () => {
        const pair = () => results[i] as { ours: BacktestResult; oracle: BacktestResult };

        it('every daily equity value within 1e-9 relative', () => {
          const { ours, oracle } = pair();
          expect(worstEquityGap(ours.equity, oracle.equity)).toBeLessThanOrEqual(1e-9);
          expect(ours.trades.length).toBeGreaterThan(50); // a run that trades, not a flat line
        });

        it('the same trades (exact decimals) and the same rejections', () => {
          const { ours, oracle } = pair();
          const exact = (t: BacktestResult['trades'][number]) => [
            t.date,
            t.symbol,
            t.side,
            dec(t.quantity).toFixed(),
            dec(t.price).toFixed(),
            dec(t.quote_quantity).toFixed(),
            dec(t.commission).toFixed(),
            t.commission_asset,
          ];
          expect(ours.trades.map(exact)).toEqual(oracle.trades.map(exact));
          const rej = (r: BacktestResult['rejected'][number]) => [
            r.date,
            r.symbol,
            r.side,
            REASON[r.reason] ?? r.reason,
          ];
          expect(ours.rejected.map(rej)).toEqual(oracle.rejected.map(rej));
        });

        it('the same metrics, strategy and both benchmarks (turnover: the mean(E) of each reading)', () => {
          const { ours, oracle } = pair();
          // mean(E) with and without E(start − 1), from the curve both agree on.
          const e = ours.equity.map((p) => p.equity);
          const withInitial = e.reduce((s, x) => s + x, 0) / e.length;
          const without = e.slice(1).reduce((s, x) => s + x, 0) / (e.length - 1);
          const pairs = [
            [ours.metrics, oracle.metrics, withInitial / without],
            [ours.benchmarks.btc_hold, oracle.benchmarks.btc_hold, null],
            [ours.benchmarks.equal_weight, oracle.benchmarks.equal_weight, null],
          ] as const;
          for (const [m, o, turnoverRatio] of pairs) {
            for (const key of Object.keys(o) as (keyof typeof o)[]) {
              const a = m[key];
              const b = o[key];
              if (key === 'turnover') {
                // Benchmark equity curves are not in the results file, so only the strategy's is rescaled.
                if (turnoverRatio !== null)
                  expect(relGap(a as number, (b as number) / turnoverRatio)).toBeLessThan(1e-9);
                continue;
              }
              if (a === null || b === null) expect([key, a]).toEqual([key, b]);
              else expect([key, relGap(a, b) <= 1e-9]).toEqual([key, true]);
            }
          }
        });
      });
    });
  },
);
