/**
 * The fill model of a Binance MARKET order (strategy-semantics.md §7), shared by backtests, the replay
 * exchange and the emulator. Pure and exact: quantities, cash and commissions are decimals.
 *
 * Binance references: filters.md (LOT_SIZE / MARKET_LOT_SIZE, NOTIONAL / MIN_NOTIONAL), errors.md
 * (-1013 "Filter failure: <NAME>", -2010 insufficient balance), commission_faq.md (commission is
 * charged in the asset received).
 */
import { type Decimal, type DecimalInput, dec, floorStep } from '../decimal.ts';
import type { Side, SymbolRules } from '../types.ts';

/** Everything the model needs to fill one order. */
export interface FillContext {
  readonly rules: SymbolRules;
  /** The unslipped reference price (open of D), or null when the symbol has no candle at D. */
  readonly referencePrice: DecimalInput | null;
  /** Slippage in bps (1e-4), applied against us. */
  readonly slippageBps: number;
  /** Taker fee rate as a fraction (0.001 = 0.1 %). */
  readonly feeRate: DecimalInput;
  /** Free balance of the base asset (SELL) or of the quote asset (BUY). */
  readonly available: DecimalInput;
}

/** A filled order: exactly one fill at price `price`. */
export interface ModelFill {
  readonly ok: true;
  readonly side: Side;
  /** Fill price p, quote per base. */
  readonly price: Decimal;
  /** Executed base quantity q. */
  readonly quantity: Decimal;
  /** q × p. */
  readonly quoteQuantity: Decimal;
  /** Commission, in `commissionIn` (quote for SELL, base for BUY). */
  readonly commission: Decimal;
  readonly commissionIn: 'base' | 'quote';
  /** Commission valued in quote at the fill price. */
  readonly commissionQuote: Decimal;
  /** Change of the base balance (negative for SELL). */
  readonly baseDelta: Decimal;
  /** Change of the quote balance (negative for BUY). */
  readonly quoteDelta: Decimal;
}

/** A rejected order; nothing changes. */
export interface ModelReject {
  readonly ok: false;
  readonly side: Side;
  /** `zero_quantity`, `min_qty`, `min_notional`, `no_price` or `insufficient_balance`. */
  readonly reason: 'zero_quantity' | 'min_qty' | 'min_notional' | 'no_price' | 'insufficient_balance';
  /** Binance error code the exchange gives for it (null for `no_price`). */
  readonly code: number | null;
  /** Binance-style message, e.g. `Filter failure: NOTIONAL`. */
  readonly message: string;
}

export type ModelOutcome = ModelFill | ModelReject;

/**
 * Fill price `p = ref × (1 + slippage_bps/1e4)` for a BUY, `× (1 − slippage_bps/1e4)` for a SELL (§7).
 */
export function fillPrice(side: Side, referencePrice: DecimalInput, slippageBps: number): Decimal {
  const s = dec(slippageBps).div(10_000);
  return dec(referencePrice).times(side === 'BUY' ? dec(1).plus(s) : dec(1).minus(s));
}

/**
 * Fills a MARKET SELL of `quantityWanted` base units (§7): `q = floor_step(q_wanted)`; rejected when
 * `q = 0`, `q < minQty`, `q × p < minNotional`, no price at D, or `q` exceeds the free balance.
 * Proceeds `q × p`, commission `q × p × f` in quote.
 */
export function fillMarketSell(quantityWanted: DecimalInput, ctx: FillContext): ModelOutcome {
  if (ctx.referencePrice === null) return noPrice('SELL');
  const p = fillPrice('SELL', ctx.referencePrice, ctx.slippageBps);
  const q = floorStep(quantityWanted, ctx.rules.stepSize);
  const bad = checkFilters('SELL', q, p, ctx.rules);
  if (bad) return bad;
  if (q.gt(dec(ctx.available))) return insufficient('SELL');
  return filled('SELL', p, q, q.times(p), ctx.feeRate);
}

