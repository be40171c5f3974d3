/**
 * Each config key is declared once (issue 9 item 5): the flags, the environment aliases, the docs and
 * the sweepable parameters come from the one table CONFIG_KEYS. Expected values written by hand from
 * the README / `user.cfg.example` (the flags and aliases users already type).
 */
import { describe, expect, it } from 'vitest';
import { configFlagOptions, configOverrides } from '../../../src/cli/flags.ts';
import { describeConfigKeys, ENV_ALIASES, FLAG_KEYS } from '../../../src/config/loader.ts';
import { CONFIG_KEYS, KEY_DOCS, sweepParams } from '../../../src/config/schema.ts';

describe('the config key table', () => {
  it('the flags are derived from it: one flag per key at most, no flag twice', () => {
    const flags = Object.entries(CONFIG_KEYS).flatMap(([s, keys]) =>
      Object.entries(keys).flatMap(([k, spec]) =>
        'flag' in spec && spec.flag !== undefined ? [[spec.flag, s, k]] : [],
      ),
    );
    expect(new Set(flags.map((f) => f[0])).size).toBe(flags.length);
    expect(Object.entries(FLAG_KEYS).map(([f, [s, k]]) => [f, s, k])).toEqual(flags);
    expect(FLAG_KEYS['rebalance-mode']).toEqual(['portfolio', 'rebalance_mode']);
    expect(FLAG_KEYS.strategy).toEqual(['strategy', 'mode']);
    expect(FLAG_KEYS.mode).toBeUndefined();
  });

  it('the environment aliases are derived from it', () => {
    expect(ENV_ALIASES).toEqual({ DATABASE_URL: ['database', 'url'], LOG_LEVEL: ['log', 'level'] });
  });

  it('the docs are its documentation fields, in its order', () => {
    const rows = describeConfigKeys();
    expect(rows.map((r) => `${r.section}.${r.key}`)).toEqual(
      Object.entries(CONFIG_KEYS).flatMap(([s, keys]) => Object.keys(keys).map((k) => `${s}.${k}`)),
    );
    expect(KEY_DOCS.strategy.top_n).toEqual({
      default: '10',
      allowed: 'integer 1..500 (symbols)',
      description: 'How many top-ranked symbols to hold, equal-weighted.',
    });
    expect(rows.find((r) => r.key === 'url')).toMatchObject({
      env: ['REBALANCER_DATABASE_URL', 'DATABASE_URL'],
      flag: '--database-url',
    });
  });

  it('the sweepable keys, their ranges and config keys (what backtest --sweep accepts) are derived from it', () => {
    // Written by hand: the table the former hand-kept SWEEP_PARAMS of src/app/backtest-sweep.ts held
    // (what backtest --sweep accepted before sweepParams() replaced it).
    const expected = {
      lookback_days: { kind: 'int', min: 1, max: 365, config: ['strategy', 'lookback_days'] },
      top_n: { kind: 'int', min: 1, max: 500, config: ['strategy', 'top_n'] },
      rebalance_every_days: { kind: 'int', min: 1, max: 365, config: ['strategy', 'rebalance_every_days'] },
      mode: { kind: 'enum', values: ['momentum', 'reversal'], config: ['strategy', 'mode'] },
      rebalance_mode: { kind: 'enum', values: ['full', 'delta'], config: ['portfolio', 'rebalance_mode'] },
      min_age_days: { kind: 'int', min: 0, max: 3650, config: ['universe', 'min_age_days'] },
      cash_buffer: { kind: 'number', min: 0, max: 1, config: ['portfolio', 'cash_buffer'] },
      band: { kind: 'number', min: 0, max: 1, config: ['portfolio', 'band'] },
      min_quote_volume: { kind: 'number', min: 0, config: ['universe', 'min_quote_volume'] },
      min_market_cap: { kind: 'number', min: 0, config: ['universe', 'min_market_cap'] },
      slippage_bps: { kind: 'number', min: 0, max: 1000, config: ['execution', 'slippage_bps'] },
      fee_rate: { kind: 'number', min: 0, max: 0.1, config: ['execution', 'fee_rate'] },
    };
    expect(sweepParams()).toEqual(expected);
  });
});

describe('CLI flags from the table', () => {
  it('--mode is a deprecated spelling of --rebalance-mode: applied with a warning; the new flag wins', () => {
    expect(Object.keys(configFlagOptions())).toContain('mode');
    const warnings: string[] = [];
    expect(configOverrides({ mode: 'delta' }, (m) => warnings.push(m))).toEqual({
      portfolio: { rebalance_mode: 'delta' },
    });
    expect(warnings).toEqual([
      'warning: --mode is deprecated (it was ambiguous): use --rebalance-mode delta (full | delta); the strategy is --strategy momentum | reversal',
    ]);
    expect(configOverrides({ mode: 'delta', 'rebalance-mode': 'full' }, () => {})).toEqual({
      portfolio: { rebalance_mode: 'full' },
    });
  });
});
