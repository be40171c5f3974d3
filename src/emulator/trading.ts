/**
 * Accounts and orders of the emulator. Each account (API key) owns one `SimExchange` — the project's
 * simulated matching engine (`adapters/sim/sim-exchange.ts`, fill model strategy-semantics.md §7) — whose
 * reference price is the emulator's current price of the symbol and whose rules are the symbol's filters
 * (§6). This module adds what the Binance API has around the engine: order ids, clientOrderIds, order and
 * trade histories, LIMIT orders resting with locked balances, and the parameter-level checks of
 * rest-api.md "New order" / filters.md before matching.
 */
import { randomBytes } from 'node:crypto';
import type { ExchangeFilter } from '../adapters/data/exchange-info.ts';
import { SimExchange } from '../adapters/sim/sim-exchange.ts';
import { Decimal, dec, floorStep, ZERO } from '../domain/decimal.ts';
import { fillPrice, type ModelFill } from '../domain/execution/market-fill.ts';
import type { Side } from '../domain/types.ts';
import type { SigningKeys } from './auth.ts';
import { EngineMessages, Errors } from './errors.ts';
import {
  checkLimitNotional,
  checkLotSize,
  checkMarketMaxNotional,
  checkMaxNumOrders,
  checkMaxQty,
  checkPercentPrice,
  checkPriceFilter,
  filterOf,
  modelFilterName,
} from './filters.ts';
import type { EmulatorMarket, MarketSymbol } from './market.ts';
import {
  initialState,
  intrabarPath,
  jump,
  move,
  type StopSpec,
  type StopState,
  stopConditionMet,
  type Trigger,
} from './stop-trigger.ts';

/** Order statuses the emulator produces (enums.md "Order status"). */
export type OrderStatus = 'NEW' | 'FILLED' | 'CANCELED' | 'EXPIRED';

