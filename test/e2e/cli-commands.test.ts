import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { useTempDir } from '../support/temp-dirs.ts';

const PKG = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The column where the descriptions of the `Flags:` block start; throws when they are not aligned. */
function flagColumn(help: string): number {
  const block = help.slice(help.indexOf('Flags:\n') + 'Flags:\n'.length).split('\n\n')[0] as string;
  const cols = new Set<number>();
  for (const line of block.split('\n')) {
    if (!/^ {2}-/.test(line)) continue; // continuation lines start with spaces only
    const m = /^ {2}\S.*?\S {2,}(?=\S)/.exec(line);
    expect(m, line).not.toBeNull();
    cols.add((m as RegExpExecArray)[0].length);
  }
  expect(cols.size, [...cols].join(',')).toBe(1);
  return [...cols][0] as number;
}

describe('CLI: version and help', () => {
  const cwd = useTempDir('cli-help-');

  it('--version, -V and version print the package version', async () => {
    for (const arg of ['--version', '-V', 'version']) {
      const r = await cli(cwd, [arg]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`momentum-rebalancer ${PKG.version}\n`);
    }
  });

  it('-h / --help / help COMMAND print that command’s flags, aligned; exit 0', async () => {
    const cases: [string[], RegExp][] = [
      [['rebalance', '--help'], /Usage: momentum-rebalancer rebalance/],
      [['rebalance', '-h'], /--rebalance-mode VALUE +sets \[portfolio\] rebalance_mode: full \| delta/],
      [['status', '-h'], /Usage: momentum-rebalancer status/],
      [['history', '--help'], /--csv +print CSV/],
      [['db:migrate', '--help'], /Usage: momentum-rebalancer db:migrate/],
      [['backtest', '-h'], /Usage: momentum-rebalancer backtest/],
      [['help', 'history'], /Usage: momentum-rebalancer history/],
      [['schedule', '--help'], /Usage: momentum-rebalancer schedule/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(cwd, args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(re);
      flagColumn(r.stdout);
    }
    const top = await cli(cwd, ['help']);
    expect(top.stdout).toMatch(/^ {2}status +the book now/m);
    expect(top.stdout).toMatch(/^ {2}75 +another instance holds the account lock/m);
    expect(existsVar(cwd)).toBe(false);
  });

  it('an unknown command exits 2 and lists the commands', async () => {
    const r = await cli(cwd, ['stauts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /known commands: rebalance, intraday, schedule, status, history, report, backtest, db:migrate, download-data, risk, metabase, help/,
    );
  });

  it('status before anything was recorded: exit 2 saying to rebalance first, no database created', async () => {
    const r = await cli(cwd, ['status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no ledger yet at .*var[/\\]pglite.*rebalance/);
    expect(existsVar(cwd)).toBe(false);
  });
});

function existsVar(cwd: string): boolean {
  try {
    readFileSync(path.join(cwd, 'var', 'pglite', 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

describe('CLI: unambiguous flags, status and history on the embedded ledger', () => {
  let cwd: string;
  type Result = {
    run: { rebalance_mode: string; strategy_mode: string };
    balances: { asset: string; free: string }[];
    equity: { equity: string };
  };
  let first: Result;
  let second: Result;
  beforeAll(async () => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'cli-book-'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  /** `rebalance --json --as-of DAY --top-n 3 FLAGS` in the suite's directory. */
  const rebalanceTop3 = (asOf: string, ...flags: string[]) =>
    cli(cwd, ['rebalance', '--json', '--as-of', asOf, '--top-n', '3', ...flags]);

  it('--rebalance-mode and --strategy set their keys; --mode still sets the rebalance mode with a warning', async () => {
    const a = await rebalanceTop3('2021-06-01', '--rebalance-mode', 'delta', '--strategy', 'momentum');
    expect(a.code, a.stderr).toBe(0);
    first = JSON.parse(a.stdout);
    expect(first.run).toMatchObject({ rebalance_mode: 'delta', strategy_mode: 'momentum' });
    expect(a.stderr).not.toMatch(/deprecated/);

    const b = await rebalanceTop3('2021-06-02', '--mode', 'delta');
    expect(b.code, b.stderr).toBe(0);
    second = JSON.parse(b.stdout);
    expect(second.run.rebalance_mode).toBe('delta');
    expect(b.stderr).toContain(
      'warning: --mode is deprecated (it was ambiguous): use --rebalance-mode delta',
    );

    const bad = await cli(cwd, ['rebalance', '--rebalance-mode', 'momentum']);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('flag --rebalance-mode = "momentum": allowed values: full, delta');
  }, 120_000);

  it('status: holdings, equity and P/L from the last snapshot, last runs; --json has the exact values', async () => {
    const json = await cli(cwd, ['status', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const s = JSON.parse(json.stdout);
    expect(s.account).toMatchObject({
      name: 'replay',
      exchange_kind: 'replay',
      quote_asset: 'USDT',
      initial_quote: '10000',
    });
    expect(s.equity.day).toBe('2021-06-02');
    // equity = cash + positions (equity_snapshots check) and P/L = equity − 10000 (initial quote).
    expect(Number(s.equity.equity)).toBeCloseTo(Number(s.equity.cash) + Number(s.equity.positions_value), 6);
    expect(Number(s.equity.total_pnl)).toBeCloseTo(Number(s.equity.equity) - 10000, 6);
    // The holdings are the base assets the second run left in the book (its balances): the top 3 plus
    // any dust a sell could not clear (below stepSize / minNotional, strategy-semantics.md §7).
    const held = second.balances.filter((b) => b.asset !== 'USDT' && Number(b.free) > 0);
    expect(s.holdings.map((h: { asset: string }) => h.asset).sort()).toEqual(held.map((b) => b.asset).sort());
    expect(s.holdings.map((h: { quantity: string }) => Number(h.quantity)).sort()).toEqual(
      held.map((b) => Number(b.free)).sort(),
    );
    expect(s.holdings.length).toBeGreaterThanOrEqual(3);
    // Market values at the last marks add up to the snapshot's positions value.
    const sum = s.holdings.reduce((a: number, h: { market_value: string }) => a + Number(h.market_value), 0);
    expect(sum).toBeCloseTo(Number(s.equity.positions_value), 6);
    expect(s.last_runs.map((r: { period: string; status: string }) => [r.period, r.status])).toEqual([
      ['2021-06-02', 'completed'],
      ['2021-06-01', 'completed'],
    ]);
    const text = await cli(cwd, ['status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Account replay · exchange replay · quote USDT/);
    expect(text.stdout).toMatch(/^Equity [\d.]+ USDT on 2021-06-02/m);
    expect(text.stdout).toMatch(/^P\/L [+-][\d.]+ USDT .*fees paid [\d.]+ USDT/m);
    expect(text.stdout).toContain(`Holdings (${s.holdings.length})`);
    expect(text.stdout).toContain('no exchange was contacted');
  });

  it('history: runs and daily equity as text, --json and --csv (equity, or runs with --of runs)', async () => {
    const j = await cli(cwd, ['history', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const h = JSON.parse(j.stdout);
    expect(h.runs).toHaveLength(2);
    expect(h.equity.map((e: { day: string }) => e.day)).toEqual(['2021-06-01', '2021-06-02']);
    expect(h.equity[0].equity).toBe(first.equity.equity);

    const csv = await cli(cwd, ['history', '--csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'day,price_basis,marked_at,cash,positions_value,equity,total_pnl,realized_pnl,unrealized_pnl,fees',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]?.startsWith('2021-06-01,open,')).toBe(true);
    expect(lines[1]?.split(',')[5]).toBe(first.equity.equity);

    const runs = await cli(cwd, ['history', '--csv', '--of', 'runs']);
    expect(runs.stdout.split('\n')[0]).toMatch(/^id,period,status,exit_reason,/);
    expect(runs.stdout.trim().split('\n')).toHaveLength(3);

    const text = await cli(cwd, ['history']);
    expect(text.stdout).toContain('Runs (2, newest first)');
    expect(text.stdout).toContain('Daily equity (2 days, USDT)');

    // --from / --to (issue 12 item 4): inclusive UTC days, on runs (by period) and equity days.
    const onlySecond = JSON.parse((await cli(cwd, ['history', '--json', '--from', '2021-06-02'])).stdout);
    expect(onlySecond.runs.map((r: { period: string }) => r.period)).toEqual(['2021-06-02']);
    expect(onlySecond.equity.map((e: { day: string }) => e.day)).toEqual(['2021-06-02']);
    const onlyFirst = JSON.parse((await cli(cwd, ['history', '--json', '--to', '2021-06-01'])).stdout);
    expect(onlyFirst.equity.map((e: { day: string }) => e.day)).toEqual(['2021-06-01']);
    const bad = await cli(cwd, ['history', '--from', '2021-06-31']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from "2021-06-31": expected a UTC day YYYY-MM-DD/);
    const reversed = await cli(cwd, ['history', '--from', '2021-06-02', '--to', '2021-06-01']);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/--from 2021-06-02 is after --to 2021-06-01/);
  });

  it('an unknown account: exit 2 listing the accounts', async () => {
    const r = await cli(cwd, ['status', '--account', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no account "nope" in the ledger .*accounts: replay/);
  });
});
