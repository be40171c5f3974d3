/**
 * The `[risk]`, `[signals]` and `[intraday] interval` settings of the intraday rules
 * (strategy-semantics.md §10, §11, §12) and their validation rules as pure functions, for the config
 * loader to call (issue 10 "Bad input"). Each rule returns a message naming the key, the value and the
 * allowed values; the loader adds the file name and exits 78.
 */
import type { EntryFilterKind } from '../signals/entry-filter.ts';

/** `[signals] exit_signal` (§10). */
export type ExitSignalKind = 'none' | 'sma_cross' | 'breakout';

/** Every kline interval Binance has (rest-api.md "Supported kline intervals", case-sensitive). */
export const BINANCE_INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;

/** A Binance kline interval. */
export type KlineInterval = (typeof BINANCE_INTERVALS)[number];

/** The intraday settings; fractions as numbers (0.05 = 5 %), `0` = off; lengths in bars or days. */
export interface RiskSettings {
  /** `[risk] stop_loss`, fraction in (0, 1) or 0. */
  readonly stopLoss: number;
  /** `[risk] trailing_stop`, fraction in (0, 1) or 0. */
  readonly trailingStop: number;
  /** `[risk] trailing_activation`, fraction ≥ 0 (only with `trailing_stop`). */
  readonly trailingActivation: number;
  /** `[risk] take_profit`, fraction in (0, 1) or 0. */
  readonly takeProfit: number;
  /** `[risk] max_daily_loss`, fraction in (0, 1) or 0. */
  readonly maxDailyLoss: number;
  /** `[risk] max_drawdown`, fraction in (0, 1) or 0. */
  readonly maxDrawdown: number;
  /** `[signals] exit_signal`. */
  readonly exitSignal: ExitSignalKind;
  /** `[signals] exit_sma_fast` (bars of `interval`). */
  readonly exitSmaFast: number;
  /** `[signals] exit_sma_slow` (bars). */
  readonly exitSmaSlow: number;
  /** `[signals] exit_breakout_bars` (bars). */
  readonly exitBreakoutBars: number;
  /** `[signals] entry_filter` (§11). */
  readonly entryFilter: EntryFilterKind;
  /** `[signals] entry_sma_fast` (days). */
  readonly entrySmaFast: number;
  /** `[signals] entry_sma_slow` (days). */
  readonly entrySmaSlow: number;
  /** `[signals] entry_breakout_days` (days). */
  readonly entryBreakoutDays: number;
  /** `[intraday] interval`. */
  readonly interval: KlineInterval;
  /** `[intraday] stop_on_exchange`: keep a STOP_LOSS at the stop level on the exchange (absent = false). */
  readonly stopOnExchange?: boolean;
}

/** The defaults of §10–§12: every rule off, `exit_sma_fast = 12`, `exit_sma_slow = 48`, … */
export const DEFAULT_RISK_SETTINGS: RiskSettings = {
  stopLoss: 0,
  trailingStop: 0,
  trailingActivation: 0,
  takeProfit: 0,
  maxDailyLoss: 0,
  maxDrawdown: 0,
  exitSignal: 'none',
  exitSmaFast: 12,
  exitSmaSlow: 48,
  exitBreakoutBars: 24,
  entryFilter: 'none',
  entrySmaFast: 10,
  entrySmaSlow: 30,
  entryBreakoutDays: 20,
  interval: '1h',
};

/** One violated rule. */
export interface RiskSettingsProblem {
  /** Config section, e.g. `risk`. */
  readonly section: 'risk' | 'signals' | 'intraday';
  /** Config key, e.g. `stop_loss`. */
  readonly key: string;
  /** `[section] key = value: what is wrong; allowed: …`. */
  readonly message: string;
}

function problem(section: RiskSettingsProblem['section'], key: string, value: unknown, why: string) {
  return { section, key, message: `[${section}] ${key} = ${String(value)}: ${why}` };
}

/**
 * A `[risk]` fraction (`stop_loss`, `trailing_stop`, `take_profit`, `max_daily_loss`, `max_drawdown`):
 * `0` (off) or strictly between 0 and 1 (§10; issue 10 "Bad input").
 * @returns the problem, or null when valid.
 */
export function checkRiskFraction(key: string, value: number): RiskSettingsProblem | null {
  if (value === 0 || (Number.isFinite(value) && value > 0 && value < 1)) return null;
  return problem('risk', key, value, 'allowed: 0 (off) or a fraction strictly between 0 and 1 (0.05 = 5 %)');
}

/**
 * `trailing_activation`: a fraction ≥ 0, and above 0 only when `trailing_stop` is on (§10).
 * @returns the problem, or null when valid.
 */
