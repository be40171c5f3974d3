/**
 * Performance metrics of a daily equity curve (strategy-semantics.md §9). Pure: no I/O, no clock.
 *
 * The equity series is the one the results file holds (`BacktestResult.equity`): index 0 is
 * `E(start − 1) = initial_quote` (the day before `--from`), then one close-of-day value per day of
 * `[start, end]`. With `n` daily returns the series has `n + 1` points.
 *
 * Readings of §9 where the text leaves a choice (both follow from taking "E" to be that whole series,
 * initial point included, everywhere it appears):
 * - **max_drawdown**: `E(start − 1)` is one of the `u` in `max over u ≤ t of E(u)`, so a loss on the first
 *   day is a drawdown from the initial capital (equity 10 000 → 9 000 → 9 500 has max_drawdown 0.1, not 0).
 *   As a `t` it contributes `1 − E/E = 0`, so including it there changes nothing.
 * - **turnover**: `mean(E)` is the mean of all `n + 1` points, `E(start − 1)` included.
 *
 * Arithmetic: plain IEEE-754 doubles (metrics are floats by the project's rules); sums are compensated
 * ({@link compensatedSum}); the variance is a corrected two-pass one; closed-form expressions are evaluated
 * literally as §9 writes them (e.g. `(E(end) / initial) ^ (365 / n) − 1`), so that an independent
 * implementation of §9 reproduces them to far better than 1e-9 relative.
 *
 * The result types are structurally identical to `BacktestMetrics` / `EquityPoint` in
 * `src/app/backtest-result.ts` (the results-JSON contract); they are declared here so that the domain
 * does not depend on the app layer.
 */
import { compensatedMean, compensatedSum } from './summation.ts';

/** Days per year used to annualise daily figures (§9: crypto trades every day). */
export const DAYS_PER_YEAR = 365;

/** One point of the daily equity curve (same shape as `EquityPoint` of the results file). */
export interface DatedEquity {
  /** UTC day `YYYY-MM-DD`. */
  readonly date: string;
  /** Close-of-day equity, quote asset. */
  readonly equity: number;
}

/**
 * Performance metrics of one equity series, snake_case as written to the results file (same shape as
 * `BacktestMetrics`). Every number is finite; undefined values are `null`, never NaN or Infinity.
 */
export interface PerformanceMetrics {
  /** `E(end) / initial_quote − 1`, fraction. */
  readonly total_return: number;
  /** `(E(end) / initial_quote)^(365/n) − 1`, fraction. */
  readonly cagr: number;
  /** `stdev(r, ddof=1) × sqrt(365)`; null when n < 2 (0 for a flat curve). */
  readonly volatility: number | null;
  /** `mean(r) / stdev(r, ddof=1) × sqrt(365)`; null when n < 2 or the stdev is 0. */
  readonly sharpe: number | null;
  /** `mean(r) / sqrt(mean(min(r, 0)^2)) × sqrt(365)`, the inner mean over all n returns; null when no return is negative. */
  readonly sortino: number | null;
  /** `max_t (1 − E(t) / max_{u≤t} E(u))`, `E(start − 1)` included among the u; positive fraction, 0 when never below a peak. */
  readonly max_drawdown: number;
  /** `cagr / max_drawdown`; null when max_drawdown is 0. */
  readonly calmar: number | null;
  /** Σ commissions valued in quote at their fill price, quote asset. */
  readonly fees: number;
  /** `Σ fill notionals (q × p) / mean(E)`, `E(start − 1)` included in the mean; a multiple of equity. */
  readonly turnover: number;
  /** Number of fills. */
  readonly n_trades: number;
}

/** Input of {@link computeMetrics}. */
export interface MetricsInput {
  /** `E(start − 1)`, `E(start)`, …, `E(end)`; at least two points; `equity[0].equity === initialQuote`. */
  readonly equity: readonly DatedEquity[];
  /** `initial_quote`, quote asset (> 0). */
  readonly initialQuote: number;
  /** `q × p` of every fill, quote asset (finite, ≥ 0), one per fill. */
  readonly fillNotionals: readonly number[];
  /** Commission of every fill valued in quote at its fill price (finite, ≥ 0), same order and length as `fillNotionals`. */
  readonly feesQuote: readonly number[];
}

const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function checkEquityValues(equity: readonly number[]): void {
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i] as number;
    if (!Number.isFinite(e) || e <= 0)
      throw new RangeError(`equity[${i}] must be a finite number > 0, got ${String(e)}`);
  }
}