/** One trade (fill) of an account (rest-api.md "Account trade list"). */
export interface TradeRecord {
  readonly symbol: string;
  /** Trade id, unique per symbol. */
  readonly id: number;
  readonly orderId: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  /** UTC ms. */
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

/** One order of an account (rest-api.md "Query order" fields). */
export interface OrderRecord {
  readonly symbol: string;
  /** Order id, unique per symbol (all accounts). */
  readonly orderId: number;
  readonly clientOrderId: string;
  /** Limit price; zero for MARKET. */
  readonly price: Decimal;
  readonly origQty: Decimal;
  executedQty: Decimal;
  cummulativeQuoteQty: Decimal;
  status: OrderStatus;
  readonly timeInForce: string;
  readonly type: string;
  readonly side: Side;
  /** Placement time, UTC ms. */
  readonly time: number;
  updateTime: number;
  /** When the order started working: placement, or a stop order's trigger time (-1 while it waits). */
  workingTime: number;
  readonly origQuoteOrderQty: Decimal;
  /** STOP_LOSS / TAKE_PROFIT: `stopPrice` and `trailingDelta` as sent. */
  readonly stopPrice?: Decimal;
  readonly trailingDelta?: number;
  /** A resting stop order's trigger rule and tracking state (see stop-trigger.ts). */
  stop?: RestingStop;
  readonly selfTradePreventionMode: string;
  readonly strategyId?: number;
  readonly strategyType?: number;
  /** `expiryReason` (rest-api.md "Conditional fields") of an EXPIRED order. */
  expiryReason?: string;
  readonly fills: TradeRecord[];
  /** What a resting order holds locked (released on cancel). */
  locked?: { readonly asset: string; readonly amount: Decimal };
}

/** A resting stop order's trigger rule and how far along the price path it has been checked. */
export interface RestingStop {
  readonly spec: StopSpec;
  readonly state: StopState;
  /** Candles ending at or before this time (UTC ms) have been checked entirely. */
  from: number;
  /** Open time of the candle whose open has been checked (the placement candle's at first). */
  openSeen: number;
}

/** An order request after parameter validation (rest-api.md "New order" parameters). */
export interface NewOrder {
  readonly symbol: string;
  readonly side: Side;
  readonly type: string;
  readonly timeInForce?: string;
  readonly quantity?: Decimal;
  readonly quoteOrderQty?: Decimal;
  readonly price?: Decimal;
  readonly newClientOrderId?: string;
  readonly strategyId?: number;
  readonly strategyType?: number;
  readonly selfTradePreventionMode?: string;
  /** STOP_LOSS / TAKE_PROFIT: the stop price (quote per base unit) and the trailing delta (BIPS). */
  readonly stopPrice?: Decimal;
  readonly trailingDelta?: number;
  /** Sent parameters the emulator refuses. */
  readonly icebergQty?: boolean;
  readonly pegPriceType?: boolean;
}

/** What an account is created from (see `EmulatorAccountSpec` in server.ts). */
export interface AccountInit {
  readonly apiKey: string;
  readonly keys: SigningKeys;
  readonly uid: number;
  /** Starting free balances, decimal strings by asset. */
  readonly balances: Readonly<Record<string, string>>;
  /** Commission rates as fractions (0.001 = 10 bps). */
  readonly makerCommission: Decimal;
  readonly takerCommission: Decimal;
  /** "Using BNB to pay for fees" (Binance's account switch): see {@link BNB_DISCOUNT}. */
  readonly payFeesInBnb: boolean;
}

/**
 * The discount on the standard commission when it is paid in BNB (commission_faq.md, `discount.discount`
 * in rest-api.md "Query Commission Rates": "Standard commission is reduced by this rate when paying
 * commission in BNB"). The FAQ's worked example multiplies by the rate instead of by `1 − rate`; the
 * emulator follows the field's description and Binance's published 25 % BNB discount: it charges
 * `1 − 0.25` of the standard commission.
 */
export const BNB_DISCOUNT = '0.25';

/** The asset BNB fee payment uses (`discount.discountAsset`). */
export const DISCOUNT_ASSET = 'BNB';

/** The STP modes the emulator's symbols allow (served as `allowedSelfTradePreventionModes`). */
export const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const;

const ONE_MINUS_DISCOUNT = dec(1).minus(BNB_DISCOUNT);

/** Rounds up (away from zero) to 8 decimals: the exchange's commission precision. */
const roundUp8 = (x: Decimal): Decimal => x.toDecimalPlaces(8, Decimal.ROUND_UP);

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A Binance-like generated clientOrderId: 22 random characters of [A-Za-z0-9]. */
export function generateClientOrderId(): string {
  const bytes = randomBytes(22);
  let s = '';
  for (const b of bytes) s += BASE62[b % 62];
  return s;
}

/** One emulated spot account. */
export class EmulatorAccount {
  readonly apiKey: string;
  readonly uid: number;
  readonly keys: SigningKeys;
  readonly makerCommission: Decimal;
  readonly takerCommission: Decimal;
  /** Commissions are paid in BNB at a discount when the BNB balance suffices (see {@link BNB_DISCOUNT}). */
  readonly payFeesInBnb: boolean;
  /** The matching engine and balances of this account. */
  readonly exchange: SimExchange;
  /** Every accepted order, in placement order. */
  readonly orders: OrderRecord[] = [];
  /** Every trade, in execution order. */
  readonly trades: TradeRecord[] = [];
  /** The resting STOP_LOSS / TAKE_PROFIT orders (NEW), checked by `TradingEngine.sweep`. */
  readonly restingStops = new Set<OrderRecord>();
  /** Time of the last balance change, UTC ms. */
  updateTime: number;
  /** The fill model's reference price while a triggered stop order executes (symbol → price). */
  readonly priceOverride = new Map<string, Decimal>();

  /**
   * @param init keys, rates and balances.
   * @param market the emulator market (symbols, filters, prices).
   * @param now the emulator clock (UTC ms).
   * @param slippageBps fill slippage against the taker (strategy-semantics.md §7), default 0.
   */
  constructor(init: AccountInit, market: EmulatorMarket, now: () => number, slippageBps: number) {
    this.apiKey = init.apiKey;
    this.uid = init.uid;
    this.keys = init.keys;
    this.makerCommission = init.makerCommission;
    this.takerCommission = init.takerCommission;
    this.payFeesInBnb = init.payFeesInBnb;
    this.updateTime = now();
    this.exchange = new SimExchange({
      market: {
        assets: (symbol) => {
          const s = market.symbol(symbol);
          return s ? { base: s.baseAsset, quote: s.quoteAsset } : null;
        },
        rules: (symbol) => {
          const s = market.symbol(symbol);
          if (!s) throw new Error(`unknown symbol ${symbol}`);
          return s.rules;
        },
        referencePrice: (symbol) => {
          const forced = this.priceOverride.get(symbol);
          if (forced) return forced;
          const s = market.symbol(symbol);
          return s ? market.tradingPrice(s, now()) : null;
        },
      },
      balances: Object.entries(init.balances).map(([asset, free]) => ({ asset, free, locked: '0' })),
      feeRate: init.takerCommission,
      slippageBps,
      clock: { now },
    });
  }

