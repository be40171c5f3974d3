/**
 * JSON shapes of the emulator's trading and account responses, field for field as rest-api.md shows them
 * (and spot_api.yaml `orderResponseAck` / `orderResponseResult` / `orderResponseFull` / `orderDetails` /
 * `order` / `myTrade`): decimals as 8-decimal strings, times as UTC ms integers, `orderListId` -1.
 */
import { fmt8 } from './format.ts';
import type { OrderRecord, TradeRecord } from './trading.ts';

type Json = Record<string, unknown>;

const strategy = (o: OrderRecord): Json => ({
  ...(o.strategyId !== undefined ? { strategyId: o.strategyId } : {}),
  ...(o.strategyType !== undefined ? { strategyType: o.strategyType } : {}),
});

/** `stopPrice` / `trailingDelta` (rest-api.md "Conditional fields in Order Responses") of a stop order. */
const stopFields = (o: OrderRecord): Json => ({
  ...(o.type === 'STOP_LOSS' || o.type === 'TAKE_PROFIT' ? { stopPrice: fmt8(o.stopPrice ?? 0) } : {}),
  ...(o.trailingDelta !== undefined ? { trailingDelta: o.trailingDelta } : {}),
});

const expiry = (o: OrderRecord): Json => (o.expiryReason ? { expiryReason: o.expiryReason } : {});

/** The fields a RESULT and a cancel response share, in rest-api.md's order: price, quantities, status, type. */
const orderState = (o: OrderRecord): Json => ({
  price: fmt8(o.price),
  origQty: fmt8(o.origQty),
  executedQty: fmt8(o.executedQty),
  origQuoteOrderQty: fmt8(o.origQuoteOrderQty),
  cummulativeQuoteQty: fmt8(o.cummulativeQuoteQty),
  status: o.status,
  timeInForce: o.timeInForce,
  type: o.type,
  side: o.side,
  ...strategy(o),
  ...stopFields(o),
});

/** `newOrderRespType=ACK` (rest-api.md "New order", Response - ACK). */
export function orderAck(o: OrderRecord): Json {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    transactTime: o.time,
  };
}

/** `newOrderRespType=RESULT` (Response - RESULT). */
export function orderResult(o: OrderRecord): Json {
  return {
    ...orderAck(o),
    ...orderState(o),
    workingTime: o.workingTime,
    selfTradePreventionMode: o.selfTradePreventionMode,
    ...expiry(o),
  };
}

/** `newOrderRespType=FULL` (Response - FULL): RESULT plus `fills`. */
export function orderFull(o: OrderRecord): Json {
  return {
    ...orderResult(o),
    fills: o.fills.map((f) => ({
      price: fmt8(f.price),
      qty: fmt8(f.qty),
      commission: fmt8(f.commission),
      commissionAsset: f.commissionAsset,
      tradeId: f.id,
    })),
  };
}

/** An order as `GET /api/v3/order`, `openOrders` and `allOrders` show it (rest-api.md "Query order"). */
export function orderDetails(o: OrderRecord): Json {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: fmt8(o.price),
    origQty: fmt8(o.origQty),
    executedQty: fmt8(o.executedQty),
    cummulativeQuoteQty: fmt8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: fmt8(o.stopPrice ?? 0),
    icebergQty: fmt8(0),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.workingTime !== -1,
    workingTime: o.workingTime,
    ...stopFields(o),
    origQuoteOrderQty: fmt8(o.origQuoteOrderQty),
    selfTradePreventionMode: o.selfTradePreventionMode,
    ...strategy(o),
    ...expiry(o),
  };
}

/** A canceled order (rest-api.md "Cancel order" response). */
export function orderCanceled(o: OrderRecord, cancelClientOrderId: string): Json {
  return {
    symbol: o.symbol,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: cancelClientOrderId,
    transactTime: o.updateTime,
    ...orderState(o),
    selfTradePreventionMode: o.selfTradePreventionMode,
  };
}

/** A trade as `GET /api/v3/myTrades` shows it (rest-api.md "Account trade list"). */
export function myTrade(t: TradeRecord): Json {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: -1,
    price: fmt8(t.price),
    qty: fmt8(t.qty),
    quoteQty: fmt8(t.quoteQty),
    commission: fmt8(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}