/**
 * Daily returns `r_t = E(t) / E(t − 1) − 1` (§9).
 * @param equity close-of-day equity in quote, `equity[0] = E(start − 1) = initial_quote`, then one value
 *   per day of `[start, end]`; every value finite and > 0.
 * @returns `equity.length − 1` returns as fractions (`[]` for fewer than two points); `r[i]` is the return
 *   of the day of `equity[i + 1]`.
 * @throws RangeError when a value is not finite or not > 0 (the ratio would be undefined).
 */
export function dailyReturns(equity: readonly number[]): number[] {
  checkEquityValues(equity);
  const out: number[] = [];
  for (let i = 1; i < equity.length; i++) out.push((equity[i] as number) / (equity[i - 1] as number) - 1);
  return out;
}

/**
 * Drawdown at every point: `d_t = 1 − E(t) / max_{u≤t} E(u)` (§9, the series whose maximum is
 * `max_drawdown`). The running peak starts at `equity[0]`, so `E(start − 1)` counts as a peak.
 * @param equity close-of-day equity in quote, `equity[0] = E(start − 1)`; every value finite and > 0.
 * @returns one positive fraction per input point (same length; `d_0 = 0`; 0 at a new peak).
 * @throws RangeError when a value is not finite or not > 0.
 */
export function drawdownSeries(equity: readonly number[]): number[] {
  checkEquityValues(equity);
  const out: number[] = [];
  let peak = Number.NEGATIVE_INFINITY;
  for (const e of equity) {
    if (e > peak) peak = e;
    out.push(1 - e / peak);
  }
  return out;
}

/**
 * Maximum of {@link drawdownSeries}: `max_t (1 − E(t) / max_{u≤t} E(u))` (§9), `E(start − 1)` included.
 * @param equity as for {@link drawdownSeries}.
 * @returns a fraction in `[0, 1)`; 0 for an empty or never-falling series.
 * @throws RangeError when a value is not finite or not > 0.
 */
export function maxDrawdown(equity: readonly number[]): number {
  let max = 0;
  for (const d of drawdownSeries(equity)) if (d > max) max = d;
  return max;
}

/**
 * Sample standard deviation (ddof = 1) by a corrected two-pass algorithm:
 * `var = (Σ d_i² − (Σ d_i)² / n) / (n − 1)` with `d_i = x_i − mean(x)` and compensated sums (the second
 * term cancels the rounding error of the mean).
 * @param values at least two finite floats.
 * @returns the standard deviation (≥ 0, same unit as the values; exactly 0 when all values are equal), or
 *   null when fewer than two values.
 */
export function sampleStdev(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  // Identical values: exactly 0 (mean(x) rounded could otherwise leave ~1e-17 deviations).
  if (values.every((v) => v === values[0])) return 0;
  const mean = compensatedMean(values);
  const dev = values.map((v) => v - mean);
  const sumDev = compensatedSum(dev);
  const sumSq = compensatedSum(dev.map((d) => d * d));
  const variance = (sumSq - (sumDev * sumDev) / n) / (n - 1);
  return Math.sqrt(Math.max(0, variance));
}

/** A finite number, or null (never NaN / ±Infinity in the results). */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function checkAmounts(name: string, values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v) || v < 0)
      throw new RangeError(`${name}[${i}] must be a finite number >= 0, got ${String(v)}`);
  }
}

/**
 * All performance metrics of one run, exactly per strategy-semantics.md §9 (see the module docstring for
 * the readings of `max_drawdown` and `mean(E)` in `turnover`: the initial point `E(start − 1)` counts in
 * both). With `r` the `n` daily returns ({@link dailyReturns}):
 * - `total_return = E(end) / initial − 1`; `cagr = (E(end) / initial)^(365 / n) − 1`;
 * - `volatility = stdev(r, ddof=1) × √365` (null when n < 2);
 * - `sharpe = mean(r) / stdev(r, ddof=1) × √365` (null when n < 2 or stdev = 0);
 * - `sortino = mean(r) / √(mean(min(r, 0)²)) × √365`, the inner mean over all n returns (null when no r < 0);
 * - `max_drawdown` ({@link maxDrawdown}); `calmar = cagr / max_drawdown` (null when max_drawdown = 0);
 * - `fees = Σ feesQuote`; `turnover = Σ fillNotionals / mean(E)`; `n_trades = fillNotionals.length`.
 *
 * Every number in the result is finite; a ratio that is undefined (or overflows) is null.
 * @param input equity series (quote, `E(start − 1)` first), initial quote, per-fill notionals and fees (quote).
 * @returns the metrics, snake_case as in the results file.
 * @throws RangeError when the equity series has fewer than two points (no daily return), holds a value that
 *   is not finite or not > 0, does not start at `initialQuote`; when `initialQuote` is not finite and > 0;
 *   when a notional or fee is not finite or negative, or the two lists differ in length; or when `cagr`
 *   overflows a double (growth so large over so few days that `(E(end)/initial)^(365/n)` exceeds ~1.8e308,
 *   e.g. ×7 in a one-day run) — `cagr` has no null in the contract.
 */
