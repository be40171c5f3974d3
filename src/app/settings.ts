/**
 * The settings the rebalance use case reads, decoupled from the config file's layout
 * (`config/` maps the validated config onto this shape).
 */
import type { RebalanceMode } from '../domain/planning/plan.ts';
import type { StrategyMode } from '../domain/ranking/rank.ts';
import type { RiskSettings } from '../domain/risk/risk-settings.ts';
import type { UniverseParams } from '../domain/universe/eligibility.ts';

export interface RebalanceSettings {
  /** Ledger account name (paper account for replay). */
  readonly account: string;
  readonly exchangeKind: 'replay' | 'paper' | 'testnet' | 'live';
  /**
   * The venue the account's book must belong to: `replay` or `<kind> <base URL>` (issue 9.1); paper:
   * `paper <market-data URL>` (issue 13.2).
   */
  readonly venue: string;
  /** e.g. `USDT`. */
  readonly quoteAsset: string;
  /** Starting paper balance of a new account, quote asset (decimal string). */
  readonly initialQuote: string;
  readonly strategy: {
    readonly mode: StrategyMode;
    readonly lookbackDays: number;
    readonly topN: number;
    readonly rebalanceEveryDays: number;
  };
  /** The §4 universe filters, as the eligibility chain takes them ({@link UniverseParams}), and `allowEmpty`. */
  readonly universe: Pick<
    UniverseParams,
    'minAgeDays' | 'minMarketCap' | 'minQuoteVolume' | 'exclude' | 'include'
  > & {
    /** Zero eligible symbols: sell into cash (true) or refuse before any order (false). */
    readonly allowEmpty: boolean;
  };
  readonly portfolio: {
    readonly rebalanceMode: RebalanceMode;
    /** Fraction. */
    readonly cashBuffer: number;
    /** Fraction. */
    readonly band: number;
  };
  readonly execution: {
    /** Taker fee rate, decimal string fraction. */
    readonly feeRate: string;
    readonly slippageBps: number;
  };
  /**
   * The intraday rules and the entry filter (`[risk]`, `[signals]`, `[intraday]`; strategy-semantics.md
   * §10–§11). Absent = every rule off (`DEFAULT_RISK_SETTINGS`).
   */
  readonly risk?: RiskSettings;
}

/**
 * The §3 universe rules of `s` as the eligibility filter takes them (every {@link UniverseParams} field
 * but `tradingRule`, which the caller names): L, the minimum age, market cap (USD) and quote volume, the
 * exclude/include lists, and the §11 entry filter only when it is on.
 */
export function universeRulesOf(
  s: Pick<RebalanceSettings, 'quoteAsset' | 'strategy' | 'universe' | 'risk'>,
): Omit<UniverseParams, 'tradingRule'> {
  return {
    quoteAsset: s.quoteAsset,
    lookbackDays: s.strategy.lookbackDays,
    minAgeDays: s.universe.minAgeDays,
    minMarketCap: s.universe.minMarketCap,
    minQuoteVolume: s.universe.minQuoteVolume,
    exclude: s.universe.exclude,
    include: s.universe.include,
    ...(s.risk !== undefined && s.risk.entryFilter !== 'none' ? { entryFilter: s.risk } : {}),
  };
}