  /** Open (NEW) orders, optionally of one symbol, in placement order. */
  openOrders(symbol?: string): OrderRecord[] {
    return this.orders.filter((o) => o.status === 'NEW' && (symbol === undefined || o.symbol === symbol));
  }
}

/**
 * Places, tests, queries and cancels orders for accounts over one market (rest-api.md "Trading
 * endpoints", "Account Endpoints"). Order and trade ids are sequential per symbol across accounts.
 */
export class TradingEngine {
  private readonly nextOrderId = new Map<string, number>();
  private readonly nextTradeId = new Map<string, number>();
  /** Test control: the next MARKET orders fill only this fraction, then expire (see {@link partialFillNext}). */
  private partial: { fraction: Decimal; left: number } | null = null;

  /**
   * Test control (docs/emulator.md "Test controls"): the next `count` accepted MARKET orders fill only
   * `fraction` of what was asked (SELL quantity floored to the stepSize, BUY quoteOrderQty truncated to
   * 8 decimals) in one trade and end `EXPIRED` (`expiryReason` `INSUFFICIENT_LIQUIDITY`), as a Binance
   * MARKET order that ran out of liquidity. `count` 0 turns it off.
   * @throws Error when `fraction` is not in (0, 1).
   */
  partialFillNext(fraction: string, count = 1): void {
    const f = dec(fraction);
    if (!(f.gt(0) && f.lt(1))) throw new Error(`partial fill fraction must be in (0, 1), got ${fraction}`);
    this.partial = count > 0 ? { fraction: f, left: count } : null;
  }

  /**
   * @param market the emulator market.
   * @param now the emulator clock (UTC ms).
   * @param slippageBps taker slippage, bps (strategy-semantics.md §7).
   */
  constructor(
    private readonly market: EmulatorMarket,
    private readonly now: () => number,
    private readonly slippageBps: number,
  ) {}

  /** The listed symbol `name` at the clock. @throws ApiError -1121 when unknown or not listed yet. */
  listedSymbol(name: string): MarketSymbol {
    const s = this.market.symbol(name);
    if (!s || !this.market.isListed(s, this.now())) throw Errors.badSymbol();
    return s;
  }

  private id(map: Map<string, number>, symbol: string): number {
    const n = map.get(symbol) ?? 1;
    map.set(symbol, n + 1);
    return n;
  }

