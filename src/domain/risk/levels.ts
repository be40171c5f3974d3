/**
 * Exit levels before a bar (strategy-semantics.md §10 "Levels"): fixed stop `F`, trailing stop `R`
 * (active only once the peak has risen `trailing_activation` above the entry), stop `S = max` of the
 * active ones, take-profit `T`, and the reason each would record. Exact decimals.
 */
import { type Decimal, type DecimalInput, dec } from '../decimal.ts';

/** The `[risk]` fractions the levels use; `0` = off (§10). */
export interface LevelSettings {
  /** `stop_loss`, fraction below the entry. */
  readonly stopLoss: DecimalInput;
  /** `trailing_stop`, fraction below the peak. */
  readonly trailingStop: DecimalInput;
  /** `trailing_activation`, fraction above the entry the peak must reach before `R` is active. */
  readonly trailingActivation: DecimalInput;
  /** `take_profit`, fraction above the entry. */
  readonly takeProfit: DecimalInput;
}

/** Why a stop fires (§10). */
export type StopReason = 'stop_loss' | 'trailing_stop';

/** The levels of one position before one bar; prices in quote per base. */
export interface Levels {
  /** Entry `e = C / h`. */
  readonly entry: Decimal;
  /** Peak `P`. */
  readonly peak: Decimal;
  /** `F = e · (1 − stop_loss)`, null when `stop_loss` is off. */
  readonly fixedStop: Decimal | null;
  /** `R = P · (1 − trailing_stop)` when `trailing_stop` is on (whether or not it is active). */
  readonly trailingStop: Decimal | null;
  /** `R` is active: `P >= e · (1 + trailing_activation)` (checked anew before every bar). */
  readonly trailingActive: boolean;
  /** `S = max(F, R)` over the active ones, with its reason; null when neither is active. */
  readonly stop: { readonly level: Decimal; readonly reason: StopReason } | null;
  /** `T = e · (1 + take_profit)`, null when `take_profit` is off. */
  readonly takeProfit: Decimal | null;
}

/**
 * Computes the §10 levels from the entry and the peak.
 * @param entry `e_s = C_s / h_s` (see `entryPrice`). @param peak `P_s`.
 * @returns the levels; reason `trailing_stop` when `R` is active and `R > F` (or `F` off), else
 *   `stop_loss` (so `R = F` records `stop_loss`).
 */
export function computeLevels(entry: Decimal, peak: Decimal, settings: LevelSettings): Levels {
  const f = factorsOf(settings);
  const fixedStop = f.stopFactor === null ? null : entry.times(f.stopFactor);
  const trailingStop = f.trailFactor === null ? null : peak.times(f.trailFactor);
  const trailingActive = trailingStop !== null && peak.gte(entry.times(f.activationFactor));
  let stop: Levels['stop'] = null;
  if (trailingActive && trailingStop !== null && (fixedStop === null || trailingStop.gt(fixedStop))) {
    stop = { level: trailingStop, reason: 'trailing_stop' };
  } else if (fixedStop !== null) {
    stop = { level: fixedStop, reason: 'stop_loss' };
  }
  const takeProfit = f.takeProfitFactor === null ? null : entry.times(f.takeProfitFactor);
  return { entry, peak, fixedStop, trailingStop, trailingActive, stop, takeProfit };
}

/** The level factors of a settings object: `1 − stop_loss`, `1 − trailing_stop`, `1 + …` (null = off). */
interface LevelFactors {
  readonly stopFactor: Decimal | null;
  readonly trailFactor: Decimal | null;
  readonly activationFactor: Decimal;
  readonly takeProfitFactor: Decimal | null;
}

/** Factors per settings object (computed once: settings objects are not changed after they are built). */
const factors = new WeakMap<LevelSettings, LevelFactors>();

function factorsOf(settings: LevelSettings): LevelFactors {
  let f = factors.get(settings);
  if (f === undefined) {
    const sl = dec(settings.stopLoss);
    const ts = dec(settings.trailingStop);
    const tp = dec(settings.takeProfit);
    f = {
      stopFactor: sl.gt(0) ? dec(1).minus(sl) : null,
      trailFactor: ts.gt(0) ? dec(1).minus(ts) : null,
      activationFactor: dec(1).plus(settings.trailingActivation),
      takeProfitFactor: tp.gt(0) ? dec(1).plus(tp) : null,
    };
    factors.set(settings, f);
  }
  return f;
}
