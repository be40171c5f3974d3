/**
 * The consistency checks of order responses and prices (response-checks.ts), on hand-made responses with
 * hand-computed sums. Two fills: 0.3 at 10.01 and 0.2 at 10.02 → executedQty 0.5, quote
 * 3.003 + 2.004 = 5.007; Binance prints 8 decimals, so a cummulativeQuoteQty within 1e-8 per fill + 1e-8
 * (3e-8 here) of 5.007 is a rounding, beyond it an inconsistency.
 */
import { describe, expect, it } from 'vitest';
import { classifyError, ExchangeError, gaveUp } from '../../../src/adapters/binance/errors.ts';
import { checkOrderResponse, checkPositivePrice } from '../../../src/adapters/binance/response-checks.ts';

const EP = 'POST /api/v3/order';
const fills = [
  { price: '10.01', qty: '0.3' },
  { price: '10.02', qty: '0.2' },
];
const order = (over: Partial<{ status: string; executedQty: string; cummulativeQuoteQty: string }> = {}) => ({
  symbol: 'ABCUSDT',
  status: 'FILLED',
  executedQty: '0.50000000',
  cummulativeQuoteQty: '5.00700000',
  ...over,
});
const message = (f: () => void) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExchangeError);
    expect((e as ExchangeError).kind).toBe('invalid_response');
    return (e as ExchangeError).message;
  }
  return null;
};

describe('checkOrderResponse', () => {
  it('accepts consistent fills, and a cummulativeQuoteQty off by up to 3e-8 (8-decimal rounding)', () => {
    expect(message(() => checkOrderResponse(order(), EP, fills))).toBeNull();
    expect(
      message(() => checkOrderResponse(order({ cummulativeQuoteQty: '5.00700003' }), EP, fills)),
    ).toBeNull();
    expect(
      message(() => checkOrderResponse(order({ cummulativeQuoteQty: '5.00699997' }), EP, fills)),
    ).toBeNull();
  });

  it('rejects a cummulativeQuoteQty 4e-8 off', () => {
    expect(message(() => checkOrderResponse(order({ cummulativeQuoteQty: '5.00700004' }), EP, fills))).toBe(
      'POST /api/v3/order ABCUSDT: invalid response: field cummulativeQuoteQty: 5.00700004 but the fills add up to 5.007 (tolerance 0.00000003); nothing further is sent',
    );
  });

  it('rejects fills that do not add up to executedQty, FILLED with 0, and a quote of 0 for an executed order', () => {
    expect(message(() => checkOrderResponse(order({ executedQty: '0.6' }), EP, fills))).toMatch(
      /field fills\[\]\.qty: the fills add up to 0\.5 but executedQty is 0\.6/,
    );
    expect(message(() => checkOrderResponse(order({ executedQty: '0' }), EP, undefined))).toMatch(
      /field executedQty: status FILLED with executedQty 0/,
    );
    expect(
      message(() =>
        checkOrderResponse(order({ status: 'EXPIRED', cummulativeQuoteQty: '0' }), EP, undefined),
      ),
    ).toMatch(/field cummulativeQuoteQty: 0 although executedQty is 0\.50000000/);
  });

  it('an EXPIRED order that executed nothing is consistent', () => {
    expect(
      message(() =>
        checkOrderResponse(order({ status: 'EXPIRED', executedQty: '0', cummulativeQuoteQty: '0' }), EP, []),
      ),
    ).toBeNull();
  });
});

describe('checkPositivePrice and gaveUp', () => {
  it('0 and 0.00000000 are not prices; 0.00000001 is', () => {
    expect(
      message(() => checkPositivePrice('0.00000000', 'GET /api/v3/ticker/price', 'ABCUSDT', 'price')),
    ).toBe(
      'GET /api/v3/ticker/price ABCUSDT: invalid response: field price: "0.00000000" is not a positive price; nothing further is sent',
    );
    expect(
      message(() => checkPositivePrice('0.00000001', 'GET /api/v3/ticker/price', 'ABCUSDT', 'price')),
    ).toBeNull();
  });

  it('gaveUp keeps the endpoint and symbol in front and says how many attempts', () => {
    const last = classifyError(
      Object.assign(new Error('Too much request weight used.'), { code: -1003 }),
      'GET /api/v3/klines',
      { write: false, symbol: 'BTCUSDT' },
    );
    expect(gaveUp(last, 5).message).toBe(
      'GET /api/v3/klines BTCUSDT: gave up after 5 attempts: Binance -1003 Too much request weight used. (rate limit)',
    );
  });
});