  /**
   * Validates `o` and, unless `test`, executes it (rest-api.md "New order", "Test new order"):
   * 1. symbol (-1121); unsupported types (-2010 "… orders are not supported for this symbol."), iceberg
   *    and pegged orders (-2010, `icebergAllowed`/`pegInstructionsAllowed` are false);
   * 2. per-type parameters: MARKET needs exactly one of quantity/quoteOrderQty (-1102/-1106) and no
   *    price/timeInForce (-1106); LIMIT needs timeInForce, quantity, price (-1102); LIMIT_MAKER quantity,
   *    price and no timeInForce; stopPrice/trailingDelta are not required (-1106); strategyType ≥ 1000000
   *    (-1134); selfTradePreventionMode in {@link STP_MODES} (-1130);
   * 3. the symbol TRADING (-2010 "Market is closed.");
   * 4. filters (-1013): PRICE_FILTER, PERCENT_PRICE(_BY_SIDE), LOT_SIZE, NOTIONAL/MIN_NOTIONAL and
   *    MAX_NUM_ORDERS for LIMIT; LOT_SIZE and MARKET_LOT_SIZE of a MARKET `quantity`; for every MARKET
   *    order the §7 model (zero/min quantity, minNotional) then maxQty and NOTIONAL.maxNotional
   *    (applyMaxToMarket) on the quantity it fills;
   * 5. a duplicate clientOrderId — an open order of the symbol has it (rest-api.md "New order":
   *    "A unique id among open orders … can be accepted only when the previous one is filled") →
   *    -2010 "Duplicate order sent.";
   * 6. execution: MARKET fills in full through SimExchange at the current price (taker commission in the
   *    asset received); a LIMIT order whose price the fill price satisfies fills the same way at the fill
   *    price (LIMIT_MAKER: -2010 "Order would immediately match and take."), else GTC/LIMIT_MAKER rest as
   *    NEW with the quote (BUY: price × quantity) or base (SELL) locked, and IOC/FOK expire unfilled;
   *    insufficient free balance → -2010 "Account has insufficient balance for requested action.".
   * A test order stops before 5 and never checks balances. Resting orders do not fill later.
   * @returns the new order (null for a test order).
   * @throws ApiError as listed.
   */
  placeOrder(acct: EmulatorAccount, o: NewOrder, test: boolean): OrderRecord | null {
    const s = this.listedSymbol(o.symbol);
    const t = this.now();
    const unsupported: Record<string, string> = {
      STOP_LOSS_LIMIT: EngineMessages.stopLossLimit,
      TAKE_PROFIT_LIMIT: EngineMessages.takeProfitLimit,
    };
    const notSupported = unsupported[o.type];
    if (notSupported) throw Errors.orderRejected(notSupported);
    const isStop = o.type === 'STOP_LOSS' || o.type === 'TAKE_PROFIT';
    if (!isStop && o.stopPrice !== undefined) throw Errors.notRequired('stopPrice');
    if (!isStop && o.trailingDelta !== undefined) throw Errors.notRequired('trailingDelta');
    if (o.icebergQty) throw Errors.orderRejected(EngineMessages.icebergNotSupported);
    if (o.pegPriceType) throw Errors.orderRejected(EngineMessages.peggedNotSupported);
    if (o.type === 'MARKET') {
      if (o.quantity === undefined && o.quoteOrderQty === undefined)
        throw Errors.eitherOf('quantity', 'quoteOrderQty');
      if (o.quantity !== undefined && o.quoteOrderQty !== undefined)
        throw Errors.notRequired('quoteOrderQty');
      if (o.price !== undefined) throw Errors.notRequired('price');
      if (o.timeInForce !== undefined) throw Errors.notRequired('timeInForce');
    } else if (isStop) {
      if (o.quantity === undefined) throw Errors.mandatory('quantity');
      if (o.stopPrice === undefined && o.trailingDelta === undefined)
        throw Errors.eitherOf('stopPrice', 'trailingDelta');
      if (o.quoteOrderQty !== undefined) throw Errors.notRequired('quoteOrderQty');
      if (o.price !== undefined) throw Errors.notRequired('price');
      if (o.timeInForce !== undefined) throw Errors.notRequired('timeInForce');
      if (o.trailingDelta !== undefined && o.trailingDelta < 1) throw Errors.invalidParam('trailingDelta');
    } else {
      if (o.type === 'LIMIT' && o.timeInForce === undefined) throw Errors.mandatory('timeInForce');
      if (o.type === 'LIMIT_MAKER' && o.timeInForce !== undefined) throw Errors.notRequired('timeInForce');
      if (o.quantity === undefined) throw Errors.mandatory('quantity');
      if (o.price === undefined) throw Errors.mandatory('price');
      if (o.quoteOrderQty !== undefined) throw Errors.notRequired('quoteOrderQty');
    }
    if (o.strategyType !== undefined && o.strategyType < 1_000_000) throw Errors.badStrategyType();
    const stp = o.selfTradePreventionMode ?? 'NONE';
    if (!(STP_MODES as readonly string[]).includes(stp)) throw Errors.invalidParam('selfTradePreventionMode');

    const current = this.market.tradingPrice(s, t);
    if (current === null) throw Errors.orderRejected(EngineMessages.marketClosed);
    const f = s.filters;
    const cid = o.newClientOrderId ?? generateClientOrderId();

    if (isStop) return this.placeStop(acct, s, o, cid, current, stp, test);

    if (o.type === 'MARKET') {
      if (o.quantity !== undefined) checkLotSize(f, o.quantity, true);
      let shape = { symbol: s.symbol, side: o.side, quantity: o.quantity, quoteOrderQty: o.quoteOrderQty };
      const dry = acct.exchange.executeMarketSync(shape, { dryRun: true });
      if (!dry.ok) {
        if (dry.reason === 'insufficient_balance') {
          if (test) return null;
          throw Errors.orderRejected(EngineMessages.insufficientBalance);
        }
        if (dry.reason === 'no_price') throw Errors.orderRejected(EngineMessages.marketClosed);
        if (dry.code === -1013) throw Errors.filter(modelFilterName(f, dry.reason));
        throw Errors.unknown();
      }
      checkMaxQty(f, dry.fill.quantity);
      checkMarketMaxNotional(f, dry.fill.quoteQuantity);
      if (test) return null;
      this.checkDuplicate(acct, s.symbol, cid);
      const partial = this.takePartial();
      if (partial) {
        shape = {
          ...shape,
          quantity: o.quantity && floorStep(o.quantity.times(partial), s.rules.stepSize),
          quoteOrderQty: o.quoteOrderQty?.times(partial).toDecimalPlaces(8, 1),
        };
      }
      const ex = acct.exchange.executeMarketSync(shape);
      if (!ex.ok) throw Errors.orderRejected(EngineMessages.insufficientBalance);
      const order = this.newRecord(s, o, cid, t, {
        price: ZERO,
        origQty: o.quantity ?? ex.fill.quantity,
        timeInForce: 'GTC',
        stp,
      });
      this.fillOrder(acct, order, ex.fill, ex.baseAsset, ex.quoteAsset, t);
      if (partial) {
        order.status = 'EXPIRED';
        order.expiryReason = 'INSUFFICIENT_LIQUIDITY';
      }
      return order;
    }

    // LIMIT / LIMIT_MAKER
    const price = o.price as Decimal;
    const qty = o.quantity as Decimal;
    checkPriceFilter(f, price);
    checkPercentPrice(f, o.side, price, current);
    checkLotSize(f, qty, false);
    checkLimitNotional(f, price, qty);
    checkMaxNumOrders(f, acct.openOrders(s.symbol).length);
    const p = fillPrice(o.side, current, this.slippageBps);
    const marketable = o.side === 'BUY' ? p.lte(price) : p.gte(price);
    if (marketable && o.type === 'LIMIT_MAKER') throw Errors.orderRejected(EngineMessages.wouldMatch);
    const tif = o.timeInForce ?? 'GTC';
    const lockAsset = o.side === 'BUY' ? s.quoteAsset : s.baseAsset;
    const lockAmount = o.side === 'BUY' ? price.times(qty) : qty;
    if (test) return null;
    this.checkDuplicate(acct, s.symbol, cid);
    const rec = () => this.newRecord(s, o, cid, t, { price, origQty: qty, timeInForce: tif, stp });
    if (marketable) {
      const ex = acct.exchange.executeMarketSync({ symbol: s.symbol, side: o.side, quantity: qty });
      if (!ex.ok) {
        if (ex.reason === 'insufficient_balance')
          throw Errors.orderRejected(EngineMessages.insufficientBalance);
        throw Errors.filter(modelFilterName(f, ex.reason));
      }
      const order = rec();
      this.fillOrder(acct, order, ex.fill, ex.baseAsset, ex.quoteAsset, t);
      return order;
    }
    if (tif === 'IOC' || tif === 'FOK') {
      if (acct.exchange.freeOf(lockAsset).lt(lockAmount)) {
        throw Errors.orderRejected(EngineMessages.insufficientBalance);
      }
      const order = rec();
      order.status = 'EXPIRED';
      order.expiryReason = tif === 'IOC' ? 'UNFILLED_IOC_QUANTITY_EXPIRED' : 'UNFILLED_FOK_ORDER_EXPIRED';
      acct.orders.push(order);
      return order;
    }
    if (!acct.exchange.lock(lockAsset, lockAmount))
      throw Errors.orderRejected(EngineMessages.insufficientBalance);
    const order = rec();
    order.locked = { asset: lockAsset, amount: lockAmount };
    acct.orders.push(order);
    acct.updateTime = t;
    return order;
  }

