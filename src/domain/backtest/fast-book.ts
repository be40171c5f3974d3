/**
 * The fast book: strategy-semantics.md §2 (token swaps), §7 (MARKET fills), §8 (full / delta rebalance)
 * and §9 (close-of-day equity) in exact integer arithmetic on native bigints, for backtests of thousands
 * of days. It computes the same values as the live path — `planSells` / `planBuys`
 * (domain/planning/plan.ts), `fillMarketSell` / `fillMarketBuy` (domain/execution/market-fill.ts, behind
 * `SimExchange`) — digit for digit:
 * - money lives in scaled integers with fixed scales derived from the inputs (below), so sums and products
 *   are exact, as they are in decimal.js at 60 digits;
 * - every division is done where the domain does one, with the domain's rounding: a division followed by a
 *   floor (`floor_step(Q / p)`, `round_down_8(C × (1 − b) / K)`) is an exact floor; a division kept as is
 *   (`delta` targets) uses {@link Dx}, which truncates to 60 significant digits exactly like decimal.js.
 * The equivalence is tested against the reference book (the domain functions + SimExchange) on real data
 * and hand-computed scenarios (test/unit/backtest/engine-equivalence.test.ts).
 *
 * Scales (decimals): prices PD = 8 (Binance prices have at most 8; the market's exact price mantissas),
 * quantities QD = 8 (Binance steps are ≥ 1e-8), fee rate FD and slippage factor SD as written in the config;
 * fill price PS = PD + SD, notional NS = QD + PS, holdings HD = QD + FD, cash CD = NS + FD. A price, step or
 * minimum with more decimals throws {@link FastPathUnsupported} (the caller then runs the reference book).
 */
import { dec, decStr } from '../decimal.ts';
import type { Side } from '../types.ts';
import type { Book, BookFill, BookLedger, BookMark, BookRejection, RejectionTally } from './book.ts';
import type { EligibleSet } from './eligible-set.ts';
import {
  DX_ZERO,
  type Dx,
  dxAdd,
  dxCmp,
  dxDiv,
  dxMul,
  dxOf,
  dxScaled,
  dxSub,
  dxToScaledDown,
  FastPathUnsupported,
  parseScaled,
  pow10,
  scaledToNumber,
  scaledToString,
} from './exact.ts';
import type { RankedTarget } from './fast-universe.ts';
import { type BacktestMarket, PRICE_MANTISSA_DECIMALS, type SymbolSeries } from './market.ts';

/** Price decimals of the fast path (the market's exact price mantissas). */
export const PRICE_DECIMALS = PRICE_MANTISSA_DECIMALS;
/** Quantity decimals of the fast path (step sizes, minQty, quantities). */
export const QTY_DECIMALS = 8;

/** Parameters of a book (the `[portfolio]`, `[execution]` and `[paper]` settings). */
export interface BookParams {
  /** e.g. `USDT`. */
  readonly quoteAsset: string;
  /** Starting cash, decimal string (quote). */
  readonly initialQuote: string;
  /** Taker fee rate, decimal string fraction. */
  readonly feeRate: string;
  /** Slippage against us, bps. */
  readonly slippageBps: number;
  readonly rebalanceMode: 'full' | 'delta';
  /** Fraction of equity kept in cash. */
  readonly cashBuffer: number;
  /** delta mode: no-trade band, fraction. */
  readonly band: number;
  /** Collect fills and rejections with their decimal strings (the strategy; benchmarks only need floats). */
  readonly details: boolean;
}

/** Bits per limb of the float-limb dot product in {@link FastBook.mark}. */
const LIMB_BITS = 21;
const LIMB = 2 ** LIMB_BITS;
const LIMB_BIG = BigInt(LIMB_BITS);
const LIMB_MASK = BigInt(LIMB - 1);
const TWO63 = 2n ** 63n;
const MASK42 = 2n ** 42n - 1n;
const SHIFT42 = 42n;
/** Limbs of a close price mantissa (exact integer doubles, below 2^53 < 2^63). */
const PRICE_LIMBS = 3;
/** Limbs of a holding (below 2^105 at HD). */
const HOLD_LIMBS = 5;
/** `BigInt(c × LIMB_BITS)` of each column of the mark's dot product. */
const COLUMN_SHIFTS: readonly bigint[] = Array.from({ length: HOLD_LIMBS + PRICE_LIMBS }, (_, c) =>
  BigInt(c * LIMB_BITS),
);
/**
 * Column sums stay exact below 2^53: each holding adds at most 3 products below 2^42 to a column, so up
 * to this many holdings are marked with float limbs (more: bigint products).
 */
const MAX_LIMB_HOLDINGS = 600;

/** The limbs of `x ≥ 0` (base 2^21, least significant first) into `out[at…]`; false when `x` needs more than `n`. */
function toLimbs(x: bigint, n: number, out: Float64Array, at: number): boolean {
  if (x >= 0n && x < TWO63 && n >= 3) {
    // Two bigint operations instead of 2n: split at bit 42, then limbs in exact double arithmetic.
    const lo = Number(x & MASK42);
    // Exact in doubles (lo < 2^42; a division by 2^21 and a floor are exact): no floating-point `%`,
    // which V8 runs as a call.
    const l1 = Math.floor(lo / LIMB);
    out[at] = lo - l1 * LIMB;
    out[at + 1] = l1;
    out[at + 2] = Number(x >> SHIFT42);
    for (let j = 3; j < n; j++) out[at + j] = 0;
    return true;
  }
  let v = x;
  for (let j = 0; j < n; j++) {
    out[at + j] = Number(v & LIMB_MASK);
    v >>= LIMB_BIG;
  }
  return v === 0n;
}

