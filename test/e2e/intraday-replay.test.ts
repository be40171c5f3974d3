/**
 * The intraday pass on `[exchange] kind = replay` (issue 10 items 4 and 8), composed as the CLI composes
 * it (openIntradayAdapters), on the bundled data and an embedded PGlite ledger:
 * - a fresh account holds nothing: the pass is `skipped` (nothing_held), exit 0, no candle read;
 * - `--dry-run` decides the same exits and records nothing;
 * - after a replayed rebalance on 2021-03-01 (top 2 of MATIC, UNFI, BTC, ETH, ADA → MATIC and UNFI),
 *   `intraday --at 2021-03-02T00:00Z` sells both at their trailing stops — the same exits (time, symbol,
 *   reason, level, quantity, price) as `momentum-rebalancer backtest` with the same rules over
 *   2021-03-01 (the IntradayBook, held equal to the independent oracle elsewhere). Hand check of one
 *   level: MATIC's peak is the high 0.24899 of a candle before 11:00, trailing_stop 0.1 → 0.224091.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import type { BacktestResult } from '../../src/app/backtest-result.ts';
import { runIntraday } from '../../src/app/intraday/run-intraday.ts';
import { runRebalance } from '../../src/app/rebalance.ts';
import { exitCodeOfResult } from '../../src/cli/exit-codes.ts';
import { parseAtFlag } from '../../src/cli/intraday-command.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { openIntradayAdapters } from '../../src/compose/intraday.ts';
import { openAdapters } from '../../src/compose/rebalance.ts';
import { settingsFrom } from '../../src/compose/settings.ts';
import { loadConfig } from '../../src/config/loader.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { BIN } from '../support/cli.ts';

const logger = createLogger('silent', 'json');
const RULES = {
  strategy: { top_n: '2' },
  universe: { include: 'MATICUSDT,UNFIUSDT,BTCUSDT,ETHUSDT,ADAUSDT' },
  risk: { stop_loss: '0.05', trailing_stop: '0.1' },
};
const ENV = {
  REBALANCER_STRATEGY_TOP_N: '2',
  REBALANCER_UNIVERSE_INCLUDE: RULES.universe.include,
  REBALANCER_RISK_STOP_LOSS: '0.05',
  REBALANCER_RISK_TRAILING_STOP: '0.1',
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-intraday-replay-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const configFor = (account: string) =>
  loadConfig({
    cwd: dir,
    env: {},
    overrides: {
      ...RULES,
      exchange: { kind: 'replay' },
      paper: { account },
      database: { data_dir: path.join(dir, 'pglite') },
    },
  });

const pass = async (account: string, at: string, dryRun = false) => {
  const loaded = configFor(account);
  const adapters = await openIntradayAdapters(loaded.config, logger, { atMs: parseAtFlag(at) });
  try {
    const result = await runIntraday(adapters.deps, {
      settings: settingsFrom(loaded.config),
      dryRun,
      effectiveConfig: loaded.redacted(),
    });
    const exits = await (adapters.ledger as PostgresLedger).intradayExits(
      (
        await adapters.ledger.ensureAccount({
          name: account,
          exchangeKind: 'replay',
          quoteAsset: 'USDT',
          initialQuote: '10000',
          venue: 'replay',
        })
      ).id,
    );
    return { result, exits };
  } finally {
    await adapters.close();
  }
};

/** The backtest CLI over one day with the same rules (its results file). */
function backtestExits(): Promise<BacktestResult['exits']> {
  const cwd = mkdtempSync(path.join(dir, 'bt-'));
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...ENV };
    delete env.DATABASE_URL;
    const child = spawn(
      process.execPath,
      [BIN, 'backtest', '--from', '2021-03-01', '--to', '2021-03-01', '--out', 'bt.json', '--no-record'],
      { cwd, env },
    );
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`backtest exited ${code}: ${err}`));
      else resolve((JSON.parse(readFileSync(path.join(cwd, 'bt.json'), 'utf8')) as BacktestResult).exits);
    });
  });
}

describe('intraday pass, replay on the bundled hourly data', () => {
  it('nothing held: skipped, exit 0, no candle read, no run recorded', async () => {
    const { result } = await pass('flat', '2021-03-02T00:00Z');
    expect(result.run.status).toBe('skipped');
    expect(result.run.exit_reason).toBe('nothing_held');
    expect(result.run.run_id).toBeNull();
    expect(result.candle_requests).toBe(0);
    expect(exitCodeOfResult(result)).toBe(0);
  });

  it('--at after a replayed rebalance gives the intraday backtest exits (time, level, price)', async () => {
    const bt = backtestExits();
    bt.catch(() => undefined);
    const loaded = configFor('rp');
    const adapters = await openAdapters(loaded.config, logger);
    try {
      const r = await runRebalance(adapters.deps, {
        settings: settingsFrom(loaded.config),
        dayMs: dayToMs('2021-03-01'),
        dryRun: false,
        force: false,
        effectiveConfig: loaded.redacted(),
      });
      expect(r.run.status).toBe('completed');
    } finally {
      await adapters.close();
    }
    // --dry-run: the same decisions, nothing recorded
    const dry = await pass('rp', '2021-03-02T00:00Z', true);
    expect(dry.result.run.status).toBe('dry_run');
    expect(dry.result.run.run_id).toBeNull();
    expect(dry.exits).toEqual([]);
    const { result, exits } = await pass('rp', '2021-03-02T00:00Z');
    expect(dry.result.exits).toEqual(result.exits);
    expect(exitCodeOfResult(result)).toBe(0);
    const ours = result.exits.map((e) => ({
      time: e.time,
      symbol: e.symbol,
      reason: e.reason,
      level: e.level,
      quantity: e.quantity,
      price: e.price,
    }));
    const theirs = await bt;
    expect(theirs.length).toBe(2);
    const bySymbol = (a: { symbol: string }, b: { symbol: string }) => (a.symbol < b.symbol ? -1 : 1);
    expect([...ours].sort(bySymbol)).toEqual([...theirs].sort(bySymbol));
    expect(theirs.find((e) => e.symbol === 'MATICUSDT')?.level).toBe('0.224091'); // 0.24899 × 0.9
    // recorded: the exits with their orders' clientOrderIds
    expect(exits.map((e) => [e.symbol, e.reason, e.level]).sort()).toEqual(
      ours.map((e) => [e.symbol, e.reason, e.level]).sort(),
    );
    expect(result.orders.every((o) => o.status === 'FILLED' && o.side === 'SELL')).toBe(true);
    // a second pass in the same hour sells nothing more (the holdings left are dust)
    const again = await pass('rp', '2021-03-02T00:30Z');
    expect(again.result.exits).toEqual([]);
    expect(again.result.orders).toEqual([]);
  }, 120_000);
});
