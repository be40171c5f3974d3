/**
 * A one-sided float screen in front of the exact one-bar evaluation (strategy-semantics.md §10 "One bar"),
 * for backtests that evaluate every held position on every hourly candle: most bars touch no level, fire
 * no signal and make no new high, and proving that with doubles costs a few comparisons instead of a
 * decimal.js entry division, four level products and four parsed prices.
 *
 * It never decides an exit, a pending signal or a new peak by itself: it answers `quiet` (certainly step 6
 * with the peak unchanged), `raise` (certainly step 6; the caller compares the exact high with the exact
 * peak) or `exact` (ask `evaluatePositionBar`). The margin {@link SCREEN_REL} (1e-9 relative) is far above
 * the error of a correctly rounded double (2^-53 ≈ 1.1e-16 relative, for `Number(text)` and
 * `Decimal#toNumber`) and of one double product, so `quiet`/`raise` imply the exact §10 comparisons.
 */
/** Relative margin of every float comparison of the screen (one-sided: near a boundary → `exact`). */
export const SCREEN_REL = 1e-9;

/** Doubles of a position's levels before a bar (from the exact {@link Levels}); null = level off. */
export interface LevelScreen {
  /** `S` (stop, fixed or trailing, whichever §10 picks), quote per base. */
  readonly stop: number | null;
  /** `T` (take-profit), quote per base. */
  readonly takeProfit: number | null;
  /** `P` (peak), quote per base. */
  readonly peak: number;
}

/** The `[risk]` fractions of the levels as doubles (§10; `0` = off). */
export interface ScreenSettings {
  readonly stopLoss: number;
  readonly trailingStop: number;
  readonly trailingActivation: number;
  readonly takeProfit: number;
}

/**
 * Doubles of the §10 levels of a position (see `computeLevels` in levels.ts), from doubles of its cost
 * basis, holding and peak: each within a few ulps (≈ 1e-15 relative) of the exact level, far inside
 * {@link SCREEN_REL}. Where the trailing stop's activation (`P >= e · (1 + trailing_activation)`) is too
 * close to call in doubles, `stop` is `max(F, R)` — at least the exact `S` (or an extra bound where `S` is
 * `F` or none), so the screen stays one-sided.
 * @param costBasis `C` (quote); @param holding `h` (base units, > 0); @param peak `P` (quote per base).
 */
export function levelScreenOf(
  costBasis: number,
  holding: number,
  peak: number,
  settings: ScreenSettings,
): LevelScreen {
  const entry = costBasis / holding;
  const fixed = settings.stopLoss > 0 ? entry * (1 - settings.stopLoss) : null;
  let stop = fixed;
  if (settings.trailingStop > 0) {
    const trailing = peak * (1 - settings.trailingStop);
    const arm = entry * (1 + settings.trailingActivation);
    const surelyOff = peak < arm * (1 - SCREEN_REL);
    if (!surelyOff) stop = fixed === null ? trailing : Math.max(fixed, trailing);
  }
  const takeProfit = settings.takeProfit > 0 ? entry * (1 + settings.takeProfit) : null;
  return { stop, takeProfit, peak };
}

/** What the screen can prove about one bar (see the module docstring). */
export type ScreenVerdict = 'quiet' | 'raise' | 'exact';

/**
 * Screens one bar of a position (the caller has proved it a position at this open, §10).
 * @param open, high, low the bar's prices as doubles (`Number` of the candle's text), quote per base.
 * @param signalAtClose the exit signal at this bar's close (step 5): true → `exact`.
 * @returns `quiet` when certainly `open > S`, `low > S`, `open < T`, `high < T`, no signal and
 *   `high < P`; `raise` when the same holds except that `high` may reach `P`; else `exact`.
 */
export function screenBar(
  screen: LevelScreen,
  open: number,
  high: number,
  low: number,
  signalAtClose: boolean,
): ScreenVerdict {
  if (signalAtClose) return 'exact';
  const s = screen.stop;
  if (s !== null) {
    const above = s * (1 + SCREEN_REL);
    if (!(open > above && low > above)) return 'exact';
  }
  const t = screen.takeProfit;
  if (t !== null) {
    const below = t * (1 - SCREEN_REL);
    if (!(open < below && high < below)) return 'exact';
  }
  return high < screen.peak * (1 - SCREEN_REL) ? 'quiet' : 'raise';
}