/** Rejection reasons of §7, as `fillMarketSell` / `fillMarketBuy` name them. */
const REJECT_REASONS = [
  'zero_quantity',
  'min_qty',
  'min_notional',
  'no_price',
  'insufficient_balance',
] as const;
type RejectReason = (typeof REJECT_REASONS)[number];

/** §6 rules of one symbol at the fast path's scales. */
interface FastRules {
  /** Step at QD; a step of 0 (round down to 8 decimals) is 1e-8, i.e. 1 at QD = 8. */
  readonly step: bigint;
  /** The step at HD (`step × 10^FD`): `floor_step(h) = h / stepH × step` for a holding at HD. */
  readonly stepH: bigint;
  /**
   * `Number(stepH)`: `Number` rounds monotonically, so `Number(h) < stepHF` proves `h < stepH` (a holding
   * below one step, `floor_step(h) = 0`) without a bigint division.
   */
  readonly stepHF: number;
  /** `Number(step)`: for the one-sided float screen of a zero-quantity BUY. */
  readonly stepF: number;
  readonly minQty: bigint;
  /** minNotional at NS. */
  readonly minNotional: bigint;
  /** `Number(minNotional)`: for the one-sided float screen of a BUY below minNotional. */
  readonly minNotionalF: number;
}

function unsupportedPrice(s: SymbolSeries, k: number, field: 'open' | 'close'): FastPathUnsupported {
  const c = s.candles[k] as { open: string; close: string };
  return new FastPathUnsupported(
    `${s.info.symbol} ${field} ${c[field]}: more than ${PRICE_DECIMALS} decimals or too large for the fast path`,
  );
}

/** `10^n` as exact doubles, n ≤ 22. */
const POW10_F: readonly number[] = Array.from({ length: 23 }, (_, n) => 10 ** n);

/**
 * `a × b × 10^-scale` as a float from two bigint factors: for the metrics' per-fill sums and the report's
 * holdings values, which are floats (the exact decimals stay in the fills and the equity). Within a few ulps
 * of the correctly rounded value.
 */
function productFloat(a: bigint, b: bigint, scale: number): number {
  const x = Number(a) * Number(b);
  return scale <= 22 ? x / (POW10_F[scale] as number) : x * 10 ** -scale;
}

/**
 * The canonical decimal string of `x` as the domain turns it into a decimal (`decStr(dec(x))`: a number
 * such as `cash_buffer = 0.02` reads as "0.02"), so that the fast book starts from the same constants.
 */
function decimalString(x: number | string): string {
  return decStr(dec(x));
}

/**
 * The fast {@link Book}. See the module docstring for its arithmetic.
 */
export class FastBook implements Book {
  readonly ledger: BookLedger;
  /** Fills kept compact until asked for: day, symbol index, side (1 = SELL) and q, p, q×p, commission. */
  private readonly fillDays: number[] = [];
  private readonly fillSymbols: number[] = [];
  private readonly fillSides: number[] = [];
  private readonly fillValues: bigint[] = [];
  /**
   * Rejections kept compact, three int32 each (day, symbol index, side (1 = SELL) + 2 × reason code), in a
   * typed array that doubles when full: hundreds of thousands of them, outside the JS heap (growing JS
   * arrays of that size cost young-generation GC copies).
   */
  private rejects = new Int32Array(3 * 4096);
  private rejectCount = 0;
  private readonly rulesCache: (FastRules | undefined)[];
  /** Holdings at HD per symbol index (0n when none). */
  private readonly hold: bigint[];
  /** `floor_step(holding)` at QD per symbol index (what a full SELL of it asks for). */
  private readonly holdFloor: bigint[];
  /** Holding limbs (HOLD_LIMBS per symbol index; -1 in the first: too large for limbs). */
  private readonly holdLimbs: Float64Array;
  /** Number of limbs up to the highest non-zero one, per symbol index. */
  private readonly holdLimbCount: Uint8Array;
  /** `Number(holding)` (at HD) per symbol index: the cheap estimate of {@link mark}'s values. */
  private readonly holdFloat: Float64Array;
  private readonly columns = new Float64Array(HOLD_LIMBS + PRICE_LIMBS);
  /** {@link mark}'s mark mantissa of each held symbol, `held` order (reused by its values). */
  private markBuf = new Float64Array(64);
  /** Symbol indices with a non-zero holding, ascending (= symbol order). */
  private held: number[] = [];
  /** Cash at CD. */
  private cash: bigint;

