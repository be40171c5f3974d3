import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliWithUserCfg } from '../support/cli.ts';
import { useEmulator } from '../support/emulator.ts';
import { useTempDir } from '../support/temp-dirs.ts';

describe('CLI: bad input exits non-zero before anything is written', () => {
  const cwd = useTempDir('cli-bad-');
  const noLedger = () => expect(existsSync(path.join(cwd, 'var'))).toBe(false);

  it('an unknown key in user.cfg: exit 78 naming file, section, key and the known keys', async () => {
    const r = await cliWithUserCfg(cwd, '[strategy]\ntopn = 3\n', ['rebalance']);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('user.cfg');
    expect(r.stderr).toContain('[strategy]');
    expect(r.stderr).toContain('topn');
    expect(r.stderr).toContain('top_n');
    expect(r.stdout).toBe('');
    noLedger();
  });

  it('a bad value from a flag: exit 78 with the allowed values', async () => {
    const r = await cli(cwd, ['rebalance', '--mode', 'half']);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/full, delta/);
    noLedger();
  });

  it('kind = testnet without API keys: exit 78 naming the variables, before any request or ledger', async () => {
    const r = await cli(cwd, ['rebalance', '--exchange', 'testnet', '--base-url', 'http://127.0.0.1:9'], {
      BINANCE_API_KEY: '',
      BINANCE_API_SECRET: '',
    });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/BINANCE_API_KEY and BINANCE_API_SECRET/);
    noLedger();
  });

  it('kind = live needs allow_mainnet = true and --live: exit 78 before anything', async () => {
    const r = await cli(cwd, ['rebalance', '--exchange', 'live'], {
      BINANCE_API_KEY: 'k',
      BINANCE_API_SECRET: 's',
    });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/allow_mainnet = true in \[exchange\] and the --live flag/);
    noLedger();
  });

  it('an unknown flag: exit 2 with the usage', async () => {
    const r = await cli(cwd, ['rebalance', '--top-m', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage/);
    noLedger();
  });

  it('a missing data directory: exit 66 naming it', async () => {
    const r = await cli(cwd, ['rebalance', '--data', path.join(cwd, 'nope')]);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(path.join(cwd, 'nope'));
    noLedger();
  });

  it('an unreachable DATABASE_URL: exit 69, host named, password never printed', async () => {
    const r = await cli(cwd, ['rebalance'], {
      DATABASE_URL: 'postgres://alice:s3cr3t-pw@127.0.0.1:1/ledger',
    });
    expect(r.code).toBe(69);
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(r.stderr).not.toContain('s3cr3t-pw');
    noLedger();
  });
});

describe('CLI: rebalance on the embedded database', () => {
  const cwd = useTempDir('cli-ok-');

  it('--json prints { run, ranking, excluded, orders, fills, balances, equity, pnl }; a second run skips', async () => {
    const r = await cli(cwd, ['rebalance', '--json', '--as-of', '2021-06-01']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(
      [
        'adjustments',
        'balances',
        'dust',
        'equity',
        'exchange',
        'excluded',
        'fills',
        'halt',
        'orders',
        'partial_fills',
        'pnl',
        'ranking',
        'run',
      ].sort(),
    );
    expect(out.run).toMatchObject({ period: '2021-06-01', status: 'completed', account: 'replay' });
    expect(out.fills.length).toBeGreaterThan(0);
    for (const f of out.fills) {
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining([
          'symbol',
          'side',
          'quantity',
          'price',
          'quote_quantity',
          'commission',
          'commission_asset',
        ]),
      );
    }
    expect(existsSync(path.join(cwd, 'var', 'pglite'))).toBe(true);

    const again = await cli(cwd, ['rebalance', '--as-of', '2021-06-01']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/SKIPPED — already_rebalanced/);
    expect(again.stdout).toMatch(/nothing was placed/);
  });

  it('--dry-run prints the plan and says nothing was placed; an earlier period is refused (exit 2)', async () => {
    const dry = await cli(cwd, ['rebalance', '--dry-run', '--as-of', '2021-06-02']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/DRY RUN/);
    expect(dry.stdout).toMatch(/Orders \(\d+/);
    const back = await cli(cwd, ['rebalance', '--as-of', '2021-05-01']);
    expect(back.code).toBe(2);
    expect(back.stderr).toMatch(/later period \(2021-06-01\)/);
  });
});

describe('CLI: rebalance on the testnet path (the emulator in this process, over HTTP)', () => {
  const cwd = useTempDir('cli-testnet-');
  const emu = useEmulator({
    asOf: '2021-06-01',
    accounts: [{ apiKey: 'cli-key', secret: 'cli-secret-value', balances: { USDT: '10000' } }],
  });

  it('--exchange testnet --base-url: orders over HTTP, a reconciled account, no secret in any output', async () => {
    const env = { BINANCE_API_KEY: 'cli-key', BINANCE_API_SECRET: 'cli-secret-value', LOG_LEVEL: 'debug' };
    const args = ['rebalance', '--exchange', 'testnet', '--base-url', emu().baseUrl, '--top-n', '3'];
    const r = await cli(cwd, args, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Exchange: \d+ requests, request weight \d+/);
    expect(r.stdout).toMatch(
      /Reconciliation: the exchange balances equal the balances before plus this run's fills/,
    );
    expect(r.stdout).toMatch(/marked at the last of 2021-06-01/);
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain('cli-secret-value');
      expect(out).not.toMatch(/signature=[0-9a-f]{16}/);
    }
    const usdt = emu()
      .balances('cli-key')
      .find((b) => b.asset === 'USDT');
    expect(Number(usdt?.free)).toBeLessThan(10000);
  });
});