/**
 * Fills a MARKET BUY spending at most `quoteOrderQty` (§7): `q = floor_step(Q / p)` (Q / p with 60
 * significant digits, then floored); rejected when `q = 0`, `q < minQty`, `q × p < minNotional`, no
 * price at D, or `q × p` exceeds the free quote balance. Cash `−= q × p`; commission `q × f` in base.
 */
export function fillMarketBuy(quoteOrderQty: DecimalInput, ctx: FillContext): ModelOutcome {
  if (ctx.referencePrice === null) return noPrice('BUY');
  const p = fillPrice('BUY', ctx.referencePrice, ctx.slippageBps);
  const q = floorStep(dec(quoteOrderQty).div(p), ctx.rules.stepSize);
  const bad = checkFilters('BUY', q, p, ctx.rules);
  if (bad) return bad;
  const notional = q.times(p);
  if (notional.gt(dec(ctx.available))) return insufficient('BUY');
  return filled('BUY', p, q, notional, ctx.feeRate);
}

/**
 * The one fill of an order that passed (§7): `q` at `p`, notional `q × p` (quote). The commission is
 * charged in the asset received (commission_faq.md): a SELL pays `q × p × f` in quote (proceeds
 * `q × p − commission`), a BUY pays `q × f` in base (`q − commission` received, valued `× p` in quote).
 */
function filled(side: Side, p: Decimal, q: Decimal, notional: Decimal, feeRate: DecimalInput): ModelFill {
  const sell = side === 'SELL';
  const commission = (sell ? notional : q).times(dec(feeRate));
  return {
    ok: true,
    side,
    price: p,
    quantity: q,
    quoteQuantity: notional,
    commission,
    commissionIn: sell ? 'quote' : 'base',
    commissionQuote: sell ? commission : commission.times(p),
    baseDelta: sell ? q.neg() : q.minus(commission),
    quoteDelta: sell ? notional.minus(commission) : notional.neg(),
  };
}

function checkFilters(side: Side, q: Decimal, p: Decimal, rules: SymbolRules): ModelReject | null {
  if (q.isZero()) {
    return { ok: false, side, reason: 'zero_quantity', code: -1013, message: 'Filter failure: LOT_SIZE' };
  }
  if (q.lt(dec(rules.minQty))) {
    return { ok: false, side, reason: 'min_qty', code: -1013, message: 'Filter failure: LOT_SIZE' };
  }
  if (q.times(p).lt(dec(rules.minNotional))) {
    return { ok: false, side, reason: 'min_notional', code: -1013, message: 'Filter failure: NOTIONAL' };
  }
  return null;
}

function noPrice(side: Side): ModelReject {
  return {
    ok: false,
    side,
    reason: 'no_price',
    code: null,
    message: 'no candle at the decision day: not trading',
  };
}

function insufficient(side: Side): ModelReject {
  return {
    ok: false,
    side,
    reason: 'insufficient_balance',
    code: -2010,
    message: 'Account has insufficient balance for requested action.',
  };
}

/**
 * Dust (issue 9.4): would §7's filters reject this planned order at its decision price (no slippage)?
 * SELL: `q = floor_step(quantity)`; BUY: `q = floor_step(quoteOrderQty / p)`; rejected when `q = 0`,
 * `q < minQty` or `q × p < minNotional` (filters.md LOT_SIZE, NOTIONAL).
 * @returns the reject (reason `zero_quantity`, `min_qty`, `min_notional`) and the order's notional at the
 *   decision price (quote asset: the SELL's `quantity × p`, the BUY's `quoteOrderQty`), or null when the
 *   order passes the filters or has no decision price.
 */
export function dustCheck(
  side: Side,
  amount: DecimalInput,
  decisionPrice: DecimalInput | null,
  rules: SymbolRules,
): { reject: ModelReject; notional: Decimal } | null {
  if (decisionPrice === null || dec(decisionPrice).lte(0)) return null;
  const p = dec(decisionPrice);
  const q = floorStep(side === 'SELL' ? amount : dec(amount).div(p), rules.stepSize);
  const reject = checkFilters(side, q, p, rules);
  if (!reject) return null;
  return { reject, notional: side === 'SELL' ? dec(amount).times(p) : dec(amount) };
}
