import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/app/backtest-result.ts';
import { cliFromSources } from '../support/cli.ts';
import { useTempDir } from '../support/temp-dirs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = path.resolve(ROOT, '../shared/data');
const SCHEMA = JSON.parse(
  readFileSync(path.join(ROOT, 'test/fixtures/backtest/backtest-result.schema.json'), 'utf8'),
);
const RULES = {
  REBALANCER_RISK_STOP_LOSS: '0.1',
  REBALANCER_RISK_TRAILING_STOP: '0.15',
  REBALANCER_SIGNALS_EXIT_SIGNAL: 'sma_cross',
};

const run = cliFromSources;

const cwd = useTempDir('bt-intraday-');

describe('backtest CLI with intraday rules', () => {
  it('hourly data missing for the window (bundled klines-1h end in 2022): exit 66 naming the folder and window, nothing recorded', async () => {
    const r = await run(
      cwd,
      [
        'backtest',
        '--data',
        path.join(ROOT, 'data'),
        '--from',
        '2023-01-01',
        '--to',
        '2023-01-31',
        '--out',
        'x.json',
      ],
      RULES,
    );
    expect(r.code, r.stderr).toBe(66);
    expect(r.stderr).toMatch(/klines-1h/);
    expect(r.stderr).toMatch(/2023-01-01 \.\. 2023-01-31/);
    expect(existsSync(path.join(cwd, 'x.json'))).toBe(false);
    expect(existsSync(path.join(cwd, 'var'))).toBe(false); // no ledger created
  });

  it('a month of 2021 on the real hourly data: exits by reason, results JSON and report', async () => {
    const r = await run(
      cwd,
      [
        'backtest',
        '--data',
        SHARED,
        '--from',
        '2021-03-01',
        '--to',
        '2021-03-31',
        '--top-n',
        '5',
        '--no-record',
        '--out',
        'm.json',
        '--report',
        'm.html',
      ],
      RULES,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Intraday exits \d+ \(.*stop_loss|Intraday exits \d+ \(.*signal/);
    const result = JSON.parse(readFileSync(path.join(cwd, 'm.json'), 'utf8')) as BacktestResult;
    const validate = new Ajv({ allErrors: true }).compile(SCHEMA);
    expect(validate(result), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(result.exits.length).toBeGreaterThan(0);
    expect(result.halted_at).toBeNull();
    const html = readFileSync(path.join(cwd, 'm.html'), 'utf8');
    expect(html).toContain('id="intraday-exits"');
    expect(html).toContain('"exit_counts"');
  });
});