  /**
   * A STOP_LOSS / TAKE_PROFIT order (rest-api.md "New order": "This will execute a MARKET order when the
   * conditions are met"), after the common checks of {@link placeOrder}: filters (-1013) PRICE_FILTER of
   * `stopPrice`, TRAILING_DELTA (filters.md: STOP_LOSS BUY / TAKE_PROFIT SELL within the "Above" bounds,
   * STOP_LOSS SELL / TAKE_PROFIT BUY within the "Below" ones), LOT_SIZE and MARKET_LOT_SIZE of `quantity`,
   * NOTIONAL / MIN_NOTIONAL at the stop price (the current price for a trailing order without one),
   * MAX_NUM_ALGO_ORDERS; a stopPrice whose condition the current price already meets → -2010 "Order
   * would trigger immediately." (errors.md); then the duplicate and balance checks. The order rests NEW
   * (`workingTime` -1) with SELL `quantity` base, or BUY `quantity × stopPrice` (current price without
   * one) quote locked, until {@link sweep} triggers it or it is canceled.
   * @returns the resting order (null for a test order). @throws ApiError as listed.
   */
  private placeStop(
    acct: EmulatorAccount,
    s: MarketSymbol,
    o: NewOrder,
    cid: string,
    current: Decimal,
    stp: string,
    test: boolean,
  ): OrderRecord | null {
    const f = s.filters;
    const t = this.now();
    const qty = o.quantity as Decimal;
    const tick = dec(String(filterOf(f, 'PRICE_FILTER')?.tickSize ?? '0'));
    const spec: StopSpec = {
      type: o.type as 'STOP_LOSS' | 'TAKE_PROFIT',
      side: o.side,
      ...(o.stopPrice !== undefined ? { stopPrice: o.stopPrice } : {}),
      ...(o.trailingDelta !== undefined ? { trailingDelta: o.trailingDelta } : {}),
      tickSize: tick,
    };
    if (o.stopPrice !== undefined) checkPriceFilter(f, o.stopPrice);
    if (o.trailingDelta !== undefined) checkTrailingDelta(f, spec, o.trailingDelta);
    checkLotSize(f, qty, true);
    const ref = o.stopPrice ?? current;
    checkLimitNotional(f, ref, qty);
    const algo = filterOf(f, 'MAX_NUM_ALGO_ORDERS');
    if (algo && acct.openOrders(s.symbol).filter((x) => x.stop).length >= Number(algo.maxNumAlgoOrders)) {
      throw Errors.filter('MAX_NUM_ALGO_ORDERS');
    }
    if (stopConditionMet(spec, current)) throw Errors.orderRejected(EngineMessages.wouldTrigger);
    if (test) return null;
    this.checkDuplicate(acct, s.symbol, cid);
    const lockAsset = o.side === 'BUY' ? s.quoteAsset : s.baseAsset;
    const lockAmount = o.side === 'BUY' ? ref.times(qty) : qty;
    if (!acct.exchange.lock(lockAsset, lockAmount))
      throw Errors.orderRejected(EngineMessages.insufficientBalance);
    const order: OrderRecord = {
      ...this.newRecord(s, o, cid, t, { price: ZERO, origQty: qty, timeInForce: 'GTC', stp }),
      workingTime: -1,
      ...(o.stopPrice !== undefined ? { stopPrice: o.stopPrice } : {}),
      ...(o.trailingDelta !== undefined ? { trailingDelta: o.trailingDelta } : {}),
      locked: { asset: lockAsset, amount: lockAmount },
    };
    const first = this.market.pathBars(s, t, t)[0];
    order.stop = { spec, state: initialState(spec, current), from: t, openSeen: first ? first.openTime : t };
    acct.orders.push(order);
    acct.restingStops.add(order);
    acct.updateTime = t;
    return order;
  }

