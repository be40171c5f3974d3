/**
 * End-to-end: the kill switch across the jobs (issue 10 item 5; strategy-semantics.md §10 "Portfolio
 * risk"), through the real CLI (`bin/momentum-rebalancer.js`) on the bundled data with the replay exchange,
 * on PGlite (and one case on the Postgres server when DATABASE_URL is set).
 *
 * The halt is set in the ledger through the port (`HaltJournal.applyHaltEvent`, event type `risk`, actor
 * `intraday`), exactly as the intraday pass sets it. What this reproduces (issue 10 item 5):
 * - a halt → the next rebalance buys nothing and sells what is left (K = 0, §10), status `halted`, exit 0,
 *   a message naming since when, why and `momentum-rebalancer risk reset --yes`;
 * - `risk status` (text, --json) and `status` show it; `risk reset` without --yes exits 2 and changes
 *   nothing; with --yes the switch is `running`, journaled with actor `operator <user>@<host>` and time;
 *   the next rebalance buys again;
 * - a daily-loss stop is lifted by the next decision day's rebalance (which buys; journaled with actor
 *   `rebalance` and its run id); a dry run says so without writing the event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAccountLookup } from '../../src/adapters/postgres/account-lookup.ts';
import { openLedger } from '../../src/adapters/postgres/connect.ts';
import type { RebalanceResult } from '../../src/app/rebalance-result.ts';
import type { RiskStatus } from '../../src/app/risk/risk-status.ts';
import { formatReport } from '../../src/cli/report.ts';
import { dec } from '../../src/domain/decimal.ts';
import type { HaltEvent } from '../../src/domain/risk/halt.ts';
import type { HaltEventMeta } from '../../src/ports/halt-journal.ts';
import { cli, type Ran } from '../support/cli.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';

const serverUrl = process.env.DATABASE_URL;
const ACCOUNT = 'ks';
const RESET = `momentum-rebalancer risk reset --yes --account ${ACCOUNT}`;
/** Who `risk reset --yes` records: the OS user and host of the process (node:os), as the CLI computes it. */
const OPERATOR = `operator ${os.userInfo().username}@${os.hostname()}`;
/** The drawdown the "intraday pass" reports (figures stored with the event, shown by risk status). */
const DRAWDOWN_AT = Date.UTC(2021, 5, 1, 14); // 2021-06-01 14:00 UTC, the close of an hour of day D-1
const DRAWDOWN_DETAIL = { drawdown: '0.2531', equity: '7461.27', peak: '9990.00133765' };

/** Applies `event` to the account through the ledger port (PGlite: the CLI is not running meanwhile). */
async function applyEvent(
  where: { dataDir?: string; url?: string },
  event: HaltEvent,
  meta: HaltEventMeta,
): Promise<void> {
  const ledger = await openLedger({ ...where, migrate: true });
  try {
    const id = await new PostgresAccountLookup(ledger.db).accountIdOf(ACCOUNT);
    expect(id).not.toBeNull();
    await ledger.applyHaltEvent(id as string, event, meta);
  } finally {
    await ledger.close();
  }
}

const json = <T>(r: Ran): T => {
  expect(r.stderr).not.toMatch(/error/i);
  return JSON.parse(r.stdout) as T;
};
/**
 * K = 0 (§10 "it sells what is left"): one SELL of each holding, of its whole quantity rounded down to the
 * symbol's step (§6, §7), so what stays is that remainder (dust, under one step: far below 0.1 % of it).
 */
function expectSoldWhatWasLeft(before: RebalanceResult['balances'], r: RebalanceResult): void {
  expect(r.orders.map((o) => o.symbol).sort()).toEqual(before.map((b) => `${b.asset}USDT`).sort());
  for (const b of before) {
    const sold = r.orders.find((o) => o.symbol === `${b.asset}USDT`)?.executed_qty ?? '0';
    const left = r.balances.find((x) => x.asset === b.asset)?.free ?? '0';
    expect(dec(left).eq(dec(b.free).minus(sold))).toBe(true);
    expect(dec(left).lt(dec(b.free).times('0.001'))).toBe(true);
  }
}
/**
 * Buying resumed: `n` BUYs filled. The only rejections allowed are SELLs of the dust the halted run left
 * (`dust`: under one step, §6 — the replay exchange rejects them, as it does after any full sale).
 */
function expectBuysAgain(r: RebalanceResult, n: number, dust: RebalanceResult['balances']): void {
  expect(r.run.status).toMatch(/^completed/);
  expect(r.halt).toMatchObject({ state: 'running', buys_allowed: true });
  expect(r.orders.filter((o) => o.side === 'BUY' && o.status === 'FILLED')).toHaveLength(n);
  const rejected = r.orders.filter((o) => o.status === 'REJECTED');
  const dustSymbols = dust.map((b) => `${b.asset}USDT`);
  for (const o of rejected) expect([o.side, dustSymbols.includes(o.symbol)]).toEqual(['SELL', true]);
}
const sides = (r: RebalanceResult) => r.orders.map((o) => `${o.side} ${o.symbol}`);
const held = (r: RebalanceResult) => r.balances.filter((b) => b.asset !== 'USDT');