  private readonly FD: number;
  private readonly SD: number;
  private readonly PS: number;
  private readonly NS: number;
  private readonly HD: number;
  private readonly CD: number;
  private readonly fee: bigint;
  /** The fee rate as a float (for the metrics' fee sums). */
  private readonly feeF: number;
  /** Snapshot of {@link held} for loops that sell. */
  private readonly heldCopy: number[] = [];
  private readonly buyFactor: bigint;
  private readonly sellFactor: bigint;
  /** `Number(buyFactor)` (1 when SD = 0): the buy price's float estimate is `open mantissa × buyFactorF`. */
  private readonly buyFactorF: number;
  private readonly keep: Dx;
  private readonly bandUp: Dx;
  private readonly bandDown: Dx;
  /** 10^FD, 10^SD. */
  private readonly pFD: bigint;
  private readonly pSD: bigint;
  /** `10^FD − fee`: what a fill keeps per unit after the commission (`x × 10^FD − x × fee`, one product). */
  private readonly net: bigint;
  /**
   * True while {@link rebalanceAll} buys in symbol order: each fill's float notional then goes to
   * {@link deferredNotional} (by symbol index) and into the ledger afterwards, in rank order.
   */
  private deferring = false;
  private readonly deferredNotional: Float64Array;
  /** The symbols {@link rebalanceAll} filled (a reused array). */
  private readonly filledBuf: number[] = [];
  /**
   * The smallest minNotional of any symbol of the market, as a float (quote), for {@link rebalanceAll}'s
   * screen; computed on first use (NaN before).
   */
  private lowestMinNotionalF = Number.NaN;
  /** 1 where `floor_step(holding) > 0`, i.e. a full SELL of the holding is not a zero-quantity order. */
  private readonly sellable: Uint8Array;
  /**
   * Per symbol index, checked when it is first held: 1 when every close mantissa of its series is
   * `Math.round(close × 1e8)` of its float close, so that {@link markMantissa} can read the day's close
   * from the market's day-major `closeByDay` row (one contiguous row a day instead of two arrays per
   * holding); 0 otherwise; -1 not checked yet.
   */
  private readonly closeFromRow: Int8Array;
  private readonly width: number;
  /**
   * The series' day lookups and exact prices by symbol index (`SymbolSeries.at`, `atOrBefore`,
   * `openMantissa`, `closeMantissa`), read without going through the series objects (whose shapes vary:
   * reading them in the day loop made V8 deoptimize the hot methods again and again).
   */
  private readonly atOf: readonly Int32Array[];
  private readonly atOrBeforeOf: readonly Int32Array[];
  private readonly openOf: readonly Float64Array[];
  private readonly closeOf: readonly Float64Array[];

  /**
   * @param market the day grid.
   * @param params book parameters.
   * @throws FastPathUnsupported when the fee rate, slippage or initial cash need more decimals than the
   *   fast path keeps exact within 60 significant digits.
   */
  constructor(
    private readonly market: BacktestMarket,
    private readonly params: BookParams,
  ) {
    this.rulesCache = new Array(market.series.length);
    this.hold = new Array(market.series.length).fill(0n);
    this.holdFloor = new Array(market.series.length).fill(0n);
    this.holdLimbs = new Float64Array(market.series.length * HOLD_LIMBS);
    this.holdLimbCount = new Uint8Array(market.series.length);
    this.holdFloat = new Float64Array(market.series.length);
    this.deferredNotional = new Float64Array(market.series.length);
    this.sellable = new Uint8Array(market.series.length);
    this.closeFromRow = new Int8Array(market.series.length).fill(-1);
    this.width = market.series.length;
    this.atOf = market.series.map((s) => s.at);
    this.atOrBeforeOf = market.series.map((s) => s.atOrBefore);
    this.openOf = market.series.map((s) => s.openMantissa);
    this.closeOf = market.series.map((s) => s.closeMantissa);
    const fee = dxOf(decimalString(params.feeRate));
    const slip = dec(params.slippageBps).div(10_000);
    const buy = dxOf(decStr(dec(1).plus(slip)));
    const sell = dxOf(decStr(dec(1).minus(slip)));
    this.FD = Math.max(0, fee.e);
    this.SD = Math.max(0, buy.e, sell.e);
    this.PS = PRICE_DECIMALS + this.SD;
    this.NS = QTY_DECIMALS + this.PS;
    this.HD = QTY_DECIMALS + this.FD;
    this.CD = this.NS + this.FD;
    if (this.CD > 44) {
      throw new FastPathUnsupported(
        `fee rate ${params.feeRate} and slippage ${params.slippageBps} bps need ${this.CD} decimals of cash`,
      );
    }
    this.pFD = pow10(this.FD);
    this.pSD = pow10(this.SD);
    this.fee = parseScaled(decimalString(params.feeRate), this.FD);
    this.net = this.pFD - this.fee;
    this.feeF = Number(decimalString(params.feeRate));
    this.buyFactor = dxToScaledDown(buy, this.SD);
    this.sellFactor = dxToScaledDown(sell, this.SD);
    this.buyFactorF = this.SD === 0 ? 1 : Number(this.buyFactor);
    this.keep = dxOf(decStr(dec(1).minus(dec(params.cashBuffer))));
    this.bandUp = dxOf(decStr(dec(1).plus(dec(params.band))));
    this.bandDown = dxOf(decStr(dec(1).minus(dec(params.band))));
    this.cash = parseScaled(decimalString(params.initialQuote), this.CD);
    this.ledger = this.compactLedger();
  }

