/**
 * The exchange error taxonomy and response validation of the Binance adapter, on the error shapes
 * binance-api-node produces (http-client.js `sendResult`: a JSON body → Error(msg) with `.code` and
 * `.url`; an HTML body → Error("<status> <statusText> <text>"); json-bigint's plain SyntaxError object;
 * node-fetch's FetchError with `type: 'system'` and `.code`). Codes and their meaning: errors.md.
 */
import { describe, expect, it } from 'vitest';
import { classifyError, sanitize } from '../../../src/adapters/binance/errors.ts';
import { accountSchema, orderSchema, parseResponse } from '../../../src/adapters/binance/schemas.ts';

const libError = (code: number, msg: string) =>
  Object.assign(new Error(msg), {
    code,
    url: 'https://testnet.binance.vision/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=abcdef0123456789',
  });

describe('classifyError', () => {
  it.each([
    [-1013, 'Filter failure: NOTIONAL', true, 'rejected'],
    [-2010, 'Account has insufficient balance for requested action.', true, 'rejected'],
    [-1121, 'Invalid symbol.', false, 'rejected'],
    [-2015, 'Invalid API-key, IP, or permissions for action.', false, 'auth'],
    [-1022, 'Signature for this request is not valid.', true, 'auth'],
    [-1021, 'Timestamp for this request is outside of the recvWindow.', true, 'retryable'],
    [
      -1003,
      'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.',
      false,
      'retryable',
    ],
    [-1003, 'Way too much request weight used; IP banned until 1700000000000.', false, 'banned'],
    [
      -1007,
      'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
      true,
      'unknown_outcome',
    ],
    [-1007, 'Timeout waiting for response from backend server.', false, 'retryable'],
    [-1001, 'Internal error; unable to process your request. Please try again.', true, 'unknown_outcome'],
  ])('Binance %i "%s" (write=%s) → %s', (code, msg, write, kind) => {
    const e = classifyError(libError(code, msg), 'POST /api/v3/order', { write, symbol: 'BTCUSDT' });
    expect(e.kind).toBe(kind);
    expect(e.code).toBe(code);
    expect(e.message).toContain('POST /api/v3/order BTCUSDT');
    expect(e.message).toContain(String(code));
    expect(e.message).not.toContain('signature');
  });

  it('an HTML 502 page is retryable for a read, unknown outcome for an order, and names the status', () => {
    const html = Object.assign(
      new Error('502 Bad Gateway <html><body><h1>502 Bad Gateway</h1></body></html>'),
      {
        response: { url: 'https://x/api/v3/order?signature=deadbeef' },
      },
    );
    expect(classifyError(html, 'GET /api/v3/account', { write: false }).kind).toBe('retryable');
    const w = classifyError(html, 'POST /api/v3/order', { write: true });
    expect(w.kind).toBe('unknown_outcome');
    expect(w.httpStatus).toBe(502);
    expect(w.message).toMatch(/HTTP 502 with a non-JSON body/);
  });

  it('HTTP 418 without JSON is a ban; 403 (WAF) is auth', () => {
    expect(
      classifyError(new Error("418 I'm a teapot banned"), 'GET /api/v3/klines', { write: false }).kind,
    ).toBe('banned');
    expect(
      classifyError(new Error('403 Forbidden <html>'), 'GET /api/v3/klines', { write: false }).kind,
    ).toBe('auth');
  });

  it('network errors: refused = not sent (retryable even for orders); reset = unknown outcome', () => {
    const refused = Object.assign(
      new Error('request to http://127.0.0.1:1/api/v3/order failed, reason: connect ECONNREFUSED'),
      {
        type: 'system',
        code: 'ECONNREFUSED',
      },
    );
    expect(classifyError(refused, 'POST /api/v3/order', { write: true }).kind).toBe('retryable');
    const reset = Object.assign(new Error('socket hang up'), { type: 'system', code: 'ECONNRESET' });
    expect(classifyError(reset, 'POST /api/v3/order', { write: true }).kind).toBe('unknown_outcome');
  });

  it("json-bigint's SyntaxError (a 200 with an HTML body) is an invalid response, without the body", () => {
    const e = classifyError(
      { name: 'SyntaxError', message: "Unexpected '<'", at: 1, text: '<html>secret</html>' },
      'GET /api/v3/time',
      {
        write: false,
      },
    );
    expect(e.kind).toBe('invalid_response');
    expect(e.message).not.toContain('secret');
  });

  it('sanitize removes signatures, signed query strings and given secrets', () => {
    const out = sanitize(
      'GET http://h/api/v3/account?timestamp=1&signature=abc123 failed for key MYKEY1234',
      ['MYKEY1234'],
    );
    expect(out).not.toContain('abc123');
    expect(out).not.toContain('MYKEY1234');
    expect(out).toContain('<redacted>');
  });
});

describe('parseResponse', () => {
  it('names the endpoint and the field of a NaN or negative decimal', () => {
    const body = {
      canTrade: true,
      balances: [
        { asset: 'BTC', free: '1', locked: '0' },
        { asset: 'USDT', free: 'NaN', locked: '0' },
      ],
    };
    expect(() => parseResponse(accountSchema, body, 'GET /api/v3/account')).toThrow(
      /GET \/api\/v3\/account: invalid response: field balances\[1\]\.free: expected a non-negative decimal string, got "NaN"/,
    );
    const neg = { ...body, balances: [{ asset: 'BTC', free: '-1', locked: '0' }] };
    expect(() => parseResponse(accountSchema, neg, 'GET /api/v3/account')).toThrow(/balances\[0\]\.free/);
  });

  it('names a missing field', () => {
    const order = {
      symbol: 'BTCUSDT',
      orderId: 1,
      clientOrderId: 'x',
      status: 'FILLED',
      side: 'BUY',
      executedQty: '1',
    };
    expect(() => parseResponse(orderSchema, order, 'POST /api/v3/order', 'BTCUSDT')).toThrow(
      /POST \/api\/v3\/order BTCUSDT: invalid response: field cummulativeQuoteQty/,
    );
  });

  it('accepts the FULL order response example of rest-api.md "New order"', () => {
    const example = {
      symbol: 'BTCUSDT',
      orderId: 28,
      orderListId: -1,
      clientOrderId: '6gCrw2kRUAF9CvJDGP16IP',
      transactTime: 1507725176595,
      price: '0.00000000',
      origQty: '10.00000000',
      executedQty: '10.00000000',
      origQuoteOrderQty: '0.000000',
      cummulativeQuoteQty: '10.00000000',
      status: 'FILLED',
      timeInForce: 'GTC',
      type: 'MARKET',
      side: 'SELL',
      workingTime: 1507725176595,
      selfTradePreventionMode: 'NONE',
      fills: [
        {
          price: '4000.00000000',
          qty: '1.00000000',
          commission: '4.00000000',
          commissionAsset: 'USDT',
          tradeId: 56,
        },
      ],
    };
    const parsed = parseResponse(orderSchema, example, 'POST /api/v3/order');
    expect(parsed.fills?.[0]?.tradeId).toBe(56);
  });
});
