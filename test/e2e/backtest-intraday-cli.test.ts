/**
 * `momentum-rebalancer backtest` with intraday rules (issue 10 item 3), run from the TypeScript sources in a
 * fresh process and a scratch working directory:
 * - hourly data missing for the window (the bundled `data/` has binance/klines-1h up to 2022-07-10 only, its
 *   daily candles go on to 2023) → exit 66 naming the folder and the window, nothing written, no ledger
 *   created;
 * - a month of 2021 on ../shared/data (real hourly klines) with stop_loss + trailing_stop + sma_cross →
 *   exit 0, the exits by reason on the terminal, the results JSON (exits, halted_at) valid against the
 *   contract, and the HTML report with its "Intraday exits" section and the exits marked on the equity chart.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/app/backtest-result.ts';

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

function run(cwd: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const baseEnv = { ...process.env };
    delete baseEnv.DATABASE_URL;
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href,
        '--input-type=module',
        '-e',
        `import { main } from ${JSON.stringify(path.join(ROOT, 'src/cli/main.ts'))}; process.exitCode = await main(process.argv.slice(1));`,
        ...args,
      ],
      { cwd, env: { ...baseEnv, LOG_LEVEL: 'warn', ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(path.join(os.tmpdir(), 'bt-intraday-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

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
