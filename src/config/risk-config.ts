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
    ...(intraday.stop_on_exchange ? { stopOnExchange: true } : {}),
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
  const problems: ConfigProblem[] = validateRiskSettings(riskSettingsFrom(config)).map((p) => {
    const source = origins[`${p.section}.${p.key}`] ?? 'config';
    const shown = source === 'default' ? 'default' : source;
    return { source: shown, section: p.section, key: p.key, message: `${shown} ${p.message}` };
  });
  problems.push(...stopOnExchangeProblems(config, origins));
  return problems;
}

/**
 * `[intraday] stop_on_exchange = true` (issue 10 item 7) needs a real exchange (`[exchange] kind =
 * testnet | live`: replay and paper have no resting orders) and a §10 stop rule (`[risk] stop_loss` or
 * `trailing_stop` above 0): otherwise a config problem naming the key and the allowed values.
 */
function stopOnExchangeProblems(config: Config, origins: Readonly<Record<string, string>>): ConfigProblem[] {
  if (!config.intraday.stop_on_exchange) return [];
  const shown = origins['intraday.stop_on_exchange'] ?? 'config';
  const problem = (message: string): ConfigProblem => ({
    source: shown,
    section: 'intraday',
    key: 'stop_on_exchange',
    message: `${shown} [intraday] stop_on_exchange = true: ${message}`,
  });
  const kind = config.exchange.kind;
  if (kind !== 'testnet' && kind !== 'live') {
    return [
      problem(
        `needs [exchange] kind = testnet | live (got ${kind}: a simulated exchange keeps no resting STOP_LOSS orders); allowed values: false with kind = ${kind}`,
      ),
    ];
  }
  if (!(config.risk.stop_loss > 0) && !(config.risk.trailing_stop > 0)) {
    return [
      problem(
        'needs a stop level: [risk] stop_loss or [risk] trailing_stop above 0 (both are 0 = off); allowed values: false, or set stop_loss / trailing_stop in (0, 1)',
      ),
    ];
  }
  return [];
}
