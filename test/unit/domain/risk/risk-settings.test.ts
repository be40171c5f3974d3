import { describe, expect, it } from 'vitest';
import {
  BINANCE_INTERVALS,
  checkInterval,
  checkRiskFraction,
  checkSmaPair,
  checkTrailingActivation,
  DEFAULT_RISK_SETTINGS,
  intradayRuleOn,
  type RiskSettings,
  validateRiskSettings,
} from '../../../../src/domain/risk/risk-settings.ts';

const keys = (s: Partial<RiskSettings>) =>
  validateRiskSettings({ ...DEFAULT_RISK_SETTINGS, ...s }).map((p) => p.key);

describe('risk settings validation (issue 10 "Bad input", strategy-semantics §10–§12)', () => {
  it('the defaults are valid and switch every intraday rule off (§10 defaults)', () => {
    expect(validateRiskSettings(DEFAULT_RISK_SETTINGS)).toEqual([]);
    expect(intradayRuleOn(DEFAULT_RISK_SETTINGS)).toBe(false);
    expect(DEFAULT_RISK_SETTINGS).toMatchObject({
      exitSmaFast: 12,
      exitSmaSlow: 48,
      exitBreakoutBars: 24,
      interval: '1h',
    });
  });

  it.each([
    ['stop_loss', 1],
    ['stop_loss', 1.5],
    ['stop_loss', -0.1],
    ['take_profit', 1],
    ['trailing_stop', Number.NaN],
  ])('%s = %s is outside (0, 1): message names the key and the allowed values', (key, value) => {
    const p = checkRiskFraction(key, value);
    expect(p?.message).toBe(
      `[risk] ${key} = ${value}: allowed: 0 (off) or a fraction strictly between 0 and 1 (0.05 = 5 %)`,
    );
  });

  it('0 (off) and fractions inside (0, 1) pass', () => {
    expect(checkRiskFraction('stop_loss', 0)).toBeNull();
    expect(checkRiskFraction('stop_loss', 0.05)).toBeNull();
    expect(checkRiskFraction('take_profit', 0.999)).toBeNull();
  });

  it('trailing_activation without trailing_stop is an error naming both keys', () => {
    expect(checkTrailingActivation(0.1, 0)?.message).toBe(
      '[risk] trailing_activation = 0.1: it needs trailing_stop: set [risk] trailing_stop to a fraction in (0, 1), or trailing_activation to 0',
    );
    expect(checkTrailingActivation(0.1, 0.05)).toBeNull();
    expect(checkTrailingActivation(0, 0)).toBeNull();
    expect(checkTrailingActivation(-1, 0.05)?.key).toBe('trailing_activation');
  });

  it('exit_sma_fast >= exit_sma_slow is an error naming the key and the allowed range', () => {
    expect(checkSmaPair('exit', 48, 48)?.message).toBe(
      '[signals] exit_sma_fast = 48: it must be below exit_sma_slow (48); allowed: 1 <= exit_sma_fast < exit_sma_slow',
    );
    expect(checkSmaPair('exit', 12, 48)).toBeNull();
    expect(checkSmaPair('entry', 30, 10)?.key).toBe('entry_sma_fast');
    expect(checkSmaPair('exit', 1.5, 48)?.message).toBe(
      '[signals] exit_sma_fast = 1.5: allowed: an integer >= 1',
    );
  });

  it('an interval Binance does not have lists the allowed ones (rest-api.md "Supported kline intervals")', () => {
    expect(checkInterval('2d')?.message).toBe(
      '[intraday] interval = 2d: Binance has no such kline interval; allowed: 1s, 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d, 1w, 1M',
    );
    // case-sensitive: 1M is a month, 1m a minute, 1H does not exist
    expect(checkInterval('1H')?.key).toBe('interval');
    for (const i of BINANCE_INTERVALS) expect(checkInterval(i)).toBeNull();
  });

  it('validateRiskSettings collects every problem in key order', () => {
    expect(
      keys({
        stopLoss: 2,
        trailingActivation: 0.1,
        exitSmaFast: 50,
        interval: '7m' as RiskSettings['interval'],
      }),
    ).toEqual(['stop_loss', 'trailing_activation', 'exit_sma_fast', 'interval']);
    expect(keys({ exitSignal: 'macd' as RiskSettings['exitSignal'], entryBreakoutDays: 0 })).toEqual([
      'exit_signal',
      'entry_breakout_days',
    ]);
  });

  it('an intraday rule is on with any stop, take-profit, portfolio limit or exit signal (§10)', () => {
    for (const s of [
      { stopLoss: 0.1 },
      { trailingStop: 0.1 },
      { takeProfit: 0.1 },
      { maxDailyLoss: 0.1 },
      { maxDrawdown: 0.1 },
      { exitSignal: 'breakout' as const },
    ]) {
      expect(intradayRuleOn({ ...DEFAULT_RISK_SETTINGS, ...s })).toBe(true);
    }
    // an entry filter alone is not an intraday rule
    expect(intradayRuleOn({ ...DEFAULT_RISK_SETTINGS, entryFilter: 'sma_trend' })).toBe(false);
  });
});
