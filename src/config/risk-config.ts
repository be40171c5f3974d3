/**
 * The `[risk]`, `[signals]` and `[intraday]` sections of the validated config as the domain's
 * {@link RiskSettings} (strategy-semantics.md §10–§12), and their cross-key checks (issue 10 item 2
 * "Bad input": `trailing_activation` without `trailing_stop`, `exit_sma_fast >= exit_sma_slow`, …) as
 * config problems naming the source, section, key and allowed values.
 */
import { type KlineInterval, type RiskSettings, validateRiskSettings } from '../domain/risk/risk-settings.ts';
import type { ConfigProblem } from './errors.ts';
import type { Config } from './schema.ts';

/** The intraday settings of `config` (fractions as numbers, lengths in candles or days). */
export function riskSettingsFrom(config: Config): RiskSettings {
  const { risk, signals, intraday } = config;
  return {
    stopLoss: risk.stop_loss,
    trailingStop: risk.trailing_stop,
    trailingActivation: risk.trailing_activation,
    takeProfit: risk.take_profit,
    maxDailyLoss: risk.max_daily_loss,
    maxDrawdown: risk.max_drawdown,
    exitSignal: signals.exit_signal,
    exitSmaFast: signals.exit_sma_fast,
    exitSmaSlow: signals.exit_sma_slow,
    exitBreakoutBars: signals.exit_breakout_bars,
    entryFilter: signals.entry_filter,
    entrySmaFast: signals.entry_sma_fast,
    entrySmaSlow: signals.entry_sma_slow,
    entryBreakoutDays: signals.entry_breakout_days,
    interval: intraday.interval as KlineInterval,
  };
}

/**
 * The cross-key problems of `config`'s intraday settings (src/domain/risk/risk-settings.ts validators),
 * each prefixed with where the offending value came from.
 * @param origins `section.key` → source as shown (`user.cfg`, `env VAR`, `flag --x`, `default`).
 * @returns the problems (empty when valid); the loader throws them as a ConfigError (exit 78).
 */
export function riskConfigProblems(
  config: Config,
  origins: Readonly<Record<string, string>>,
): ConfigProblem[] {
  const problems = validateRiskSettings(riskSettingsFrom(config)).map((p) => {
    const source = origins[`${p.section}.${p.key}`] ?? 'config';
    const shown = source === 'default' ? 'default' : source;
    return { source: shown, section: p.section, key: p.key, message: `${shown} ${p.message}` };
  });
  if (config.intraday.stop_on_exchange) {
    // The adapter can place, cancel and list STOP_LOSS orders (port StopOrders), but no job keeps them
    // yet: refusing is honest, accepting `true` would leave positions without the stop the user expects.
    const shown = origins['intraday.stop_on_exchange'] ?? 'config';
    problems.push({
      source: shown,
      section: 'intraday',
      key: 'stop_on_exchange',
      message: `${shown} [intraday] stop_on_exchange = true: not supported by the jobs of this version (the Binance adapter can place and cancel STOP_LOSS orders, but no job keeps them on the exchange yet); allowed values: false — the intraday pass (momentum-rebalancer intraday) sells at the stop instead`,
    });
  }
  return problems;
}
