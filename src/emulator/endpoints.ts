/**
 * The REST endpoints the emulator implements: for each, its parameters (rest-api.md parameter tables),
 * its request weight (rest-api.md "Weight", table in docs/emulator.md) and its handler. Public endpoints
 * serve the market at the emulator clock (`market.ts`); SIGNED ones (TRADE / USER_DATA) act on the
 * authenticated account (`trading.ts`).
 */
import { type Decimal, dec } from '../domain/decimal.ts';
import type { Side } from '../domain/types.ts';
import { Errors } from './errors.ts';
import { fmt8, fmtDown8, fmtPercent } from './format.ts';
import { type EmulatorMarket, INTERVALS, type MarketSymbol, type WindowStats } from './market.ts';
import { type ParamSpec, type ParamSpecs, type Params, parseJsonList } from './params.ts';
import type { WindowCounter } from './rate-limit.ts';
import {
  BNB_DISCOUNT,
  DISCOUNT_ASSET,
  type EmulatorAccount,
  generateClientOrderId,
  type NewOrder,
  type TradingEngine,
} from './trading.ts';
import { myTrade, orderAck, orderCanceled, orderDetails, orderFull, orderResult } from './views.ts';

/** What a handler gets. */
export interface RequestContext {
  /** Validated parameters. */
  readonly params: Params;
  /** The emulator clock when the request arrived, UTC ms. */
  readonly now: number;
  /** The authenticated account (SIGNED endpoints only). */
  readonly account?: EmulatorAccount;
}

/** One REST endpoint. */
export interface Endpoint {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  /** SIGNED (TRADE / USER_DATA): API key, `timestamp`, `signature` required. */
  readonly signed: boolean;
  /** Endpoint parameters (SIGNED endpoints also read `timestamp`, `recvWindow`, `signature`). */
  readonly params: ParamSpecs;
  /** Request weight from the raw parameters (lenient: malformed values get the default weight). */
  weight(raw: ReadonlyMap<string, string>): number;
  /** True for `POST /api/v3/order`: counts against the ORDERS limits and carries X-MBX-ORDER-COUNT-*. */
  readonly placesOrders?: boolean;
  handle(ctx: RequestContext): unknown;
}

/** What the endpoints need from the emulator. */
export interface EndpointDeps {
  readonly market: EmulatorMarket;
  readonly engine: TradingEngine;
  /** REQUEST_WEIGHT per 1 MINUTE (per IP). */
  readonly weightLimit: number;
  /** ORDERS per 10 SECOND and per 1 DAY (per account). */
  readonly orderLimit10s: number;
  readonly orderLimitDay: number;
  readonly orders10s: WindowCounter;
  readonly ordersDay: WindowCounter;
}

// ---------------------------------------------------------------- parameter specs

const SYMBOL_M: ParamSpec = { kind: 'SYMBOL', mandatory: true };
const SYMBOL: ParamSpec = { kind: 'SYMBOL' };
const SYMBOLS: ParamSpec = { kind: 'SYMBOLS' };
const LONG: ParamSpec = { kind: 'LONG' };
const INT: ParamSpec = { kind: 'INT' };
const DECIMAL: ParamSpec = { kind: 'DECIMAL' };
const BOOLEAN: ParamSpec = { kind: 'BOOLEAN' };
const CID: ParamSpec = { kind: 'CLIENT_ORDER_ID' };
const STATUS: ParamSpec = {
  kind: 'ENUM',
  values: ['TRADING', 'HALT', 'BREAK'],
  invalid: Errors.badSymbolStatus,
};
const TICKER_TYPE: ParamSpec = { kind: 'ENUM', values: ['FULL', 'MINI'], invalid: Errors.invalidTickerType };

/** Order types of enums.md "Order types". */
const ORDER_TYPES = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
];
/** The order types the emulator executes (served as `orderTypes`). */
export const SUPPORTED_ORDER_TYPES = ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'TAKE_PROFIT'] as const;

