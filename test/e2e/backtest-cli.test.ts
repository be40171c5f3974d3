import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/app/backtest-result.ts';
import { cli, cliFromSources, type Ran } from '../support/cli.ts';
import { useTempDir } from '../support/temp-dirs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMA = JSON.parse(
  readFileSync(path.join(ROOT, 'test/fixtures/backtest/backtest-result.schema.json'), 'utf8'),
);

/** The bundled CLI, or (`viaTsx`) the TypeScript sources. */
function run(cwd: string, args: string[], env: Record<string, string> = {}, viaTsx = false): Promise<Ran> {
  return viaTsx ? cliFromSources(cwd, args, env) : cli(cwd, args, env);
}

/** Parses an RFC 4180 CSV without quoted fields (what the sweep writes for these values). */
function csvRows(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text
    .trimEnd()
    .split('\r\n')
    .map((l) => l.split(','));
}

describe('backtest CLI: a quarter of 2021 on the bundled data', () => {
  let cwd: string;
  let r: Ran;
  beforeAll(async () => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'bt-cli-'));
    r = await run(cwd, [
      'backtest',
      '--from',
      '2021-01-01',
      '--to',
      '2021-03-31',
      '--out',
      'x.json',
      '--report',
      'x.html',
      '--no-record',
    ]);
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('exits 0, prints the metrics table of the strategy and both benchmarks, nothing on stderr (not a TTY)', () => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Backtest 2021-01-01 → 2021-03-31 \(90 days\)/);
    expect(r.stdout).toMatch(/strategy\s+btc_hold\s+equal_weight/);
    for (const row of [
      'total return',
      'CAGR',
      'Sharpe',
      'Sortino',
      'max drawdown',
      'Calmar',
      'fees',
      'turnover',
    ])
      expect(r.stdout).toContain(row);
    expect(r.stdout).toContain(`Wrote results ${path.join(cwd, 'x.json')}`);
  });

  it('--no-record opens no database', () => {
    expect(existsSync(path.join(cwd, 'var'))).toBe(false);
    expect(r.stdout).not.toMatch(/Recorded/);
  });

  it('the results JSON validates against the contract: every key and type', () => {
    const json = JSON.parse(readFileSync(path.join(cwd, 'x.json'), 'utf8')) as BacktestResult;
    const ajv = new Ajv({ allErrors: true, strict: true });
    const validate = ajv.compile(SCHEMA);
    expect(validate(json), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    // one point per day from the day before --from (= initial_quote) to --to: 2020-12-31 .. 2021-03-31
    expect(json.equity).toHaveLength(91);
    expect(json.equity[0]).toEqual({ date: '2020-12-31', equity: 10000 });
    expect(json.equity.at(-1)?.date).toBe('2021-03-31');
    expect(json.benchmark_equity.btc_hold.map((p) => p.date)).toEqual(json.equity.map((p) => p.date));
    expect(json.benchmark_equity.equal_weight.map((p) => p.date)).toEqual(json.equity.map((p) => p.date));
    expect(json.holdings).toHaveLength(90);
    expect(json.metrics.n_trades).toBe(json.trades.length);
    expect(json.benchmarks.btc_hold.n_trades).toBe(1);
    expect(json.config.backtest).toEqual({ from: '2021-01-01', to: '2021-03-31', engine: 'fast' });
    // Decisions every day: trades on the first day at the open.
    expect(json.trades[0]?.date).toBe('2021-01-01');
    // The terminal's rejection summary counts the file's rejections by reason.
    const by = new Map<string, number>();
    for (const x of json.rejected) by.set(x.reason, (by.get(x.reason) ?? 0) + 1);
    const line = r.stdout.split('\n').find((l) => l.startsWith('Trades ')) ?? '';
    expect(line).toContain(`rejected orders ${json.rejected.length} (`);
    for (const [reason, n] of by) expect(line).toContain(`${reason} ${n}`);
    const noPrice = new Set(json.rejected.filter((x) => x.reason === 'no_price').map((x) => x.symbol));
    if (noPrice.size > 0) expect(r.stdout).toContain(`Warning: SELLs of ${noPrice.size} held symbol(s)`);
    else expect(r.stdout).not.toContain('Warning:');
  });

  it('writes the self-contained HTML report', () => {
    const html = readFileSync(path.join(cwd, 'x.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Backtest 2021-01-01 → 2021-03-31');
    expect(html).toContain('chart-equity');
  });
});

