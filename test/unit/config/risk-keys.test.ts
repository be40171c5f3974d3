/**
 * The `[risk]`, `[signals]` and `[intraday]` keys (issue 10 item 2, strategy-semantics.md §10–§12): defaults,
 * mapping onto the domain's RiskSettings, and every item of the "Bad input" list as a ConfigError
 * (exit 78) naming the file, section, key and allowed values.
 */
import { describe, expect, it } from 'vitest';
import { riskSettingsFrom } from '../../../src/config/risk-config.ts';
import { DEFAULT_RISK_SETTINGS } from '../../../src/domain/risk/risk-settings.ts';
import { configError, load, tempDir, writeFile } from './helpers.ts';

function loadFile(text: string) {
  const cwd = tempDir();
  writeFile(cwd, 'user.cfg', text);
  return () => load({ cwd });
}

/**
 * Loading the user.cfg `text` fails with a ConfigError, exit 78, naming `section` and `key`; its message
 * contains every one of `parts`.
 */
function expectExit78(text: string, section: string, key: string, ...parts: string[]) {
  const err = configError(loadFile(text));
  expect(err.exitCode).toBe(78);
  expect(err.section).toBe(section);
  expect(err.key).toBe(key);
  for (const part of parts) expect(err.message).toContain(part);
}

describe('[risk] [signals] [intraday] keys', () => {
  it('default to every rule off and the §10–§11 lengths (= DEFAULT_RISK_SETTINGS)', () => {
    const { config } = load();
    expect(riskSettingsFrom(config)).toEqual(DEFAULT_RISK_SETTINGS);
    expect(config.intraday.check_every_minutes).toBe(5);
    expect(config.intraday.stop_on_exchange).toBe(false);
  });

  it('map a valid file onto RiskSettings (fractions as numbers)', () => {
    const { config } = loadFile(
      '[risk]\nstop_loss = 0.05\ntrailing_stop = 0.1\ntrailing_activation = 0.02\ntake_profit = 0.3\nmax_daily_loss = 0.04\nmax_drawdown = 0.25\n[signals]\nexit_signal = sma_cross\nexit_sma_fast = 6\nexit_sma_slow = 24\nentry_filter = breakout\nentry_breakout_days = 15\n[intraday]\ninterval = 4h\ncheck_every_minutes = 15\n',
    )();
    expect(riskSettingsFrom(config)).toEqual({
      ...DEFAULT_RISK_SETTINGS,
      stopLoss: 0.05,
      trailingStop: 0.1,
      trailingActivation: 0.02,
      takeProfit: 0.3,
      maxDailyLoss: 0.04,
      maxDrawdown: 0.25,
      exitSignal: 'sma_cross',
      exitSmaFast: 6,
      exitSmaSlow: 24,
      entryFilter: 'breakout',
      entryBreakoutDays: 15,
      interval: '4h',
    });
  });

  it.each([
    ['[risk]\nstop_loss = 1\n', 'risk', 'stop_loss', '0 (inclusive) to 1 (exclusive)'],
    ['[risk]\nstop_loss = 1.5\n', 'risk', 'stop_loss', '0 (inclusive) to 1 (exclusive)'],
    ['[risk]\nstop_loss = -0.05\n', 'risk', 'stop_loss', '0 (inclusive) to 1 (exclusive)'],
    ['[risk]\ntake_profit = 2\n', 'risk', 'take_profit', '0 (inclusive) to 1 (exclusive)'],
    ['[risk]\ntrailing_stop = 1\n', 'risk', 'trailing_stop', '0 (inclusive) to 1 (exclusive)'],
    ['[signals]\nexit_signal = macd\n', 'signals', 'exit_signal', 'none, sma_cross, breakout'],
    ['[signals]\nentry_filter = rsi\n', 'signals', 'entry_filter', 'none, sma_trend, breakout'],
    ['[intraday]\ninterval = 2m\n', 'intraday', 'interval', '1s, 1m, 3m, 5m'],
    ['[intraday]\ninterval = 1H\n', 'intraday', 'interval', '1h'],
  ])(
    '%j: a bad value → exit 78 naming the file, section, key and allowed values',
    (text, section, key, allowed) =>
      expectExit78(text, section, key, `user.cfg [${section}] ${key}`, allowed),
  );

  it.each([
    [
      '[risk]\ntrailing_activation = 0.05\n',
      'risk',
      'trailing_activation',
      'user.cfg [risk] trailing_activation = 0.05: it needs trailing_stop',
    ],
    [
      // Exchange-side stops need a real exchange (the default kind is replay): refused, not ignored.
      '[intraday]\nstop_on_exchange = true\n',
      'intraday',
      'stop_on_exchange',
      'user.cfg [intraday] stop_on_exchange = true: needs [exchange] kind = testnet | live',
    ],
    [
      '[signals]\nexit_sma_fast = 48\nexit_sma_slow = 48\n',
      'signals',
      'exit_sma_fast',
      'user.cfg [signals] exit_sma_fast = 48: it must be below exit_sma_slow (48)',
    ],
    [
      '[signals]\nentry_sma_fast = 40\n',
      'signals',
      'entry_sma_fast',
      'user.cfg [signals] entry_sma_fast = 40: it must be below entry_sma_slow (30)',
    ],
  ])('%j: a cross-key violation → exit 78 naming the file, section and key', (text, section, key, message) =>
    expectExit78(text, section, key, message),
  );

  it('names the environment variable when the cross-key problem came from there', () => {
    const err = configError(() => load({ env: { REBALANCER_SIGNALS_EXIT_SMA_FAST: '60' } }));
    expect(err.message).toContain(
      'env REBALANCER_SIGNALS_EXIT_SMA_FAST [signals] exit_sma_fast = 60: it must be below exit_sma_slow (48)',
    );
  });
});
