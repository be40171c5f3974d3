/**
 * zod schemas of the Binance spot REST responses the adapter reads (../shared/spec/binance/rest-api.md,
 * spot_api.yaml), and {@link parseResponse}, which turns a failure into an error naming the endpoint and
 * the field. Only the fields we use are required; unknown fields are allowed (Binance adds fields).
 * Decimals stay strings and must be plain non-negative decimals: `NaN`, `-1`, `1e5` and empty strings fail.
 */
import { z } from 'zod';
import type { Candle } from '../../domain/types.ts';
import { ExchangeError } from './errors.ts';

/** A non-negative plain decimal string as Binance sends prices and quantities: `"0.00100000"`. */
export const decimalString = z.string({ error: 'expected a decimal string' }).regex(/^\d+(\.\d+)?$/, {
  error: (iss) => `expected a non-negative decimal string, got ${JSON.stringify(iss.input)}`,
});

/** A non-negative integer (ids, times in UTC ms). json-bigint may hand big ones over as objects. */
const nonNegInt = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && 'toFixed' in v ? Number(String(v)) : v),
  z
    .number({ error: (iss) => `expected a number, got ${JSON.stringify(iss.input)}` })
    .int()
    .nonnegative(),
);

export const serverTimeSchema = z.object({ serverTime: nonNegInt });

const filterSchema = z.looseObject({ filterType: z.string() });

export const exchangeInfoSchema = z.looseObject({
  serverTime: nonNegInt,
  symbols: z.array(
    z.looseObject({
      symbol: z.string().regex(/^[A-Z0-9-_.]{1,30}$/),
      status: z.string(),
      baseAsset: z.string().min(1),
      quoteAsset: z.string().min(1),
      filters: z.array(filterSchema),
    }),
  ),
});
export type ExchangeInfoResponse = z.infer<typeof exchangeInfoSchema>;

/** One kline row: `[openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, …]`. */
export const klineRowSchema = z
  .tuple([
    nonNegInt,
    decimalString,
    decimalString,
    decimalString,
    decimalString,
    decimalString,
    nonNegInt,
    decimalString,
    nonNegInt,
  ])
  .rest(z.unknown());
export const klinesSchema = z.array(klineRowSchema);

/** A validated kline row as our `Candle` (decimal strings as Binance sent them; times UTC ms). */
export function candleOfRow(r: z.infer<typeof klineRowSchema>): Candle {
  return {
    openTime: r[0],
    open: r[1],
    high: r[2],
    low: r[3],
    close: r[4],
    volume: r[5],
    quoteVolume: r[7],
    trades: r[8],
  };
}

export const tickerPricesSchema = z.array(z.looseObject({ symbol: z.string(), price: decimalString }));

export const ticker24hSchema = z.array(
  z.looseObject({
    symbol: z.string(),
    lastPrice: decimalString,
    volume: decimalString,
    quoteVolume: decimalString,
    openTime: nonNegInt,
    closeTime: nonNegInt,
  }),
);

export const accountSchema = z.looseObject({
  canTrade: z.boolean(),
  balances: z.array(z.looseObject({ asset: z.string().min(1), free: decimalString, locked: decimalString })),
  commissionRates: z.looseObject({ maker: decimalString, taker: decimalString }).optional(),
});

const fillSchema = z.looseObject({
  price: decimalString,
  qty: decimalString,
  commission: decimalString,
  commissionAsset: z.string().min(1),
  tradeId: nonNegInt,
});

/** POST /api/v3/order with newOrderRespType=FULL, and GET /api/v3/order (no fills). */
export const orderSchema = z.looseObject({
  symbol: z.string(),
  orderId: nonNegInt,
  clientOrderId: z.string(),
  transactTime: nonNegInt.optional(),
  updateTime: nonNegInt.optional(),
  time: nonNegInt.optional(),
  status: z.enum([
    'NEW',
    'PENDING_NEW',
    'PARTIALLY_FILLED',
    'FILLED',
    'CANCELED',
    'PENDING_CANCEL',
    'REJECTED',
    'EXPIRED',
    'EXPIRED_IN_MATCH',
  ]),
  side: z.enum(['BUY', 'SELL']),
  executedQty: decimalString,
  cummulativeQuoteQty: decimalString,
  fills: z.array(fillSchema).optional(),
});
export type OrderResponse = z.infer<typeof orderSchema>;

/** `GET /api/v3/openOrders`: open orders with their type and stop price (trading-endpoints.md "Current open orders"). */
export const openOrdersSchema = z.array(
  orderSchema.extend({
    type: z.string(),
    origQty: decimalString,
    stopPrice: decimalString.optional(),
  }),
);

export const myTradesSchema = z.array(
  z.looseObject({
    symbol: z.string(),
    id: nonNegInt,
    orderId: nonNegInt,
    price: decimalString,
    qty: decimalString,
    quoteQty: decimalString,
    commission: decimalString,
    commissionAsset: z.string().min(1),
    time: nonNegInt,
  }),
);

/**
 * Validates `body` against `schema`.
 * @throws ExchangeError (`invalid_response`) naming the endpoint, the first failing field path and why,
 *   e.g. `GET /api/v3/account: invalid response: field balances[2].free: expected a non-negative decimal string, got "NaN"`.
 */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  body: unknown,
  endpoint: string,
  symbol: string | null = null,
): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field =
    issue && issue.path.length > 0
      ? (klineField(schema, body, issue.path) ??
        issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join(''))
      : '(body)';
  throw new ExchangeError(
    `${endpoint}${symbol ? ` ${symbol}` : ''}: invalid response: field ${field}: ${issue?.message ?? 'invalid'}; nothing further is sent`,
    'invalid_response',
    endpoint,
    null,
    symbol,
  );
}

/** The columns of a kline row (rest-api.md "Kline/Candlestick data"), by position. */
const KLINE_COLUMNS = [
  'openTime',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'closeTime',
  'quoteVolume',
  'trades',
];

/**
 * A failing kline cell named as the positive-price check names it (issue 14.2): `[23].close (openTime
 * 2021-02-21)` instead of `[23][4]`; the row's open time as its UTC day (with the time when not 00:00).
 * @returns null when `schema` is not {@link klinesSchema} or the path is not one of a row's named cells.
 */
function klineField(schema: z.ZodType, body: unknown, path: readonly PropertyKey[]): string | null {
  const [row, col] = path;
  const name = typeof col === 'number' ? KLINE_COLUMNS[col] : undefined;
  if (schema !== klinesSchema || path.length !== 2 || typeof row !== 'number' || !name) return null;
  const cells: unknown = Array.isArray(body) ? body[row] : undefined;
  const t = Array.isArray(cells) ? cells[0] : undefined;
  const iso = typeof t === 'number' && Number.isFinite(t) && t >= 0 ? new Date(t).toISOString() : null;
  const when = iso ? ` (openTime ${iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso})` : '';
  return `[${row}].${name}${when}`;
}