describe('backtest CLI: bad input exits 2, writes nothing, records nothing', () => {
  let cwd: string;
  let wrongLayout: string;
  beforeAll(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'bt-bad-'));
    wrongLayout = path.join(cwd, 'not-data');
    mkdirSync(path.join(wrongLayout, 'klines'), { recursive: true });
    writeFileSync(path.join(wrongLayout, 'klines', 'BTCUSDT.csv'), 'x\n');
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  const CASES: [string, string[], RegExp][] = [
    [
      '--from after --to',
      ['--from', '2021-03-31', '--to', '2021-01-01'],
      /--from 2021-03-31 is after --to 2021-01-01/,
    ],
    [
      '--from before the data',
      ['--from', '2010-01-01', '--to', '2021-01-01'],
      /outside the data: the data covers 2017-08-17/,
    ],
    [
      '--to after the data',
      ['--from', '2021-01-01', '--to', '2030-01-01'],
      /--to 2030-01-01 is outside the data/,
    ],
    ['a malformed date', ['--from', '2021-13-01'], /--from "2021-13-01": expected a UTC day YYYY-MM-DD/],
    [
      'an unknown sweep parameter',
      ['--sweep', 'lookback=3,7'],
      /unknown parameter "lookback".*lookback_days/,
    ],
    [
      'a sweep value out of range',
      ['--sweep', 'top_n=0,5'],
      /top_n=0 is not allowed; top_n must be an integer in \[1, 500\]/,
    ],
    [
      'a sweep value of the wrong type',
      ['--sweep', 'mode=momentum,sideways'],
      /mode=sideways is not allowed/,
    ],
    [
      'a fee rate the config refuses',
      ['--sweep', 'fee_rate=0.001,0.1'],
      /sweep: fee_rate=0\.1 is not allowed: must be a plain decimal from 0 \(inclusive\) to 0\.1 \(exclusive\)/,
    ],
    [
      '--report with --sweep',
      ['--sweep', 'top_n=5,10', '--report', 'r.html'],
      /--report cannot be combined with --sweep/,
    ],
    ['a data directory of the wrong layout', ['--data', 'not-data'], /missing daily-kline folder/],
    ['a missing data directory', ['--data', 'nope'], /data directory not found/],
    ['an unknown flag', ['--fromm', '2021-01-01'], /Unknown option '--fromm'/],
  ];

  it.each(CASES)('%s', async (_name, args, message) => {
    const r = await run(cwd, ['backtest', ...args, '--out', 'out.json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(existsSync(path.join(cwd, 'var'))).toBe(false); // no ledger created
    expect(existsSync(path.join(cwd, 'out.json'))).toBe(false);
    expect(existsSync(path.join(cwd, 'out.sweep.csv'))).toBe(false);
  });

  it('a bad config value still exits 78 (configuration error)', async () => {
    const r = await run(cwd, ['backtest', '--top-n', 'many']);
    expect(r.code).toBe(78);
    expect(existsSync(path.join(cwd, 'var'))).toBe(false);
  });
});

describe('backtest CLI: sweeps on worker threads', () => {
  const cwd = useTempDir('bt-sweep-');

  const expectSweep = (r: Ran, csvFile: string) => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /Sweep 2021-01-01 → 2021-03-31: 4 configurations on \d+ worker thread\(s\), ranked by Sharpe/,
    );
    expect(r.stdout).toContain(`Wrote CSV ${csvFile}`);
    const rows = csvRows(readFileSync(csvFile, 'utf8'));
    expect(rows[0]).toEqual([
      'rank',
      'lookback_days',
      'top_n',
      'final_equity',
      'total_return',
      'cagr',
      'volatility',
      'sharpe',
      'sortino',
      'max_drawdown',
      'calmar',
      'fees',
      'turnover',
      'n_trades',
    ]);
    const body = rows.slice(1);
    expect(body).toHaveLength(4);
    expect(body.map((x) => x[0])).toEqual(['1', '2', '3', '4']);
    expect(body.map((x) => `${x[1]}/${x[2]}`).sort()).toEqual(['3/10', '3/5', '7/10', '7/5']);
    const sharpe = body.map((x) => Number(x[7]));
    expect([...sharpe].sort((a, b) => b - a)).toEqual(sharpe);
    return body;
  };

  /** A 2×2 sweep over Q1 2021 (lookback 3 or 7 days × top 5 or 10), the grid {@link expectSweep} checks. */
  const SWEEP_2X2 = [
    'backtest',
    '--from',
    '2021-01-01',
    '--to',
    '2021-03-31',
    '--sweep',
    'lookback_days=3,7',
    'top_n=5,10',
  ];

  it('from the bundle: a 2×2 grid, ranked by Sharpe, CSV next to --out', async () => {
    const r = await run(cwd, [...SWEEP_2X2, '--out', 's.json', '--no-record']);
    const body = expectSweep(r, path.join(cwd, 's.sweep.csv'));
    const json = JSON.parse(readFileSync(path.join(cwd, 's.json'), 'utf8'));
    expect(json.configurations).toHaveLength(4);
    expect(json.configurations[0].metrics.sharpe).toBe(Number(body[0]?.[7]));
    expect(existsSync(path.join(cwd, 'var'))).toBe(false);
  });

  it('from the TypeScript sources (tsx workers): the same grid gives the same CSV; no --out: ./backtest-sweep.csv', async () => {
    const r = await run(cwd, [...SWEEP_2X2, '--no-record'], {}, true);
    expectSweep(r, path.join(cwd, 'backtest-sweep.csv'));
    expect(readFileSync(path.join(cwd, 'backtest-sweep.csv'), 'utf8')).toBe(
      readFileSync(path.join(cwd, 's.sweep.csv'), 'utf8'),
    );
  });

  it('a sweep row equals the single backtest of that configuration', async () => {
    const r = await run(cwd, [
      'backtest',
      '--from',
      '2021-01-01',
      '--to',
      '2021-03-31',
      '--lookback-days',
      '3',
      '--top-n',
      '5',
      '--out',
      'one.json',
      '--no-record',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const one = JSON.parse(readFileSync(path.join(cwd, 'one.json'), 'utf8')) as BacktestResult;
    const sweep = JSON.parse(readFileSync(path.join(cwd, 's.json'), 'utf8'));
    const row = sweep.configurations.find(
      (c: { params: Record<string, number> }) => c.params.lookback_days === 3 && c.params.top_n === 5,
    );
    expect(row.metrics).toEqual(one.metrics);
    expect(row.final_equity).toBe(one.equity.at(-1)?.equity);
  });
});
