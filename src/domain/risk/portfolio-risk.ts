/**
 * Portfolio risk at the close of an hour `H` (strategy-semantics.md §10 "Portfolio risk"): equity `E_H`
 * at the marks, the daily-loss test against `E(D−1)` and the drawdown test against the running peak.
 * Exact decimals (equity is money).
 */
import { type Decimal, type DecimalInput, dec } from '../decimal.ts';

/** A closed candle that can mark a holding: its close and the time it closed (UTC ms, exclusive end). */
export interface MarkCandidate {
  /** Close (quote per base). */
  readonly close: Decimal;
  /** Close time = open time + interval length, UTC ms. */
  readonly closedAtMs: number;
}

/**
 * `mark_s` (§10): the close of the most recent candle of `s` that has closed by the end of `H`, hourly
 * or daily, hourly on a tie.
 * @param hourly the latest hourly candle closed by `H`'s end, or null.
 * @param daily the latest daily candle closed by `H`'s end, or null.
 * @returns the mark, or null when neither exists.
 */
export function pickMark(hourly: MarkCandidate | null, daily: MarkCandidate | null): Decimal | null {
  if (hourly && (!daily || hourly.closedAtMs >= daily.closedAtMs)) return hourly.close;
  return daily ? daily.close : null;
}

/**
 * `E_H = cash + Σ h_s · mark_s` (§10), in the quote asset.
 * @param cash free quote balance; @param holdings each holding `h` (base units) with its mark.
 */
export function equityAt(
  cash: Decimal,
  holdings: readonly { readonly holding: Decimal; readonly mark: Decimal }[],
): Decimal {
  let e = cash;
  for (const x of holdings) e = e.plus(x.holding.times(x.mark));
  return e;
}

/** The `[risk]` portfolio fractions; `0` = off (§10). */
export interface PortfolioRiskSettings {
  /** `max_daily_loss`. */
  readonly maxDailyLoss: DecimalInput;
  /** `max_drawdown`. */
  readonly maxDrawdown: DecimalInput;
}

/** The outcome of the portfolio check at one hour. */
export interface PortfolioRiskCheck {
  /** `E_H <= E(D−1) · (1 − max_daily_loss)` (rule on). */
  readonly dailyLoss: boolean;
  /** `E_H <= peak · (1 − max_drawdown)` (rule on). */
  readonly drawdown: boolean;
  /** The reason the forced exits record: `daily_loss` when it fired (also when both fired), else
   *  `max_drawdown`, else null. */
  readonly reason: 'daily_loss' | 'max_drawdown' | null;
  /** The drawdown fired: the account is halted (also when both fired). */
  readonly halt: boolean;
  /** The equity peak after this hour, `max(peak, E_H)`. */
  readonly newPeak: Decimal;
}

/**
 * Checks daily loss and drawdown at `H`'s close (§10).
 * @param equity `E_H`. @param previousDayEquity `E(D−1)`, §9's close-of-day equity of the day before
 *   (`initial_quote` on the first day). @param peak max of `initial_quote` and every earlier `E_H`
 *   (start it at `initial_quote`); `E_H` itself joins it first (it cannot fire the test on itself).
 */
export function checkPortfolioRisk(
  equity: Decimal,
  previousDayEquity: Decimal,
  peak: Decimal,
  settings: PortfolioRiskSettings,
): PortfolioRiskCheck {
  const dl = dec(settings.maxDailyLoss);
  const dd = dec(settings.maxDrawdown);
  const newPeak = equity.gt(peak) ? equity : peak;
  const dailyLoss = dl.gt(0) && equity.lte(previousDayEquity.times(dec(1).minus(dl)));
  const drawdown = dd.gt(0) && equity.lte(newPeak.times(dec(1).minus(dd)));
  const reason = dailyLoss ? 'daily_loss' : drawdown ? 'max_drawdown' : null;
  return { dailyLoss, drawdown, reason, halt: drawdown, newPeak };
}

/**
 * The reason a position's forced exit records after a portfolio check (§10): an exit already pending
 * keeps its own reason; otherwise the check's reason (`daily_loss` or `max_drawdown`), or null when
 * nothing fired. The exit executes at the open of the symbol's next bar.
 * @param pending the reason of the exit already pending for the symbol, or null.
 */
export function pendingReasonAfterCheck<R extends string>(
  pending: R | null,
  check: PortfolioRiskCheck,
): R | 'daily_loss' | 'max_drawdown' | null {
  return pending ?? check.reason;
}