  /** The ledger view of the compact records (strings built on first use, then cached). */
  private compactLedger(): BookLedger {
    let fills: BookFill[] | undefined;
    let rejections: BookRejection[] | undefined;
    let tally: RejectionTally | undefined;
    const notionals: number[] = [];
    const fees: number[] = [];
    return {
      notionals,
      fees,
      fillCount: () => this.fillDays.length,
      rejectionCount: () => this.rejectCount,
      fills: () => {
        fills ??= this.fillDays.map((d, j) => {
          const i = this.fillSymbols[j] as number;
          const info = this.series(i).info;
          const sell = this.fillSides[j] === 1;
          const v = this.fillValues;
          return {
            date: this.market.date(d),
            symbol: info.symbol,
            side: sell ? 'SELL' : 'BUY',
            quantity: scaledToString(v[4 * j] as bigint, QTY_DECIMALS),
            price: scaledToString(v[4 * j + 1] as bigint, this.PS),
            quote_quantity: scaledToString(v[4 * j + 2] as bigint, this.NS),
            commission: scaledToString(v[4 * j + 3] as bigint, sell ? this.CD : this.HD),
            commission_asset: sell ? this.params.quoteAsset : info.baseAsset,
          };
        });
        return fills;
      },
      rejections: () => {
        if (!rejections) {
          const r = this.rejects;
          rejections = new Array<BookRejection>(this.rejectCount);
          for (let j = 0; j < this.rejectCount; j++) {
            const code = r[3 * j + 2] as number;
            rejections[j] = {
              date: this.market.date(r[3 * j] as number),
              symbol: this.series(r[3 * j + 1] as number).info.symbol,
              side: code & 1 ? 'SELL' : 'BUY',
              reason: REJECT_REASONS[code >> 1] as string,
            };
          }
        }
        return rejections;
      },
      rejectionTally: (): RejectionTally => {
        if (tally) return tally;
        const counts = new Array<number>(REJECT_REASONS.length).fill(0);
        const firstNoPrice = new Map<string, string>();
        const noPrice = REJECT_REASONS.indexOf('no_price');
        const r = this.rejects;
        for (let j = 0; j < this.rejectCount; j++) {
          const reason = (r[3 * j + 2] as number) >> 1;
          counts[reason] = (counts[reason] as number) + 1;
          if (reason !== noPrice) continue;
          const symbol = this.series(r[3 * j + 1] as number).info.symbol;
          if (!firstNoPrice.has(symbol)) firstNoPrice.set(symbol, this.market.date(r[3 * j] as number));
        }
        const byReason = new Map<string, number>();
        counts.forEach((n, k) => {
          if (n > 0) byReason.set(REJECT_REASONS[k] as string, n);
        });
        tally = { byReason, firstNoPrice };
        return tally;
      },
    };
  }

  private rules(i: number): FastRules {
    let r = this.rulesCache[i];
    if (!r) {
      const s = this.market.rules(i);
      const given = parseScaled(s.stepSize, QTY_DECIMALS);
      const step = given === 0n ? 1n : given; // a step of 0: round down to 8 decimals
      const stepH = step * this.pFD;
      const minNotional = parseScaled(s.minNotional, this.NS);
      r = {
        step,
        stepH,
        stepHF: Number(stepH),
        stepF: Number(step),
        minQty: parseScaled(s.minQty, QTY_DECIMALS),
        minNotional,
        minNotionalF: Number(minNotional),
      };
      this.rulesCache[i] = r;
    }
    return r;
  }

  private series(i: number): SymbolSeries {
    return this.market.series[i] as SymbolSeries;
  }

  /** Open of candle `k` of symbol `i` at PRICE_DECIMALS. @throws FastPathUnsupported when it does not fit. */
  private open(i: number, k: number): bigint {
    const m = (this.openOf[i] as Float64Array)[k] as number;
    if (Number.isNaN(m)) throw unsupportedPrice(this.series(i), k, 'open');
    return BigInt(m);
  }

  /** Close of candle `k` of symbol `i` at PRICE_DECIMALS. @throws FastPathUnsupported when it does not fit. */
  private close(i: number, k: number): bigint {
    const m = (this.closeOf[i] as Float64Array)[k] as number;
    if (Number.isNaN(m)) throw unsupportedPrice(this.series(i), k, 'close');
    return BigInt(m);
  }

  private setHolding(i: number, h: bigint): void {
    const had = (this.hold[i] as bigint) !== 0n;
    this.hold[i] = h;
    const hF = Number(h);
    this.holdFloat[i] = hF;
    if (h !== 0n) {
      const r = this.rules(i);
      // Dust (below one step: what a full SELL leaves) skips the bigint division (see FastRules.stepHF).
      const floor = hF < r.stepHF ? 0n : (h / r.stepH) * r.step;
      this.holdFloor[i] = floor;
      this.sellable[i] = floor === 0n ? 0 : 1;
      if (!toLimbs(h, HOLD_LIMBS, this.holdLimbs, i * HOLD_LIMBS)) this.holdLimbs[i * HOLD_LIMBS] = -1;
      let n = HOLD_LIMBS;
      while (n > 1 && this.holdLimbs[i * HOLD_LIMBS + n - 1] === 0) n--;
      this.holdLimbCount[i] = n;
    } else {
      this.holdFloor[i] = 0n;
      this.sellable[i] = 0;
    }
    if (h !== 0n && !had) {
      if (this.closeFromRow[i] === -1) {
        const { close, closeMantissa } = this.series(i);
        let ok = 1;
        for (let k = 0; k < close.length && ok === 1; k++)
          if (Math.round((close[k] as number) * 1e8) !== closeMantissa[k]) ok = 0;
        this.closeFromRow[i] = ok;
      }
      let j = this.held.length;
      this.held.push(i);
      while (j > 0 && (this.held[j - 1] as number) > i) {
        this.held[j] = this.held[j - 1] as number;
        j--;
      }
      this.held[j] = i;
    } else if (h === 0n && had) {
      this.held.splice(this.held.indexOf(i), 1);
    }
  }

