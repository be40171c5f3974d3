/**
 * Port: what the intraday pass keeps between passes (issue 10 item 4; strategy-semantics.md §10, §12):
 * each held symbol's §10 position state with the last candle it evaluated and a pending exit, the
 * account's portfolio-risk memory, and each pass's decisions and exits. Implemented by
 * `adapters/postgres/intraday-store.ts` (migration 006). Decimals are exact strings, times UTC ms.
 */

/** The §10 state of one held symbol as stored. */
export interface RiskStateRow {
  readonly symbol: string;
  /** Cost basis `C` (quote asset). */
  readonly costBasis: string;
  /** Holding `h` (base units). */
  readonly holding: string;
  /** Peak `P` (quote per base); null before the first BUY of the position. */
  readonly peak: string | null;
  /** Open time of the last candle of `[intraday] interval` evaluated, UTC ms; null = none yet. */
  readonly lastCandleOpenMs: number | null;
  /** An exit to execute at the next bar (§10): `signal`, `daily_loss`, `max_drawdown`; null when none. */
  readonly pending: 'signal' | 'daily_loss' | 'max_drawdown' | null;
}

/** Portfolio-risk memory of an account (§10 "Portfolio risk"). */
export interface IntradayAccountRow {
  /** Max of `initial_quote` and every pass's equity (quote asset). */
  readonly equityPeak: string;
  /** UTC day `YYYY-MM-DD` of `lastEquity`. */
  readonly equityDay: string;
  /** `E(D−1)`: the last equity of the day before `equityDay` (quote asset). */
  readonly prevDayEquity: string;
  /** The last pass's equity (quote asset). */
  readonly lastEquity: string;
}

/** One exit an intraday rule decided (the results' `exits` and table `intraday_exits`). */
export interface IntradayExitRow {
  /** The bar that fired (its open time; the pass time for the last-price bar), UTC ms. */
  readonly at: number;
  readonly symbol: string;
  readonly reason: string;
  /** The level that fired (`S` or `T`), null for an exit at an open. */
  readonly level: string | null;
  /** Decision price `x` (quote per base). */
  readonly decisionPrice: string;
  /** Base units sold (0 when rejected). */
  readonly quantity: string;
  /** Average fill price; null when nothing filled. */
  readonly price: string | null;
  /** Fill against the level (or `x`), bps, positive = worse; null when nothing filled. */
  readonly slippageBps: number | null;
  readonly clientOrderId: string;
}

/** The intraday pass's ledger tables. */
export interface IntradayJournal {
  /** Every stored position state of the account (symbol order). */
  riskStates(accountId: string): Promise<RiskStateRow[]>;
  /**
   * Replaces the account's position states with `rows` in one transaction (rows with a zero holding are
   * dropped). @param runId the run that wrote them (null: none).
   */
  saveRiskStates(
    accountId: string,
    rows: readonly RiskStateRow[],
    runId: string | null,
    at: number,
  ): Promise<void>;
  /** The account's portfolio-risk memory, or null before the first pass. */
  intradayAccount(accountId: string): Promise<IntradayAccountRow | null>;
  /** Stores the account's portfolio-risk memory. */
  saveIntradayAccount(accountId: string, row: IntradayAccountRow, at: number): Promise<void>;
  /** Records the per-position decisions of a pass (JSON detail by symbol). */
  recordIntradayDecisions(
    runId: string,
    rows: readonly { readonly symbol: string; readonly detail: unknown }[],
  ): Promise<void>;
  /** Records the exits of a pass. */
  recordIntradayExits(runId: string, accountId: string, rows: readonly IntradayExitRow[]): Promise<void>;
  /** The account's recorded exits, oldest first (reports, tests). */
  intradayExits(accountId: string): Promise<IntradayExitRow[]>;
}