describe('kill switch through the CLI, replay exchange, ledger on PGlite', () => {
  let cwd: string;
  const dataDir = () => path.join(cwd, 'var', 'pglite');
  const run = (args: string[]) => cli(cwd, [...args, '--account', ACCOUNT]);
  const rebalance = async (asOf: string, ...more: string[]) => {
    const r = await run(['rebalance', '--json', '--top-n', '3', '--as-of', asOf, ...more]);
    return { code: r.code, result: json<RebalanceResult>(r) };
  };
  const riskJson = async () => {
    const r = await run(['risk', 'status', '--json']);
    expect(r.code).toBe(0);
    return json<RiskStatus>(r);
  };

  beforeAll(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'e2e-kill-switch-'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('a drawdown halt: the next rebalance only sells (halted, exit 0); risk status / status show it; reset --yes clears it (who/when); buying resumes', async () => {
    // Day 1: running — the rebalance buys its top 3.
    const d1 = await rebalance('2021-06-01');
    expect(d1.code).toBe(0);
    expect(d1.result.run.status).toBe('completed');
    expect(d1.result.halt).toMatchObject({ state: 'running', buys_allowed: true, lifted: false });
    expect(d1.result.orders.filter((o) => o.side === 'BUY')).toHaveLength(3);
    const bought = held(d1.result);
    expect(bought).toHaveLength(3);

    // The intraday pass sets the halt (max_drawdown) at 2021-06-01 14:00.
    await applyEvent(
      { dataDir: dataDir() },
      { type: 'risk', dailyLoss: false, drawdown: true, atMs: DRAWDOWN_AT },
      { actor: 'intraday', detail: DRAWDOWN_DETAIL },
    );

    // Day 2: K = 0 — every holding is sold (all of it down to the step), nothing is bought; halted, exit 0.
    const d2 = await rebalance('2021-06-02');
    expect(d2.code).toBe(0);
    expect(d2.result.run.status).toBe('halted');
    expect(d2.result.orders.every((o) => o.side === 'SELL')).toBe(true);
    expectSoldWhatWasLeft(bought, d2.result);
    expect(d2.result.ranking.filter((x) => x.selected)).toEqual([]);
    const since = new Date(DRAWDOWN_AT).toISOString();
    expect(d2.result.halt).toMatchObject({
      before: 'halted',
      state: 'halted',
      since,
      reason: 'max_drawdown',
      buys_allowed: false,
      recorded: true,
    });
    for (const text of [d2.result.run.exit_reason, d2.result.halt?.message ?? '']) {
      expect(text).toContain(`since ${since}`);
      expect(text).toContain('max_drawdown');
      expect(text).toContain(RESET);
    }
    // The terminal report (the CLI's renderer of the same result) shows the halt.
    const report = formatReport(d2.result);
    expect(report).toContain('Status: HALTED by the kill switch');
    expect(report).toContain(
      `Kill switch: halted: the kill switch is on for account "${ACCOUNT}" since ${since}`,
    );

    // risk status: text and JSON, with the intraday event's who/when/figures.
    const text = await run(['risk', 'status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Kill switch: HALTED since ${since} (max_drawdown)`);
    expect(text.stdout).toContain(RESET);
    expect(text.stdout).toContain('intraday');
    expect(text.stdout).toContain('"drawdown":"0.2531"');
    const halted = await riskJson();
    expect(halted).toMatchObject({ account: ACCOUNT, state: 'halted', since, reason: 'max_drawdown' });
    expect(halted.buys_allowed).toBe(false);
    expect(halted.events[0]).toEqual({
      at: since,
      event: 'risk',
      from: 'running',
      to: 'halted',
      actor: 'intraday',
      run_id: null,
      detail: DRAWDOWN_DETAIL,
    });
    // status: the halt state line.
    const status = await run(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n')[1]).toBe(
      `Kill switch: HALTED since ${since} (max_drawdown) — rebalances buy nothing and sell what is left until an operator runs: ${RESET}`,
    );

    // risk reset without --yes: exit 2 with the usage; nothing changed (the reset below finds the
    // switch still halted since the same time).
    const refused = await run(['risk', 'reset']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes is required');
    expect(refused.stderr).toContain('Usage: momentum-rebalancer risk reset --yes');

    // risk reset --yes: running, journaled with the operator and the time.
    const before = Date.now();
    const reset = await run(['risk', 'reset', '--yes']);
    const after = Date.now();
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(
      `Kill switch of account "${ACCOUNT}": before halted since ${since} (max_drawdown) → after running`,
    );
    expect(reset.stdout).toContain(`Recorded: operator_reset by ${OPERATOR} at `);
    const cleared = await riskJson();
    expect(cleared).toMatchObject({ state: 'running', since: null, reason: null, buys_allowed: true });
    const ev = cleared.events[0];
    expect(ev).toMatchObject({ event: 'operator_reset', from: 'halted', to: 'running', actor: OPERATOR });
    expect(Date.parse(ev?.at ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(ev?.at ?? '')).toBeLessThanOrEqual(after);
    expect(cleared.events).toHaveLength(2);

    // Day 3: buying again.
    const d3 = await rebalance('2021-06-03');
    expectBuysAgain(d3.result, 3, held(d2.result));
  }, 240_000);

  it('a daily-loss stop: a dry run says the next decision day lifts it (nothing written); that rebalance lifts it (journaled with its run id) and buys', async () => {
    // The intraday pass sets a daily-loss stop during day 2021-06-03 (after that day's rebalance).
    const stopAt = Date.UTC(2021, 5, 3, 10);
    await applyEvent(
      { dataDir: dataDir() },
      { type: 'risk', dailyLoss: true, drawdown: false, atMs: stopAt },
      { actor: 'intraday', detail: { daily_loss: '0.0712' } },
    );
    const since = new Date(stopAt).toISOString();

    // A dry run of the next decision day: would lift it and buy; writes nothing.
    const dry = await rebalance('2021-06-04', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.result.run.status).toBe('dry_run');
    expect(dry.result.halt).toMatchObject({
      before: 'daily_loss_stop',
      state: 'running',
      lifted: true,
      recorded: false,
      since,
    });
    expect(formatReport(dry.result)).toContain(
      `Kill switch: the daily-loss stop set ${since} would be lifted by this decision day's rebalance`,
    );

    // The real rebalance of 2021-06-04 finds the stop (the dry run wrote nothing), lifts it (§10), buys.
    const d4 = await rebalance('2021-06-04');
    expect(d4.result.run.status).toMatch(/^completed/);
    expect(d4.result.halt).toMatchObject({
      before: 'daily_loss_stop',
      state: 'running',
      lifted: true,
      recorded: true,
    });
    expect(sides(d4.result).some((s) => s.startsWith('BUY'))).toBe(true);
    const s = await riskJson();
    expect(s.state).toBe('running');
    expect(s.events[0]).toMatchObject({
      at: '2021-06-04T00:00:00.000Z',
      event: 'rebalance',
      from: 'daily_loss_stop',
      to: 'running',
      actor: 'rebalance',
      run_id: d4.result.run.id,
      detail: { period: '2021-06-04' },
    });
  }, 240_000);
});

describe.skipIf(!serverUrl)('kill switch through the CLI on the Postgres server (DATABASE_URL)', () => {
  let cwd: string;
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'e2e-kill-switch-pg-'));
    db = await freshServerDatabase(serverUrl as string, 'e2e_kill_switch');
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('halt → the rebalance only sells (halted, exit 0) → risk reset --yes → the next one buys', async () => {
    const env = { DATABASE_URL: db.url };
    const rebalance = async (asOf: string) => {
      const r = await cli(
        cwd,
        ['rebalance', '--json', '--top-n', '2', '--as-of', asOf, '--account', ACCOUNT],
        env,
      );
      return { code: r.code, result: json<RebalanceResult>(r) };
    };
    const d1 = await rebalance('2021-06-01');
    expect(d1.result.orders.filter((o) => o.side === 'BUY')).toHaveLength(2);
    await applyEvent(
      { url: db.url },
      { type: 'risk', dailyLoss: true, drawdown: true, atMs: DRAWDOWN_AT },
      { actor: 'intraday', detail: DRAWDOWN_DETAIL },
    );
    const d2 = await rebalance('2021-06-02');
    expect(d2.code).toBe(0);
    expect(d2.result.run.status).toBe('halted');
    expect(sides(d2.result)).toHaveLength(2);
    expect(d2.result.orders.every((o) => o.side === 'SELL')).toBe(true);
    expectSoldWhatWasLeft(held(d1.result), d2.result);
    const reset = await cli(cwd, ['risk', 'reset', '--yes', '--json', '--account', ACCOUNT], env);
    expect(reset.code).toBe(0);
    expect(json<{ before: { state: string }; after: { state: string }; actor: string }>(reset)).toMatchObject(
      {
        before: { state: 'halted' },
        after: { state: 'running' },
        actor: OPERATOR,
      },
    );
    const d3 = await rebalance('2021-06-03');
    expectBuysAgain(d3.result, 2, held(d2.result));
  }, 180_000);
});