  /** Records a rejected order (with details); returns false (not filled). */
  private reject(d: number, i: number, side: Side, reason: RejectReason): false {
    if (this.params.details) {
      let r = this.rejects;
      const at = 3 * this.rejectCount++;
      if (at === r.length) {
        const grown = new Int32Array(2 * r.length);
        grown.set(r);
        this.rejects = r = grown;
      }
      r[at] = d;
      r[at + 1] = i;
      r[at + 2] = (side === 'SELL' ? 1 : 0) + 2 * REJECT_REASONS.indexOf(reason);
    }
    return false;
  }

  private recordFill(
    d: number,
    i: number,
    sell: boolean,
    q: bigint,
    p: bigint,
    notional: bigint,
    commission: bigint,
  ): void {
    this.fillDays.push(d);
    this.fillSymbols.push(i);
    this.fillSides.push(sell ? 1 : 0);
    this.fillValues.push(q, p, notional, commission);
  }

  /** §2, before anything else on day `d`: `h := round_down_8(h × close_before / open_after)`. */
  convertSplits(d: number): void {
    if (this.held.length === 0) return;
    // The day's splits (a few a year), in symbol order like the holdings.
    for (const i of this.market.splitsOn(d)) {
      if ((this.hold[i] as bigint) === 0n) continue;
      const split = this.series(i).splitOn.get(d);
      if (!split) continue;
      const h = dxScaled(this.hold[i] as bigint, this.HD);
      const converted = dxDiv(dxMul(h, dxOf(split.closeBefore)), dxOf(split.openAfter));
      const h8 = dxToScaledDown(converted, 8);
      this.setHolding(i, h8 * pow10(this.HD - 8));
    }
  }

  /**
   * A MARKET SELL of `q` (at QD, already floored to the step) at the open of `d` (§7 `fillMarketSell`):
   * no candle → `no_price`; `q = 0`, `q < minQty`, `q × p < minNotional` → rejected; else proceeds `q × p`,
   * commission `q × p × f` in quote.
   */
  private sell(d: number, i: number, q: bigint): boolean {
    // The day-major close row has a number exactly where the symbol has a candle (NaN: none, then the
    // series says; most SELLs are of dust and end at the next line).
    const x = this.market.closeByDay[d * this.width + i] as number;
    const at = this.atOf[i] as Int32Array;
    if (Number.isNaN(x) && (at[d] as number) < 0) return this.reject(d, i, 'SELL', 'no_price');
    // The fill price has no effect before the filters: zero and minQty are checked first, cheaply.
    if (q === 0n) return this.reject(d, i, 'SELL', 'zero_quantity');
    const k = at[d] as number;
    const r = this.rules(i);
    if (q < r.minQty) return this.reject(d, i, 'SELL', 'min_qty');
    const p = this.SD === 0 ? this.open(i, k) : this.open(i, k) * this.sellFactor;
    const notional = q * p;
    if (notional < r.minNotional) return this.reject(d, i, 'SELL', 'min_notional');
    const qH = q * this.pFD;
    const h = this.hold[i] as bigint;
    if (qH > h) return this.reject(d, i, 'SELL', 'insufficient_balance');
    // proceeds − commission = notional × 10^FD − notional × fee (commission at CD, in quote)
    this.cash += notional * this.net;
    this.setHolding(i, h - qH);
    const notionalF = productFloat(q, p, this.NS);
    this.ledger.notionals.push(notionalF);
    this.ledger.fees.push(notionalF * this.feeF);
    if (this.params.details) this.recordFill(d, i, true, q, p, notional, notional * this.fee);
    return true;
  }