export function checkTrailingActivation(
  activation: number,
  trailingStop: number,
): RiskSettingsProblem | null {
  if (!Number.isFinite(activation) || activation < 0) {
    return problem(
      'risk',
      'trailing_activation',
      activation,
      'allowed: 0 or a positive fraction (0.05 = 5 %)',
    );
  }
  if (activation > 0 && trailingStop === 0) {
    return problem(
      'risk',
      'trailing_activation',
      activation,
      'it needs trailing_stop: set [risk] trailing_stop to a fraction in (0, 1), or trailing_activation to 0',
    );
  }
  return null;
}

/**
 * A fast/slow SMA pair (`exit_sma_fast`/`exit_sma_slow` §10, `entry_sma_fast`/`entry_sma_slow` §11):
 * integers ≥ 1 with fast < slow. The problem names the fast key.
 * @param prefix `exit` or `entry`.
 */
export function checkSmaPair(
  prefix: 'exit' | 'entry',
  fast: number,
  slow: number,
): RiskSettingsProblem | null {
  for (const [key, v] of [
    [`${prefix}_sma_fast`, fast],
    [`${prefix}_sma_slow`, slow],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) return problem('signals', key, v, 'allowed: an integer >= 1');
  }
  if (fast >= slow) {
    return problem(
      'signals',
      `${prefix}_sma_fast`,
      fast,
      `it must be below ${prefix}_sma_slow (${slow}); allowed: 1 <= ${prefix}_sma_fast < ${prefix}_sma_slow`,
    );
  }
  return null;
}

/** A bar or day count (`exit_breakout_bars`, `entry_breakout_days`): an integer ≥ 1. */
export function checkCount(key: string, value: number): RiskSettingsProblem | null {
  if (Number.isInteger(value) && value >= 1) return null;
  return problem('signals', key, value, 'allowed: an integer >= 1');
}

/** `[intraday] interval`: one of Binance's kline intervals (rest-api.md), case-sensitive. */
export function checkInterval(value: string): RiskSettingsProblem | null {
  if ((BINANCE_INTERVALS as readonly string[]).includes(value)) return null;
  return problem(
    'intraday',
    'interval',
    value,
    `Binance has no such kline interval; allowed: ${BINANCE_INTERVALS.join(', ')}`,
  );
}

/** `[signals] exit_signal` (none | sma_cross | breakout) or `entry_filter` (none | sma_trend | breakout). */
export function checkSignalKind(
  key: 'exit_signal' | 'entry_filter',
  value: string,
): RiskSettingsProblem | null {
  const allowed =
    key === 'exit_signal' ? ['none', 'sma_cross', 'breakout'] : ['none', 'sma_trend', 'breakout'];
  if (allowed.includes(value)) return null;
  return problem('signals', key, value, `allowed: ${allowed.join(', ')}`);
}

/**
 * Every rule above over a whole settings object.
 * @returns the problems in key order (empty when valid); the caller reports them with the file name and
 *   exits 78 before any order.
 */
export function validateRiskSettings(s: RiskSettings): RiskSettingsProblem[] {
  const found = [
    checkRiskFraction('stop_loss', s.stopLoss),
    checkRiskFraction('trailing_stop', s.trailingStop),
    checkTrailingActivation(s.trailingActivation, s.trailingStop),
    checkRiskFraction('take_profit', s.takeProfit),
    checkRiskFraction('max_daily_loss', s.maxDailyLoss),
    checkRiskFraction('max_drawdown', s.maxDrawdown),
    checkSignalKind('exit_signal', s.exitSignal),
    checkSmaPair('exit', s.exitSmaFast, s.exitSmaSlow),
    checkCount('exit_breakout_bars', s.exitBreakoutBars),
    checkSignalKind('entry_filter', s.entryFilter),
    checkSmaPair('entry', s.entrySmaFast, s.entrySmaSlow),
    checkCount('entry_breakout_days', s.entryBreakoutDays),
    checkInterval(s.interval),
  ];
  return found.filter((p): p is RiskSettingsProblem => p !== null);
}

/**
 * An *intraday rule is on* (§10) when `stop_loss`, `trailing_stop`, `take_profit`, `max_daily_loss` or
 * `max_drawdown` is above 0 or `exit_signal` is not `none`.
 */
export function intradayRuleOn(s: RiskSettings): boolean {
  return (
    s.stopLoss > 0 ||
    s.trailingStop > 0 ||
    s.takeProfit > 0 ||
    s.maxDailyLoss > 0 ||
    s.maxDrawdown > 0 ||
    s.exitSignal !== 'none'
  );
}