  /**
   * Checks the resting stop orders of `acct` against the price path up to the clock (docs/emulator.md
   * "Stop orders"): for each candle of {@link EmulatorMarket.pathBars} since the order was last checked,
   * its open (a jump) once it has opened, and its intrabar path (open → low/high → high/low → close) once
   * it has closed. A triggered order executes as a MARKET order of its quantity at the trigger price (the
   * fill model's reference price, §7 slippage and commission as for any MARKET order), at the trigger time:
   * FILLED, or EXPIRED when the fill model rejects it then (e.g. below minNotional). Idempotent; the clock
   * going back checks nothing.
   */
  sweep(acct: EmulatorAccount): void {
    const t = this.now();
    for (const o of acct.restingStops) {
      if (o.status !== 'NEW' || !o.stop) {
        acct.restingStops.delete(o);
        continue;
      }
      const s = this.market.symbol(o.symbol);
      if (!s) continue;
      const trig = this.advanceStop(s, o.stop, t);
      if (trig) this.triggerStop(acct, s, o, trig);
    }
  }

  private advanceStop(s: MarketSymbol, r: RestingStop, t: number): Trigger | null {
    if (t < r.from) return null;
    for (const bar of this.market.pathBars(s, r.from, t)) {
      if (bar.openTime !== r.openSeen) {
        r.openSeen = bar.openTime;
        const hit = jump(r.spec, r.state, bar.open, Math.max(bar.openTime, r.from));
        if (hit) return hit;
      }
      if (bar.openTime + bar.len > t) break;
      let a = bar.open;
      let ta = Math.max(bar.openTime, r.from);
      for (const pt of intrabarPath(bar)) {
        const tb = Math.max(pt.time, r.from);
        const hit = move(r.spec, r.state, a, pt.price, ta, tb);
        if (hit) return hit;
        a = pt.price;
        ta = tb;
      }
      r.from = bar.openTime + bar.len;
    }
    return null;
  }

  private triggerStop(acct: EmulatorAccount, s: MarketSymbol, o: OrderRecord, trig: Trigger): void {
    if (o.locked) acct.exchange.unlock(o.locked.asset, o.locked.amount);
    o.locked = undefined;
    o.stop = undefined;
    acct.restingStops.delete(o);
    o.workingTime = trig.time;
    o.updateTime = trig.time;
    acct.priceOverride.set(s.symbol, trig.price);
    try {
      const ex = acct.exchange.executeMarketSync({ symbol: s.symbol, side: o.side, quantity: o.origQty });
      if (!ex.ok) {
        o.status = 'EXPIRED';
        acct.updateTime = trig.time;
        return;
      }
      this.fillOrder(acct, o, ex.fill, ex.baseAsset, ex.quoteAsset, trig.time, false);
    } finally {
      acct.priceOverride.delete(s.symbol);
    }
  }