  /**
   * A MARKET BUY spending at most `Q = Qm × 10^-Qscale` at the open of `d` (§7 `fillMarketBuy`):
   * `q = floor_step(Q / p)`; rejected like a SELL, or `insufficient_balance` when `q × p` exceeds the cash;
   * else cash `−= q × p`, commission `q × f` in base, holding `+= q − q × f`.
   * @returns true when filled.
   */
  private buyQ(d: number, i: number, Qm: bigint, Qscale = 8, QmF = Number(Qm)): boolean {
    const k = (this.atOf[i] as Int32Array)[d] as number;
    if (k < 0) return this.reject(d, i, 'BUY', 'no_price');
    const r = this.rules(i);
    // One-sided float screen (no bigint work): q = 0 exactly when Qm × 10^shift < p × step. Each float
    // below is within a few 2^-53 of its exact value, so a margin of 1e-9 can only send a doubtful case on
    // to the exact rule; a NaN (price that does not fit) or a zero price never passes the screen.
    // The equal-weight benchmark asks for ~1/3 of its BUYs with a Q below one step (a third of a million
    // on the full dataset).
    const m = (this.openOf[i] as Float64Array)[k] as number;
    if (QmF * 10 ** (this.PS + QTY_DECIMALS - Qscale) < m * this.buyFactorF * r.stepF * (1 - 1e-9))
      return this.reject(d, i, 'BUY', 'zero_quantity');
    // A second one-sided screen, for a book that records no rejections (the benchmarks): the fill's
    // notional q × p never exceeds Q (q = floor_step(Q / p)), so Q < minNotional means the order is
    // rejected for one of zero_quantity, min_qty or min_notional below, whichever it is, with nothing to
    // change or record. The equal-weight benchmark asks for ~500k such BUYs on the full dataset, once its
    // equity spread over every eligible symbol falls below the minimums. A price that does not fit (NaN)
    // or is zero goes on to the exact rule and its error.
    if (!this.params.details && m > 0 && QmF * 10 ** (this.NS - Qscale) < r.minNotionalF * (1 - 1e-9))
      return false;
    const p = this.SD === 0 ? this.open(i, k) : this.open(i, k) * this.buyFactor;
    if (p === 0n)
      throw new Error(`${this.series(i).info.symbol}: not a finite decimal (division by a zero price)`);
    // floor(Q / p / step) = floor(Qm × 10^(PS + QD) / (10^Qscale × p × step)), then × step.
    const shift = this.PS + QTY_DECIMALS - Qscale;
    const q = (shift >= 0 ? (Qm * pow10(shift)) / (p * r.step) : Qm / (pow10(-shift) * p * r.step)) * r.step;
    if (q === 0n) return this.reject(d, i, 'BUY', 'zero_quantity');
    if (q < r.minQty) return this.reject(d, i, 'BUY', 'min_qty');
    const notional = q * p;
    if (notional < r.minNotional) return this.reject(d, i, 'BUY', 'min_notional');
    const cost = notional * this.pFD; // at CD
    if (cost > this.cash) return this.reject(d, i, 'BUY', 'insufficient_balance');
    this.cash -= cost;
    // holding + q − commission = holding + q × 10^FD − q × fee (commission at HD, in base)
    this.setHolding(i, (this.hold[i] as bigint) + q * this.net);
    const notionalF = productFloat(q, p, this.NS);
    if (this.deferring) {
      this.deferredNotional[i] = notionalF;
      return true;
    }
    this.ledger.notionals.push(notionalF);
    this.ledger.fees.push(notionalF * this.feeF);
    if (this.params.details) this.recordFill(d, i, false, q, p, notional, q * this.fee);
    return true;
  }

  /** The held symbol indices now (a reused array: valid until the next call). */
  private heldSnapshot(): readonly number[] {
    const c = this.heldCopy;
    c.length = 0;
    for (const i of this.held) c.push(i);
    return c;
  }

  /** `floor_step(h)` of a holding, at QD. */
  private floorHolding(i: number): bigint {
    return this.holdFloor[i] as bigint;
  }

  /** `floor_step(x)` of a non-negative {@link Dx}, at QD (decimal.js `dividedToIntegerBy(step).times(step)`). */
  private floorStepDx(i: number, x: Dx): bigint {
    const step = this.rules(i).step;
    return (dxToScaledDown(x, QTY_DECIMALS) / step) * step;
  }

  /** Value price of §8 delta step 1: open of `d`, else the last close at or before `d − 1`, at PD. */
  private valuePrice(d: number, i: number): bigint {
    const s = this.series(i);
    const k = s.at[d] as number;
    if (k >= 0) return this.open(i, k);
    const kc = d - 1 >= 0 ? (s.atOrBefore[d - 1] as number) : -1;
    if (kc < 0)
      throw new Error(`${s.info.symbol}: no price at or before the decision day to value the holding`);
    return this.close(i, kc);
  }

  /** §8, one rebalance at the open of `d` (SELLs in symbol order, then BUYs in rank order). */
  rebalance(d: number, targets: readonly RankedTarget[]): void {
    if (this.params.rebalanceMode === 'full') this.rebalanceFull(d, targets);
    else this.rebalanceDelta(d, targets);
  }

  /** full: sell every holding in full; `Q = round_down_8(C × (1 − cash_buffer) / K)` per target. */
  private rebalanceFull(d: number, targets: readonly RankedTarget[]): void {
    for (const i of this.heldSnapshot()) this.sell(d, i, this.floorHolding(i));
    this.rebalanceFullBuys(d, targets);
  }

  /** The BUYs of {@link rebalanceFull}, after its SELLs. */
  private rebalanceFullBuys(d: number, targets: readonly RankedTarget[]): void {
    const K = targets.length;
    if (K === 0) return;
    const C = dxScaled(this.cash, this.CD);
    const Q8 = dxToScaledDown(dxDiv(dxMul(C, this.keep), { m: BigInt(K), e: 0 }), 8);
    const Q8F = Number(Q8);
    for (const t of targets) this.buyQ(d, t.symbolIndex, Q8, 8, Q8F);
  }