/** Account and symbol permissions of enums.md. */
const PERMISSIONS = new Set([
  'SPOT',
  'MARGIN',
  'LEVERAGED',
  ...Array.from({ length: 24 }, (_, i) => `TRD_GRP_${String(i + 2).padStart(3, '0')}`),
]);

const ORDER_PARAMS: ParamSpecs = {
  symbol: SYMBOL_M,
  side: { kind: 'ENUM', mandatory: true, values: ['BUY', 'SELL'], invalid: Errors.invalidSide },
  type: { kind: 'ENUM', mandatory: true, values: ORDER_TYPES, invalid: Errors.invalidOrderType },
  timeInForce: { kind: 'ENUM', values: ['GTC', 'IOC', 'FOK'], invalid: Errors.invalidTif },
  quantity: DECIMAL,
  quoteOrderQty: DECIMAL,
  price: DECIMAL,
  newClientOrderId: CID,
  strategyId: LONG,
  strategyType: INT,
  stopPrice: DECIMAL,
  trailingDelta: LONG,
  icebergQty: DECIMAL,
  newOrderRespType: { kind: 'ENUM', values: ['ACK', 'RESULT', 'FULL'] },
  selfTradePreventionMode: {
    kind: 'ENUM',
    values: ['NONE', 'EXPIRE_MAKER', 'EXPIRE_TAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER'],
  },
  pegPriceType: {
    kind: 'ENUM',
    values: ['PRIMARY_PEG', 'MARKET_PEG'],
    invalid: Errors.invalidPegPriceType,
  },
  pegOffsetValue: INT,
  pegOffsetType: { kind: 'ENUM', values: ['PRICE_LEVEL'], invalid: Errors.invalidPegOffsetType },
};

// ---------------------------------------------------------------- weight helpers

const symbolsCount = (raw: ReadonlyMap<string, string>): number => {
  const v = raw.get('symbols');
  if (v === undefined) return 0;
  try {
    return parseJsonList('symbols', v).length;
  } catch {
    return 1;
  }
};
const intOr = (raw: ReadonlyMap<string, string>, name: string, def: number): number => {
  const n = Number(raw.get(name));
  return raw.has(name) && Number.isFinite(n) ? n : def;
};

// ---------------------------------------------------------------- shared handler helpers

/** `symbol` xor `symbols` → the listed symbols asked for; neither → undefined (all). */
function selectSymbols(ctx: RequestContext, deps: EndpointDeps): MarketSymbol[] | undefined {
  const p = ctx.params;
  if (p.has('symbol') && p.has('symbols')) throw Errors.badCombo();
  if (p.has('symbol')) return [deps.engine.listedSymbol(p.req('symbol'))];
  const list = p.list('symbols');
  return list?.map((s) => deps.engine.listedSymbol(s));
}

/** Applies `symbolStatus` (rest-api.md): one symbol → -1220 on mismatch; many → filtered. */
function byStatus(
  ctx: RequestContext,
  deps: EndpointDeps,
  single: boolean,
  list: MarketSymbol[],
): MarketSymbol[] {
  const want = ctx.params.str('symbolStatus');
  if (want === undefined) return list;
  const kept = list.filter((s) => deps.market.status(s, ctx.now) === want);
  if (single && kept.length === 0) throw Errors.statusMismatch();
  return kept;
}

/** Runs `fn` over the selected symbols; a single `symbol` gives an object, else an array. */
function perSymbol(
  ctx: RequestContext,
  deps: EndpointDeps,
  fn: (s: MarketSymbol) => unknown | null,
): unknown {
  const selected = selectSymbols(ctx, deps);
  const single = ctx.params.has('symbol');
  const list = byStatus(ctx, deps, single, selected ?? deps.market.listed(ctx.now));
  const out = list.map(fn).filter((x) => x !== null);
  return single ? (out[0] ?? null) : out;
}