export function computeMetrics(input: MetricsInput): PerformanceMetrics {
  const { initialQuote, fillNotionals, feesQuote } = input;
  if (!Number.isFinite(initialQuote) || initialQuote <= 0)
    throw new RangeError(`initialQuote must be a finite number > 0, got ${String(initialQuote)}`);
  const equity = input.equity.map((p) => p.equity);
  if (equity.length < 2)
    throw new RangeError(
      `equity needs E(start - 1) and at least one day (>= 2 points), got ${equity.length} point(s)`,
    );
  checkEquityValues(equity);
  if (equity[0] !== initialQuote)
    throw new RangeError(
      `equity[0] (${String(equity[0])}, E(start - 1)) must equal initialQuote (${String(initialQuote)})`,
    );
  if (fillNotionals.length !== feesQuote.length)
    throw new RangeError(
      `fillNotionals (${fillNotionals.length}) and feesQuote (${feesQuote.length}) must have one entry per fill`,
    );
  checkAmounts('fillNotionals', fillNotionals);
  checkAmounts('feesQuote', feesQuote);

  const returns = dailyReturns(equity);
  const n = returns.length;
  const last = equity[equity.length - 1] as number;
  const growth = last / initialQuote;
  const sqrtYear = Math.sqrt(DAYS_PER_YEAR);

  const total_return = growth - 1;
  const cagr = growth ** (DAYS_PER_YEAR / n) - 1;
  if (!Number.isFinite(cagr))
    throw new RangeError(
      `cagr overflows: equity grew ${String(growth)}x over ${n} day(s), annualised as ^(365/${n})`,
    );

  const mean = compensatedMean(returns);
  const sd = sampleStdev(returns);
  const volatility = sd === null ? null : finiteOrNull(sd * sqrtYear);
  const sharpe = sd === null || sd === 0 ? null : finiteOrNull((mean / sd) * sqrtYear);

  const downsideMeanSq = compensatedSum(returns.map((r) => (r < 0 ? r * r : 0))) / n;
  const downside = Math.sqrt(downsideMeanSq);
  const sortino = downside > 0 ? finiteOrNull((mean / downside) * sqrtYear) : null;

  const max_drawdown = maxDrawdown(equity);
  const calmar = max_drawdown > 0 ? finiteOrNull(cagr / max_drawdown) : null;

  const fees = compensatedSum(feesQuote);
  const turnover = compensatedSum(fillNotionals) / compensatedMean(equity);

  return {
    total_return,
    cagr,
    volatility,
    sharpe,
    sortino,
    max_drawdown,
    calmar,
    fees,
    turnover,
    n_trades: fillNotionals.length,
  };
}

/**
 * Calendar-month returns for the report: for each month `M` with at least one day of `[start, end]`,
 * `ret = E(last day of M in the series) / E(last day of the previous month in the series) − 1`, where the
 * first month's base is the initial point `equity[0] = E(start − 1)` (whatever its month; the initial point
 * never forms a month of its own). Derived from §9's `E(t)`.
 * @param equity the results file's equity curve: `E(start − 1)` first, dates `YYYY-MM-DD` strictly
 *   ascending, values finite and > 0 (quote).
 * @returns one entry per month in chronological order, `month` as `YYYY-MM`, `ret` a fraction; `[]` when
 *   the series has fewer than two points.
 * @throws RangeError when a date is not `YYYY-MM-DD`, dates are not strictly ascending, or a value is not
 *   finite and > 0.
 */
export function monthlyReturns(equity: readonly DatedEquity[]): { month: string; ret: number }[] {
  checkEquityValues(equity.map((p) => p.equity));
  for (let i = 0; i < equity.length; i++) {
    const date = (equity[i] as DatedEquity).date;
    if (!DATE_RE.test(date)) throw new RangeError(`equity[${i}].date must be YYYY-MM-DD, got "${date}"`);
    if (i > 0 && !((equity[i - 1] as DatedEquity).date < date))
      throw new RangeError(
        `equity dates must be strictly ascending: "${(equity[i - 1] as DatedEquity).date}" then "${date}"`,
      );
  }
  const out: { month: string; ret: number }[] = [];
  if (equity.length < 2) return out;
  let base = (equity[0] as DatedEquity).equity;
  for (let i = 1; i < equity.length; i++) {
    const p = equity[i] as DatedEquity;
    const month = p.date.slice(0, 7);
    const next = equity[i + 1];
    if (next === undefined || next.date.slice(0, 7) !== month) {
      out.push({ month, ret: p.equity / base - 1 });
      base = p.equity;
    }
  }
  return out;
}