  /**
   * {@link rebalance} towards every symbol of `eligible` (the equal-weight benchmark, §9 "this strategy with
   * top_n = all eligible"). A full rebalance of a book without details does not need their rank order: the
   * BUYs all ask for the same `Q = round_down_8(C × (1 − cash_buffer) / K)` and each spends `q × p ≤ Q`,
   * so together they spend at most `K × Q ≤ C` and none can meet `insufficient_balance` — every BUY fills
   * or is rejected alone, whatever the order. They run in symbol order; only the few that filled are then
   * sorted by rank, so that the ledger's notionals and fees (summed as floats by the metrics) keep the
   * order of {@link rebalance}. Otherwise (delta mode, details, or `K × Q` above the cash, which a
   * `cash_buffer` in [0, 1) rules out) the set is sorted and rebalanced as usual.
   */
  rebalanceAll(d: number, eligible: EligibleSet): void {
    const ranked = (): RankedTarget[] =>
      [...eligible.symbols].sort(eligible.order).map((i, j) => ({ symbolIndex: i, rank: j + 1 }));
    if (this.params.rebalanceMode !== 'full' || this.params.details) {
      this.rebalance(d, ranked());
      return;
    }
    // Without details, a SELL of a zero quantity (the dust a full SELL leaves) changes and records nothing.
    for (const i of this.heldSnapshot()) if (this.sellable[i] === 1) this.sell(d, i, this.floorHolding(i));
    const K = eligible.symbols.length;
    if (K === 0) return;
    const C = dxScaled(this.cash, this.CD);
    const Q8 = dxToScaledDown(dxDiv(dxMul(C, this.keep), { m: BigInt(K), e: 0 }), 8);
    if (Q8 * pow10(this.CD - 8) * BigInt(K) > this.cash) {
      this.rebalanceFullBuys(d, ranked());
      return;
    }
    const Q8F = Number(Q8);
    // Q below every symbol's minNotional: each BUY would be rejected (no_price, or q × p <= Q <
    // minNotional: see buyQ's second screen), with nothing to change or record. One-sided, as there.
    if (Q8F * 1e-8 < this.lowestMinNotional() * (1 - 1e-9)) return;
    const filled = this.filledBuf;
    filled.length = 0;
    this.deferring = true;
    try {
      for (const i of eligible.symbols) if (this.buyQ(d, i, Q8, 8, Q8F)) filled.push(i);
    } finally {
      this.deferring = false;
    }
    if (filled.length > 1) filled.sort(eligible.order);
    for (const i of filled) {
      const notionalF = this.deferredNotional[i] as number;
      this.ledger.notionals.push(notionalF);
      this.ledger.fees.push(notionalF * this.feeF);
    }
  }

  /** {@link lowestMinNotionalF}, computed on first call (0 when a symbol's minNotional is not a number). */
  private lowestMinNotional(): number {
    if (Number.isNaN(this.lowestMinNotionalF)) {
      let low = Number.POSITIVE_INFINITY;
      for (let i = 0; i < this.market.series.length; i++) {
        const x = Number(this.market.rules(i).minNotional);
        low = Math.min(low, Number.isNaN(x) ? 0 : x);
      }
      this.lowestMinNotionalF = low;
    }
    return this.lowestMinNotionalF;
  }

  /** delta: trade the difference to `T = E × (1 − cash_buffer) / K` with the no-trade band (§8). */
  private rebalanceDelta(d: number, targets: readonly RankedTarget[]): void {
    const K = targets.length;
    const selected = new Set(targets.map((t) => t.symbolIndex));
    const values = new Map<number, Dx>();
    let equity = dxScaled(this.cash, this.CD);
    for (const i of this.held) {
      const v = dxMul(
        dxScaled(this.hold[i] as bigint, this.HD),
        dxScaled(this.valuePrice(d, i), PRICE_DECIMALS),
      );
      values.set(i, v);
      equity = dxAdd(equity, v);
    }
    const T = K === 0 ? DX_ZERO : dxDiv(dxMul(equity, this.keep), { m: BigInt(K), e: 0 });
    const upper = dxMul(T, this.bandUp);
    for (const i of this.heldSnapshot()) {
      if (!selected.has(i)) {
        this.sell(d, i, this.floorHolding(i));
        continue;
      }
      const V = values.get(i) as Dx;
      if (dxCmp(V, upper) > 0) {
        const h = dxScaled(this.hold[i] as bigint, this.HD);
        const k = this.series(i).at[d] as number;
        const qWanted = k < 0 ? h : dxDiv(dxSub(V, T), dxScaled(this.open(i, k), PRICE_DECIMALS));
        this.sell(d, i, this.floorStepDx(i, dxCmp(qWanted, h) < 0 ? qWanted : h));
      }
    }
    if (K === 0) return;
    const cash = dxScaled(this.cash, this.CD);
    const lower = dxMul(T, this.bandDown);
    const wants: { i: number; B: Dx }[] = [];
    let sum = DX_ZERO;
    for (const t of targets) {
      const V = values.get(t.symbolIndex) ?? DX_ZERO;
      if (dxCmp(V, lower) < 0) {
        const B = dxSub(T, V);
        wants.push({ i: t.symbolIndex, B });
        sum = dxAdd(sum, B);
      }
    }
    const scale = dxCmp(sum, cash) > 0 && sum.m > 0n ? dxDiv(cash, sum) : null;
    for (const w of wants) this.buyQ(d, w.i, dxToScaledDown(scale ? dxMul(w.B, scale) : w.B, 8));
  }