function bookTop(deps: EndpointDeps, s: MarketSymbol, t: number) {
  const p = deps.market.tradingPrice(s, t);
  if (!p) return { bidPrice: fmt8(0), bidQty: fmt8(0), askPrice: fmt8(0), askQty: fmt8(0) };
  const { bid, ask } = deps.market.touch(s, p);
  const q = fmt8(deps.market.levelQty(s, p));
  return { bidPrice: fmt8(bid), bidQty: q, askPrice: fmt8(ask), askQty: q };
}

/** A 24hr / rolling ticker object (rest-api.md), FULL or MINI. */
function tickerJson(
  deps: EndpointDeps,
  s: MarketSymbol,
  st: WindowStats,
  from: number,
  to: number,
  type: 'FULL' | 'MINI' | 'ROLLING',
): Record<string, unknown> {
  const change = st.lastPrice.minus(st.openPrice);
  const pct = st.openPrice.isZero() ? dec(0) : change.div(st.openPrice).times(100);
  const wavg = st.volume.isZero() ? dec(0) : st.quoteVolume.div(st.volume);
  const ids = st.count > 0 ? { firstId: 0, lastId: st.count - 1 } : { firstId: -1, lastId: -1 };
  const tail = {
    volume: fmtDown8(st.volume),
    quoteVolume: fmtDown8(st.quoteVolume),
    openTime: from,
    closeTime: to,
    ...ids,
    count: st.count,
  };
  const ohlc = {
    openPrice: fmt8(st.openPrice),
    highPrice: fmt8(st.highPrice),
    lowPrice: fmt8(st.lowPrice),
    lastPrice: fmt8(st.lastPrice),
  };
  if (type === 'MINI') return { symbol: s.symbol, ...ohlc, ...tail };
  const head = {
    symbol: s.symbol,
    priceChange: fmt8(change),
    priceChangePercent: fmtPercent(pct),
    weightedAvgPrice: fmtDown8(wavg),
  };
  if (type === 'ROLLING') return { ...head, ...ohlc, ...tail };
  const top = bookTop(deps, s, to);
  return {
    ...head,
    prevClosePrice: fmt8(st.prevClosePrice),
    lastPrice: ohlc.lastPrice,
    lastQty: fmt8(0),
    bidPrice: top.bidPrice,
    bidQty: top.bidQty,
    askPrice: top.askPrice,
    askQty: top.askQty,
    openPrice: ohlc.openPrice,
    highPrice: ohlc.highPrice,
    lowPrice: ohlc.lowPrice,
    ...tail,
  };
}

/** `windowSize` of `GET /api/v3/ticker` → ms: 1m..59m, 1h..23h, 1d..7d. */
function windowMs(v: string): number | null {
  const m = /^([1-9][0-9]?)([mhd])$/.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2];
  if (unit === 'm' && n <= 59) return n * 60_000;
  if (unit === 'h' && n <= 23) return n * 3_600_000;
  if (unit === 'd' && n <= 7) return n * 86_400_000;
  return null;
}

/** `timeZone` (rest-api.md klines): only UTC offsets of zero are served; other valid offsets are -1130. */
function checkTimeZone(v: string | undefined): void {
  if (v === undefined) return;
  const m = /^([+-]?)(\d{1,2})(?::(\d{2}))?$/.exec(v);
  if (!m || Number(m[2]) !== 0 || (m[3] !== undefined && Number(m[3]) !== 0))
    throw Errors.invalidParam('timeZone');
}

/** `limit` of a list endpoint: default `def`, 1..`max` (-1102 above, -1130 below 1). */
function limitParam(p: Params, def: number, max: number): number {
  const n = p.int('limit') ?? def;
  if (n > max) throw Errors.tooLarge('limit', max);
  if (n < 1) throw Errors.invalidParam('limit');
  return n;
}

