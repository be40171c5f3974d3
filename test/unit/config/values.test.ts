/** Bad and good values for every value type, through the file, the environment and flags. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/loader.ts';
import { configError, load, tempDir, writeFile } from './helpers.ts';

const fromFile = (section: string, key: string, value: string) => {
  const cwd = tempDir();
  writeFile(cwd, 'user.cfg', `[${section}]\n${key} = ${value}\n`);
  return () => loadConfig({ cwd, env: {} });
};

describe('bad values: file messages', () => {
  it.each([
    // integers
    ['strategy', 'top_n', 'abc', 'must be an integer from 1 to 500'],
    ['strategy', 'top_n', '0', 'must be an integer from 1 to 500'],
    ['strategy', 'top_n', '501', 'must be an integer from 1 to 500'],
    ['strategy', 'top_n', '2.5', 'must be an integer from 1 to 500'],
    ['strategy', 'lookback_days', '366', 'must be an integer from 1 to 365'],
    ['strategy', 'rebalance_every_days', '-1', 'must be an integer from 1 to 365'],
    ['universe', 'min_age_days', '3651', 'must be an integer from 0 to 3650'],
    // enums
    ['strategy', 'mode', 'foo', 'allowed values: momentum, reversal'],
    ['exchange', 'kind', 'simulated', 'allowed values: replay, paper, testnet, live'],
    ['portfolio', 'rebalance_mode', 'partial', 'allowed values: full, delta'],
    ['log', 'level', 'verbose', 'allowed values: fatal, error, warn, info, debug, trace, silent'],
    ['log', 'format', 'xml', 'allowed values: auto, json, pretty'],
    // booleans
    ['exchange', 'allow_mainnet', 'yes', 'must be true or false'],
    // fractions
    ['portfolio', 'cash_buffer', '1', 'must be a fraction from 0 (inclusive) to 1 (exclusive), e.g. 0.05'],
    ['portfolio', 'cash_buffer', '-0.1', 'must be a fraction from 0 (inclusive) to 1 (exclusive), e.g. 0.05'],
    ['portfolio', 'band', '5%', 'must be a fraction from 0 (inclusive) to 1 (exclusive), e.g. 0.05'],
    // numbers
    ['universe', 'min_market_cap', '-5', 'must be a number >= 0 (USD), e.g. 100000000 or 1e8'],
    ['universe', 'min_quote_volume', 'lots', 'must be a number >= 0 (quote asset per day), e.g. 1000000'],
    ['execution', 'slippage_bps', '1000.5', 'must be a number from 0 to 1000 (basis points)'],
    ['execution', 'slippage_bps', 'Infinity', 'must be a number from 0 to 1000 (basis points)'],
    // decimal strings
    [
      'execution',
      'fee_rate',
      '0.1',
      'must be a plain decimal from 0 (inclusive) to 0.1 (exclusive), e.g. 0.001',
    ],
    [
      'execution',
      'fee_rate',
      '1e-3',
      'must be a plain decimal from 0 (inclusive) to 0.1 (exclusive), e.g. 0.001',
    ],
    [
      'execution',
      'fee_rate',
      '-0.001',
      'must be a plain decimal from 0 (inclusive) to 0.1 (exclusive), e.g. 0.001',
    ],
    ['paper', 'initial_quote', '0', 'must be a plain decimal > 0, e.g. 10000'],
    ['paper', 'initial_quote', '10,000', 'must be a plain decimal > 0, e.g. 10000'],
    ['paper', 'initial_quote', '0x10', 'must be a plain decimal > 0, e.g. 10000'],
    // strings
    [
      'paper',
      'account',
      'Main',
      'must be 1-40 characters a-z 0-9 _ - starting with a letter or digit, e.g. default',
    ],
    [
      'paper',
      'account',
      '-x',
      'must be 1-40 characters a-z 0-9 _ - starting with a letter or digit, e.g. default',
    ],
    ['paper', 'account', 'a'.repeat(41), 'must be 1-40 characters'],
    ['universe', 'quote_asset', 'US-DT', 'must be an asset code of 2-20 characters A-Z 0-9, e.g. USDT'],
    [
      'exchange',
      'base_url',
      'ftp://x',
      'must be empty or an http(s) URL, e.g. https://testnet.binance.vision',
    ],
    ['exchange', 'base_url', 'not a url', 'must be empty or an http(s) URL'],
    [
      'database',
      'url',
      'sqlite:///x.db',
      'must be empty (embedded PGlite) or a postgres:// or postgresql:// URL',
    ],
  ])('[%s] %s = %s', (section, key, value, expected) => {
    const err = configError(fromFile(section, key, value));
    expect(err.problems).toHaveLength(1);
    expect(err.message.startsWith(`user.cfg [${section}] ${key} = ${JSON.stringify(value)}: `)).toBe(true);
    expect(err.message).toContain(expected);
    expect(err.source).toBe('user.cfg');
    expect(err.section).toBe(section);
    expect(err.key).toBe(key);
  });
});

describe('bad values: env and flag messages', () => {
  it('env', () => {
    const err = configError(() => load({ env: { REBALANCER_STRATEGY_TOP_N: 'abc' } }));
    expect(err.message).toBe('env REBALANCER_STRATEGY_TOP_N = "abc": must be an integer from 1 to 500');
    expect(err.source).toBe('env REBALANCER_STRATEGY_TOP_N');
  });

  it('flag', () => {
    const err = configError(() => load({ overrides: { strategy: { top_n: 'abc' } } }));
    expect(err.message).toBe('flag --top-n = "abc": must be an integer from 1 to 500');
    expect(err.source).toBe('flag --top-n');
  });

  it('an override with no flag', () => {
    const err = configError(() => load({ overrides: { portfolio: { band: '2' } } }));
    expect(err.message).toMatch(/^override \[portfolio\] band = "2": must be a fraction/);
    expect(err.source).toBe('override');
  });

  it('long values are shortened in messages', () => {
    const err = configError(() => load({ env: { REBALANCER_PAPER_ACCOUNT: 'X'.repeat(500) } }));
    expect(err.message.length).toBeLessThan(250);
  });
});

describe('good values', () => {
  it.each([
    ['strategy', 'top_n', ' 500 ', 500],
    ['strategy', 'top_n', '+1', 1],
    ['strategy', 'mode', 'Reversal', 'reversal'],
    ['universe', 'min_age_days', '0', 0],
    ['universe', 'min_market_cap', '1e8', 100_000_000],
    ['universe', 'min_quote_volume', '2500000.5', 2_500_000.5],
    ['portfolio', 'cash_buffer', '0.999', 0.999],
    ['portfolio', 'band', '.1', 0.1],
    ['execution', 'fee_rate', '0', '0'],
    ['execution', 'fee_rate', '0.09999999', '0.09999999'],
    ['execution', 'slippage_bps', '1000', 1000],
    ['paper', 'initial_quote', '0.00000001', '0.00000001'],
    [
      'paper',
      'initial_quote',
      '123456789012345678901234567890.12345678',
      '123456789012345678901234567890.12345678',
    ],
    ['paper', 'account', 'desk_2-a', 'desk_2-a'],
    ['exchange', 'kind', 'Paper', 'paper'],
    ['exchange', 'allow_mainnet', 'False', false],
    ['exchange', 'base_url', 'http://localhost:8080', 'http://localhost:8080'],
    [
      'database',
      'url',
      'postgres:///ledger?host=/var/run/postgresql',
      'postgres:///ledger?host=/var/run/postgresql',
    ],
    ['log', 'level', 'SILENT', 'silent'],
  ])('[%s] %s = %s', (section, key, value, expected) => {
    const { config } = fromFile(section, key, value)();
    expect((config as unknown as Record<string, Record<string, unknown>>)[section]?.[key]).toEqual(expected);
  });
});