  /** A BUY of `quoteOrderQty` (the BTC-hold benchmark). */
  buy(d: number, symbolIndex: number, quoteOrderQty: string): void {
    const Q = dxOf(decimalString(quoteOrderQty));
    if (Q.m < 0n) throw new RangeError(`quoteOrderQty must be >= 0, got ${quoteOrderQty}`);
    this.buyQ(d, symbolIndex, Q.m, Q.e);
  }

  /**
   * §9: `cash + Σ h × close(d)` (last known close where the symbol has no candle on `d`), exact. The sum of
   * products is formed with float limbs (base 2^21, every partial sum an exact integer below 2^53) and
   * turned into one bigint per day: a book carries the dust of every asset it ever held (`h − floor_step(h)`
   * after a full SELL), so this sum has hundreds of terms a day.
   * @param minShare with values: report each holding worth at least this share of the equity (exact
   *   value, correctly rounded), and the cash.
   */
  mark(d: number, values: boolean, minShare = 0): BookMark {
    const held = this.held;
    let sum = 0n; // at HD + PD
    const cols = this.columns;
    cols.fill(0);
    const limbed = held.length <= MAX_LIMB_HOLDINGS;
    const hl = this.holdLimbs;
    const row = d * this.width;
    if (this.markBuf.length < held.length) this.markBuf = new Float64Array(2 * held.length);
    const marks = this.markBuf;
    for (let j = 0; j < held.length; j++) {
      const i = held[j] as number;
      const c = this.markMantissa(d, row, i);
      marks[j] = c;
      const h0 = i * HOLD_LIMBS;
      if (!limbed || Number.isNaN(c) || (hl[h0] as number) < 0) {
        sum += (this.hold[i] as bigint) * this.markPrice(d, i, c);
        continue;
      }
      // c < 2^53: three limbs, exactly (divisions by 2^21 and floors are exact in doubles).
      const t = Math.floor(c / LIMB);
      const c0 = c - t * LIMB;
      const c2 = Math.floor(t / LIMB);
      const c1 = t - c2 * LIMB;
      const n = this.holdLimbCount[i] as number;
      for (let a = 0; a < n; a++) {
        const ha = hl[h0 + a] as number;
        cols[a] = (cols[a] as number) + ha * c0;
        cols[a + 1] = (cols[a + 1] as number) + ha * c1;
        cols[a + 2] = (cols[a + 2] as number) + ha * c2;
      }
    }
    for (let c = cols.length - 1; c >= 0; c--)
      sum += BigInt(cols[c] as number) << (COLUMN_SHIFTS[c] as bigint);
    const equity = this.cash + sum * this.pSD;
    const exact = scaledToString(equity, this.CD);
    if (!values) return { equity: exact };
    const threshold = minShare * Number(exact);
    const out: [number, number][] = [];
    const div = 10 ** (this.HD + PRICE_DECIMALS);
    for (let j = 0; j < held.length; j++) {
      const i = held[j] as number;
      const c = marks[j] as number;
      const v = Number.isNaN(c)
        ? productFloat(this.hold[i] as bigint, this.markPrice(d, i, c), this.HD + PRICE_DECIMALS)
        : ((this.holdFloat[i] as number) * c) / div;
      if (v >= threshold) out.push([i, v]);
    }
    return { equity: exact, values: out, cash: scaledToNumber(this.cash, this.CD) };
  }

  /**
   * §9's mark price of held symbol `i` on day `d` (the close of its last candle at or before `d`) at
   * PRICE_DECIMALS, as an exact integer double: from the day's `closeByDay` row (`row = d × width`) when
   * the symbol has a candle that day and {@link closeFromRow} allows, else from the series. NaN when the
   * close does not fit the fast path ({@link markPrice} then throws FastPathUnsupported).
   * @throws Error when the symbol has no candle at or before `d`.
   */
  private markMantissa(d: number, row: number, i: number): number {
    const x = this.market.closeByDay[row + i] as number;
    if (this.closeFromRow[i] === 1 && !Number.isNaN(x)) return Math.round(x * 1e8);
    const k = (this.atOrBeforeOf[i] as Int32Array)[d] as number;
    if (k < 0) throw new Error(`no price to mark ${this.series(i).info.baseAsset}`);
    return (this.closeOf[i] as Float64Array)[k] as number;
  }

  /** The bigint of a {@link markMantissa} `c`; for NaN, the close's FastPathUnsupported. */
  private markPrice(d: number, i: number, c: number): bigint {
    return Number.isNaN(c) ? this.close(i, (this.atOrBeforeOf[i] as Int32Array)[d] as number) : BigInt(c);
  }

  /** Exact cash and holdings (decimal strings by symbol index), for tests. */
  snapshot(): { cash: string; holdings: Map<number, string> } {
    return {
      cash: scaledToString(this.cash, this.CD),
      holdings: new Map(this.held.map((i) => [i, scaledToString(this.hold[i] as bigint, this.HD)])),
    };
  }
}