/** startTime/endTime of allOrders/myTrades: at most 24 hours apart (rest-api.md notes; -1127). */
function timeRange(p: Params): { start?: number; end?: number } {
  const start = p.time('startTime');
  const end = p.time('endTime');
  if (start !== undefined && end !== undefined && end - start > 24 * 3_600_000) throw Errors.lookupTooBig(24);
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

/** Newest `limit` of an ascending list, or the oldest `limit` from a lower bound. */
function window<T>(items: T[], fromBound: boolean, limit: number): T[] {
  return fromBound ? items.slice(0, limit) : items.slice(-limit);
}

function newOrderOf(p: Params): NewOrder {
  const d = (n: string): Decimal | undefined => p.dec(n);
  return {
    symbol: p.req('symbol'),
    side: p.req('side') as Side,
    type: p.req('type'),
    ...(p.has('timeInForce') ? { timeInForce: p.req('timeInForce') } : {}),
    ...(d('quantity') ? { quantity: d('quantity') } : {}),
    ...(d('quoteOrderQty') ? { quoteOrderQty: d('quoteOrderQty') } : {}),
    ...(d('price') ? { price: d('price') } : {}),
    ...(p.has('newClientOrderId') ? { newClientOrderId: p.req('newClientOrderId') } : {}),
    ...(p.has('strategyId') ? { strategyId: p.int('strategyId') } : {}),
    ...(p.has('strategyType') ? { strategyType: p.int('strategyType') } : {}),
    ...(p.has('selfTradePreventionMode')
      ? { selfTradePreventionMode: p.req('selfTradePreventionMode') }
      : {}),
    ...(d('stopPrice') ? { stopPrice: d('stopPrice') } : {}),
    ...(p.has('trailingDelta') ? { trailingDelta: p.int('trailingDelta') } : {}),
    icebergQty: p.has('icebergQty'),
    pegPriceType: p.has('pegPriceType') || p.has('pegOffsetValue') || p.has('pegOffsetType'),
  };
}

const rate = (d: Decimal) => fmt8(d);
const ZERO8 = '0.00000000';

/** The `discount` object of the commission endpoints (rest-api.md "Query Commission Rates"). */
const discountOf = (acct: EmulatorAccount) => ({
  enabledForAccount: acct.payFeesInBnb,
  enabledForSymbol: true,
  discountAsset: DISCOUNT_ASSET,
  discount: fmt8(BNB_DISCOUNT),
});

// ---------------------------------------------------------------- the endpoints

/** The endpoints, bound to `deps`. */
export function buildEndpoints(deps: EndpointDeps): Endpoint[] {
  const { market, engine } = deps;

  const exchangeSymbol = (s: MarketSymbol, t: number, showPermissionSets: boolean) => ({
    symbol: s.symbol,
    status: market.status(s, t),
    baseAsset: s.baseAsset,
    baseAssetPrecision: 8,
    quoteAsset: s.quoteAsset,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: [...SUPPORTED_ORDER_TYPES],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    opoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: false,
    amendAllowed: false,
    pegInstructionsAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: s.filters,
    permissions: [],
    permissionSets: showPermissionSets ? [['SPOT']] : [],
    defaultSelfTradePreventionMode: 'NONE',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  });

  const klines: Endpoint['handle'] = (ctx) => {
    const p = ctx.params;
    const s = engine.listedSymbol(p.req('symbol'));
    checkTimeZone(p.str('timeZone'));
    const limit = limitParam(p, 500, 1000);
    const startTime = p.time('startTime');
    const endTime = p.time('endTime');
    return market.klines(s, p.req('interval'), ctx.now, {
      limit,
      ...(startTime !== undefined ? { startTime } : {}),
      ...(endTime !== undefined ? { endTime } : {}),
    });
  };
  const klineParams: ParamSpecs = {
    symbol: SYMBOL_M,
    interval: {
      kind: 'ENUM',
      mandatory: true,
      values: [...INTERVALS.keys()],
      invalid: Errors.badInterval,
    },
    startTime: LONG,
    endTime: LONG,
    timeZone: { kind: 'STRING' },
    limit: INT,
  };

  const account = (ctx: RequestContext): EmulatorAccount => {
    if (!ctx.account) throw new Error('signed endpoint without an account');
    return ctx.account;
  };

  const placeOrder = (ctx: RequestContext, test: boolean) => {
    const acct = account(ctx);
    const p = ctx.params;
    const o = newOrderOf(p);
    if (!test) {
      const used10s = deps.orders10s.used(acct.apiKey, ctx.now);
      if (used10s >= deps.orderLimit10s) {
        throw Errors.tooManyOrders(deps.orderLimit10s, '10 SECOND', deps.orders10s.retryAfterSec(ctx.now));
      }
      if (deps.ordersDay.used(acct.apiKey, ctx.now) >= deps.orderLimitDay) {
        throw Errors.tooManyOrders(deps.orderLimitDay, '1 DAY', deps.ordersDay.retryAfterSec(ctx.now));
      }
    }
    const order = engine.placeOrder(acct, o, test);
    if (test || !order) {
      if (!p.bool('computeCommissionRates')) return {};
      const zeros = { maker: ZERO8, taker: ZERO8 };
      return {
        standardCommissionForOrder: { maker: rate(acct.makerCommission), taker: rate(acct.takerCommission) },
        specialCommissionForOrder: zeros,
        taxCommissionForOrder: zeros,
        discount: discountOf(acct),
      };
    }
    // The ORDERS limits count unfilled orders (rest-api.md "Unfilled Order Count": "if your orders are
    // consistently filled by trades, you can continuously place orders"): an order that fills when it is
    // placed adds one and takes it away again.
    const unfilled = order.status === 'FILLED' ? 0 : 1;
    deps.orders10s.add(acct.apiKey, unfilled, ctx.now);
    deps.ordersDay.add(acct.apiKey, unfilled, ctx.now);
    const respType =
      p.str('newOrderRespType') ?? (o.type === 'MARKET' || o.type === 'LIMIT' ? 'FULL' : 'ACK');
    return respType === 'ACK'
      ? orderAck(order)
      : respType === 'RESULT'
        ? orderResult(order)
        : orderFull(order);
  };

  const requireOrderRef = (p: Params) => {
    if (!p.has('orderId') && !p.has('origClientOrderId'))
      throw Errors.eitherOf('origClientOrderId', 'orderId');
  };

  return [
    {
      method: 'GET',
      path: '/api/v3/ping',
      signed: false,
      params: {},
      weight: () => 1,
      handle: () => ({}),
    },
    {
      method: 'GET',
      path: '/api/v3/time',
      signed: false,
      params: {},
      weight: () => 1,
      handle: (ctx) => ({ serverTime: ctx.now }),
    },
    {
      method: 'GET',
      path: '/api/v3/exchangeInfo',
      signed: false,
      params: {
        symbol: SYMBOL,
        symbols: SYMBOLS,
        permissions: { kind: 'PERMISSIONS' },
        showPermissionSets: BOOLEAN,
        symbolStatus: STATUS,
      },
      weight: () => 20,
      handle: (ctx) => {
        const p = ctx.params;
        const named = p.has('symbol') || p.has('symbols');
        if (named && (p.has('permissions') || p.has('symbolStatus'))) throw Errors.badCombo();
        let list = selectSymbols(ctx, deps) ?? market.listed(ctx.now);
        const perms = p.list('permissions');
        if (perms) {
          if (perms.some((x) => !PERMISSIONS.has(x))) throw Errors.invalidParam('permissions');
          if (!perms.includes('SPOT')) list = [];
        }
        const status = p.str('symbolStatus');
        if (status !== undefined) list = list.filter((s) => market.status(s, ctx.now) === status);
        const show = p.bool('showPermissionSets') ?? true;
        return {
          timezone: 'UTC',
          serverTime: ctx.now,
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: deps.weightLimit },
            { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: deps.orderLimit10s },
            { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: deps.orderLimitDay },
            { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
          ],
          exchangeFilters: [],
          symbols: list.map((s) => exchangeSymbol(s, ctx.now, show)),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/depth',
      signed: false,
      params: { symbol: SYMBOL_M, limit: INT, symbolStatus: STATUS },
      weight: (raw) => {
        const l = Math.min(intOr(raw, 'limit', 100), 5000);
        return l <= 100 ? 5 : l <= 500 ? 25 : l <= 1000 ? 50 : 250;
      },
      handle: (ctx) => {
        const s = engine.listedSymbol(ctx.params.req('symbol'));
        byStatus(ctx, deps, true, [s]);
        const limit = Math.min(ctx.params.int('limit') ?? 100, 5000);
        if (limit < 1) throw Errors.invalidParam('limit');
        return market.depth(s, ctx.now, limit);
      },
    },
    {
      method: 'GET',
      path: '/api/v3/klines',
      signed: false,
      params: klineParams,
      weight: () => 2,
      handle: klines,
    },
    {
      method: 'GET',
      path: '/api/v3/uiKlines',
      signed: false,
      params: klineParams,
      weight: () => 2,
      handle: klines,
    },
    {
      method: 'GET',
      path: '/api/v3/avgPrice',
      signed: false,
      params: { symbol: SYMBOL_M },
      weight: () => 2,
      handle: (ctx) => {
        const s = engine.listedSymbol(ctx.params.req('symbol'));
        return { mins: 5, price: fmt8(market.price(s, ctx.now) ?? 0), closeTime: ctx.now };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/price',
      signed: false,
      params: { symbol: SYMBOL, symbols: SYMBOLS, symbolStatus: STATUS },
      weight: (raw) => (raw.has('symbol') ? 2 : 4),
      handle: (ctx) =>
        perSymbol(ctx, deps, (s) => {
          const p = market.price(s, ctx.now);
          return p ? { symbol: s.symbol, price: fmt8(p) } : null;
        }),
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/bookTicker',
      signed: false,
      params: { symbol: SYMBOL, symbols: SYMBOLS, symbolStatus: STATUS },
      weight: (raw) => (raw.has('symbol') ? 2 : 4),
      handle: (ctx) => perSymbol(ctx, deps, (s) => ({ symbol: s.symbol, ...bookTop(deps, s, ctx.now) })),
    },
    {
      method: 'GET',
      path: '/api/v3/ticker/24hr',
      signed: false,
      params: { symbol: SYMBOL, symbols: SYMBOLS, type: TICKER_TYPE, symbolStatus: STATUS },
      weight: (raw) => {
        if (raw.has('symbol')) return 2;
        const n = symbolsCount(raw);
        return n === 0 ? 80 : n <= 20 ? 2 : n <= 100 ? 40 : 80;
      },
      handle: (ctx) => {
        const type = (ctx.params.str('type') ?? 'FULL') as 'FULL' | 'MINI';
        const from = ctx.now - 86_400_000;
        return perSymbol(ctx, deps, (s) =>
          tickerJson(deps, s, market.windowStats(s, from, ctx.now), from, ctx.now, type),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/v3/ticker',
      signed: false,
      params: {
        symbol: SYMBOL,
        symbols: SYMBOLS,
        windowSize: { kind: 'STRING' },
        type: TICKER_TYPE,
        symbolStatus: STATUS,
      },
      weight: (raw) => Math.min(4 * Math.max(1, raw.has('symbol') ? 1 : symbolsCount(raw)), 200),
      handle: (ctx) => {
        const p = ctx.params;
        if (!p.has('symbol') && !p.has('symbols')) throw Errors.eitherOf('symbol', 'symbols');
        if ((p.list('symbols')?.length ?? 0) > 100) throw Errors.tooLarge('symbols', 100);
        const w = windowMs(p.str('windowSize') ?? '1d');
        if (w === null) throw Errors.invalidParam('windowSize');
        // openTime starts on a minute; closeTime is the request time (rest-api.md "Rolling window …").
        const from = Math.floor((ctx.now - w) / 60_000) * 60_000;
        const type = p.str('type') === 'MINI' ? 'MINI' : 'ROLLING';
        return perSymbol(ctx, deps, (s) =>
          tickerJson(deps, s, market.windowStats(s, from, ctx.now), from, ctx.now, type),
        );
      },
    },
    // ------------------------------------------------------------ SIGNED
    {
      method: 'GET',
      path: '/api/v3/account',
      signed: true,
      params: { omitZeroBalances: BOOLEAN },
      weight: () => 20,
      handle: (ctx) => {
        const acct = account(ctx);
        const omit = ctx.params.bool('omitZeroBalances') ?? false;
        const bps = (d: Decimal) => Math.round(d.times(10_000).toNumber());
        const balances = acct.exchange
          .allBalancesSync()
          .filter((b) => !omit || !(dec(b.free).isZero() && dec(b.locked).isZero()))
          .map((b) => ({ asset: b.asset, free: fmt8(b.free), locked: fmt8(b.locked) }));
        return {
          makerCommission: bps(acct.makerCommission),
          takerCommission: bps(acct.takerCommission),
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: {
            maker: rate(acct.makerCommission),
            taker: rate(acct.takerCommission),
            buyer: ZERO8,
            seller: ZERO8,
          },
          canTrade: true,
          canWithdraw: true,
          canDeposit: true,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: acct.updateTime,
          accountType: 'SPOT',
          balances,
          permissions: ['SPOT'],
          uid: acct.uid,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/account/commission',
      signed: true,
      params: { symbol: SYMBOL_M },
      weight: () => 20,
      handle: (ctx) => {
        const acct = account(ctx);
        const s = engine.listedSymbol(ctx.params.req('symbol'));
        const zeros = { maker: ZERO8, taker: ZERO8, buyer: ZERO8, seller: ZERO8 };
        return {
          symbol: s.symbol,
          standardCommission: {
            maker: rate(acct.makerCommission),
            taker: rate(acct.takerCommission),
            buyer: ZERO8,
            seller: ZERO8,
          },
          specialCommission: zeros,
          taxCommission: zeros,
          discount: discountOf(acct),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v3/order',
      signed: true,
      params: ORDER_PARAMS,
      weight: () => 1,
      placesOrders: true,
      handle: (ctx) => placeOrder(ctx, false),
    },
    {
      method: 'POST',
      path: '/api/v3/order/test',
      signed: true,
      params: { ...ORDER_PARAMS, computeCommissionRates: BOOLEAN },
      weight: (raw) => (raw.get('computeCommissionRates')?.toLowerCase() === 'true' ? 20 : 1),
      handle: (ctx) => placeOrder(ctx, true),
    },
    {
      method: 'GET',
      path: '/api/v3/order',
      signed: true,
      params: { symbol: SYMBOL_M, orderId: LONG, origClientOrderId: CID },
      weight: () => 4,
      handle: (ctx) => {
        const p = ctx.params;
        const s = engine.listedSymbol(p.req('symbol'));
        requireOrderRef(p);
        const o = engine.findOrder(account(ctx), s.symbol, p.int('orderId'), p.str('origClientOrderId'));
        if (!o) throw Errors.noSuchOrder();
        return orderDetails(o);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v3/order',
      signed: true,
      params: {
        symbol: SYMBOL_M,
        orderId: LONG,
        origClientOrderId: CID,
        newClientOrderId: CID,
        cancelRestrictions: {
          kind: 'ENUM',
          values: ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'],
          invalid: Errors.invalidCancelRestrictions,
        },
      },
      weight: () => 1,
      handle: (ctx) => {
        const p = ctx.params;
        const s = engine.listedSymbol(p.req('symbol'));
        requireOrderRef(p);
        const o = engine.cancel(
          account(ctx),
          s.symbol,
          p.int('orderId'),
          p.str('origClientOrderId'),
          p.str('cancelRestrictions'),
        );
        return orderCanceled(o, p.str('newClientOrderId') ?? generateClientOrderId());
      },
    },
    {
      method: 'DELETE',
      path: '/api/v3/openOrders',
      signed: true,
      params: { symbol: SYMBOL_M },
      weight: () => 1,
      handle: (ctx) => {
        const s = engine.listedSymbol(ctx.params.req('symbol'));
        return engine.cancelAll(account(ctx), s.symbol).map((o) => orderCanceled(o, generateClientOrderId()));
      },
    },
    {
      method: 'GET',
      path: '/api/v3/openOrders',
      signed: true,
      params: { symbol: SYMBOL },
      weight: (raw) => (raw.has('symbol') ? 6 : 80),
      handle: (ctx) => {
        const sym = ctx.params.str('symbol');
        if (sym !== undefined) engine.listedSymbol(sym);
        return account(ctx).openOrders(sym).map(orderDetails);
      },
    },
    {
      method: 'GET',
      path: '/api/v3/allOrders',
      signed: true,
      params: { symbol: SYMBOL_M, orderId: LONG, startTime: LONG, endTime: LONG, limit: INT },
      weight: () => 20,
      handle: (ctx) => {
        const p = ctx.params;
        const s = engine.listedSymbol(p.req('symbol'));
        const limit = limitParam(p, 500, 1000);
        const { start, end } = timeRange(p);
        const fromId = p.int('orderId');
        const list = account(ctx).orders.filter(
          (o) =>
            o.symbol === s.symbol &&
            (fromId === undefined || o.orderId >= fromId) &&
            (start === undefined || o.time >= start) &&
            (end === undefined || o.time <= end),
        );
        list.sort((a, b) => a.orderId - b.orderId);
        return window(list, fromId !== undefined || start !== undefined, limit).map(orderDetails);
      },
    },
    {
      method: 'GET',
      path: '/api/v3/myTrades',
      signed: true,
      params: { symbol: SYMBOL_M, orderId: LONG, startTime: LONG, endTime: LONG, fromId: LONG, limit: INT },
      weight: (raw) => (raw.has('orderId') ? 5 : 20),
      handle: (ctx) => {
        const p = ctx.params;
        const s = engine.listedSymbol(p.req('symbol'));
        // Supported combinations (rest-api.md "Account trade list"): fromId not with times; orderId
        // only alone or with fromId.
        const hasTime = p.has('startTime') || p.has('endTime');
        if ((p.has('fromId') && hasTime) || (p.has('orderId') && hasTime)) throw Errors.badCombo();
        const limit = limitParam(p, 500, 1000);
        const { start, end } = timeRange(p);
        const orderId = p.int('orderId');
        const fromId = p.int('fromId');
        const list = account(ctx).trades.filter(
          (t) =>
            t.symbol === s.symbol &&
            (orderId === undefined || t.orderId === orderId) &&
            (fromId === undefined || t.id >= fromId) &&
            (start === undefined || t.time >= start) &&
            (end === undefined || t.time <= end),
        );
        list.sort((a, b) => a.id - b.id);
        return window(list, fromId !== undefined || start !== undefined, limit).map(myTrade);
      },
    },
    {
      method: 'GET',
      path: '/api/v3/rateLimit/order',
      signed: true,
      params: {},
      weight: () => 40,
      handle: (ctx) => {
        const acct = account(ctx);
        return [
          {
            rateLimitType: 'ORDERS',
            interval: 'SECOND',
            intervalNum: 10,
            limit: deps.orderLimit10s,
            count: deps.orders10s.used(acct.apiKey, ctx.now),
          },
          {
            rateLimitType: 'ORDERS',
            interval: 'DAY',
            intervalNum: 1,
            limit: deps.orderLimitDay,
            count: deps.ordersDay.used(acct.apiKey, ctx.now),
          },
        ];
      },
    },
  ];
}