  private takePartial(): Decimal | null {
    const p = this.partial;
    if (!p) return null;
    p.left -= 1;
    if (p.left <= 0) this.partial = null;
    return p.fraction;
  }

  private checkDuplicate(acct: EmulatorAccount, symbol: string, cid: string): void {
    const dup = acct.orders.some((x) => x.symbol === symbol && x.clientOrderId === cid && x.status === 'NEW');
    if (dup) throw Errors.orderRejected(EngineMessages.duplicateOrder);
  }

  private newRecord(
    s: MarketSymbol,
    o: NewOrder,
    cid: string,
    t: number,
    v: { price: Decimal; origQty: Decimal; timeInForce: string; stp: string },
  ): OrderRecord {
    return {
      symbol: s.symbol,
      orderId: this.id(this.nextOrderId, s.symbol),
      clientOrderId: cid,
      price: v.price,
      origQty: v.origQty,
      executedQty: ZERO,
      cummulativeQuoteQty: ZERO,
      status: 'NEW',
      timeInForce: v.timeInForce,
      type: o.type,
      side: o.side,
      time: t,
      updateTime: t,
      workingTime: t,
      origQuoteOrderQty: o.quoteOrderQty ?? ZERO,
      selfTradePreventionMode: v.stp,
      ...(o.strategyId !== undefined ? { strategyId: o.strategyId } : {}),
      ...(o.strategyType !== undefined ? { strategyType: o.strategyType } : {}),
      fills: [],
    };
  }

  private fillOrder(
    acct: EmulatorAccount,
    order: OrderRecord,
    fill: ModelFill,
    base: string,
    quote: string,
    t: number,
    record = true,
  ): void {
    const fee = this.settleCommission(acct, fill, base, quote, t);
    const trade: TradeRecord = {
      symbol: order.symbol,
      id: this.id(this.nextTradeId, order.symbol),
      orderId: order.orderId,
      price: fill.price,
      qty: fill.quantity,
      quoteQty: fill.quoteQuantity,
      commission: fee.commission,
      commissionAsset: fee.asset,
      time: t,
      isBuyer: order.side === 'BUY',
      isMaker: false,
    };
    order.fills.push(trade);
    order.executedQty = fill.quantity;
    order.cummulativeQuoteQty = fill.quoteQuantity;
    order.status = 'FILLED';
    if (record) acct.orders.push(order);
    acct.trades.push(trade);
    acct.updateTime = t;
  }

  /**
   * The commission of a taker fill that SimExchange already executed with the §7 model (commission in the
   * received asset, deducted). With "pay fees with BNB" on (commission_faq.md "How is the commission
   * calculated?"): the standard commission `quoteQty × taker` is reduced by {@link BNB_DISCOUNT}, converted
   * to BNB at the current BNB price in the quote asset (`BNB<quote>`), rounded up to 8 decimals, and
   * debited from the free BNB balance, while the received asset is credited back in full. When the
   * account has less free BNB than that (after the fill) or BNB has no price, the commission stays in
   * the received asset ("If you do not have enough BNB to pay the discounted commission, the full
   * commission will be taken out of your received amount"). Either way it has at most 8 decimals
   * ({@link roundCommission}).
   * @returns the commission and its asset, as the trade reports them.
   */
  private settleCommission(
    acct: EmulatorAccount,
    fill: ModelFill,
    base: string,
    quote: string,
    t: number,
  ): { commission: Decimal; asset: string } {
    const received = fill.commissionIn === 'base' ? base : quote;
    const standard = this.roundCommission(acct, fill.commission, received);
    if (!acct.payFeesInBnb || fill.commission.isZero()) return standard;
    const valueInQuote = fill.quoteQuantity.times(acct.takerCommission).times(ONE_MINUS_DISCOUNT);
    let bnb: Decimal | null;
    if (quote === DISCOUNT_ASSET) bnb = valueInQuote;
    else {
      const s = this.market.symbol(DISCOUNT_ASSET + quote);
      const p = s && this.market.isListed(s, t) ? this.market.tradingPrice(s, t) : null;
      bnb = p && !p.isZero() ? valueInQuote.div(p) : null;
    }
    if (bnb === null) return standard;
    const amount = roundUp8(bnb);
    const refund = received === DISCOUNT_ASSET ? standard.commission : ZERO;
    if (acct.exchange.freeOf(DISCOUNT_ASSET).plus(refund).lt(amount)) return standard;
    acct.exchange.adjustFree(received, standard.commission);
    acct.exchange.adjustFree(DISCOUNT_ASSET, amount.neg());
    return { commission: amount, asset: DISCOUNT_ASSET };
  }

  /**
   * The §7 commission `c` (already deducted from `asset` by SimExchange) at the exchange's commission
   * precision: rounded up to 8 decimals (exchangeInfo `baseCommissionPrecision` /
   * `quoteCommissionPrecision` 8; commission_faq.md rounds 0.040229875 to 0.04022988), the extra taken
   * from `asset` too, so balances keep at most 8 decimals as on Binance.
   */
  private roundCommission(
    acct: EmulatorAccount,
    c: Decimal,
    asset: string,
  ): { commission: Decimal; asset: string } {
    const rounded = roundUp8(c);
    const extra = rounded.minus(c);
    if (extra.isZero() || acct.exchange.freeOf(asset).lt(extra)) return { commission: c, asset };
    acct.exchange.adjustFree(asset, extra.neg());
    return { commission: rounded, asset };
  }

  /**
   * Finds an order of `acct` on `symbol` by `orderId` (searched first) and/or `origClientOrderId` (the
   * latest order with it), rest-api.md "Query order" notes.
   * @returns the order, or null when none matches.
   * @throws ApiError -2039 when both are given and name different orders.
   */
  findOrder(
    acct: EmulatorAccount,
    symbol: string,
    orderId?: number,
    origClientOrderId?: string,
  ): OrderRecord | null {
    if (orderId !== undefined) {
      const o = acct.orders.find((x) => x.symbol === symbol && x.orderId === orderId) ?? null;
      if (o && origClientOrderId !== undefined && o.clientOrderId !== origClientOrderId) {
        throw Errors.clientOrderIdMismatch();
      }
      return o;
    }
    for (let i = acct.orders.length - 1; i >= 0; i--) {
      const o = acct.orders[i] as OrderRecord;
      if (o.symbol === symbol && o.clientOrderId === origClientOrderId) return o;
    }
    return null;
  }

  /**
   * Cancels an open order (rest-api.md "Cancel order"): releases its locked balance, status CANCELED.
   * @returns the canceled order.
   * @throws ApiError -2011 "Unknown order sent." (no such open order), -2011 "Order was not canceled due
   *   to cancel restrictions." (`ONLY_PARTIALLY_FILLED`: emulator orders are never partially filled),
   *   -2039 (orderId/origClientOrderId mismatch).
   */
  cancel(
    acct: EmulatorAccount,
    symbol: string,
    orderId: number | undefined,
    origClientOrderId: string | undefined,
    restrictions?: string,
  ): OrderRecord {
    const o = this.findOrder(acct, symbol, orderId, origClientOrderId);
    if (o?.status !== 'NEW') throw Errors.cancelRejected(EngineMessages.unknownOrder);
    if (restrictions === 'ONLY_PARTIALLY_FILLED')
      throw Errors.cancelRejected(EngineMessages.cancelRestrictions);
    this.release(acct, o);
    return o;
  }

  /** Cancels every open order of `acct` on `symbol` (rest-api.md "Cancel All Open Orders on a Symbol"). */
  cancelAll(acct: EmulatorAccount, symbol: string): OrderRecord[] {
    const open = acct.openOrders(symbol);
    if (open.length === 0) throw Errors.cancelRejected(EngineMessages.unknownOrder);
    for (const o of open) this.release(acct, o);
    return open;
  }

  private release(acct: EmulatorAccount, o: OrderRecord): void {
    const t = this.now();
    if (o.locked) acct.exchange.unlock(o.locked.asset, o.locked.amount);
    o.locked = undefined;
    o.status = 'CANCELED';
    o.updateTime = t;
    acct.updateTime = t;
  }
}

/**
 * TRAILING_DELTA (filters.md; trailing-stop-faq.md "How do I pass the TRAILING_DELTA filter?"): STOP_LOSS
 * BUY and TAKE_PROFIT SELL need `minTrailingAboveDelta ≤ δ ≤ maxTrailingAboveDelta`, STOP_LOSS SELL and
 * TAKE_PROFIT BUY the "Below" bounds. No check when the symbol has no such filter.
 * @throws ApiError -1013 `Filter failure: TRAILING_DELTA`.
 */
export function checkTrailingDelta(
  filters: readonly ExchangeFilter[],
  spec: Pick<StopSpec, 'type' | 'side'>,
  delta: number,
): void {
  const f = filterOf(filters, 'TRAILING_DELTA');
  if (!f) return;
  const above = (spec.type === 'STOP_LOSS') === (spec.side === 'BUY');
  const min = Number(above ? f.minTrailingAboveDelta : f.minTrailingBelowDelta);
  const max = Number(above ? f.maxTrailingAboveDelta : f.maxTrailingBelowDelta);
  if (delta < min || delta > max) throw Errors.filter('TRAILING_DELTA');
}
