/**
 * SIGNED request security per rest-api.md "Request Security", "Timing security" and "SIGNED Endpoint
 * Examples" (HMAC and Ed25519), with the error codes/messages of errors.md (-1021, -1022, -1102,
 * -2014, -2015). The HMAC test vector is rest-api.md's own example (key, secret, payload and signature
 * c8db5682…6b71 quoted from "HMAC Keys").
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signaturePayload, verifySignature } from '../../src/emulator/auth.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import { at, bundledDataset, type Creds, manualClock, signed, useBundledEmulator } from './support.ts';

const hmac: Creds = { apiKey: 'hmac-key', secret: 'hmac-secret' };
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const ed: Creds = { apiKey: 'ed25519-key', privateKey };
const clock = manualClock(at('2021-01-02T00:00:05Z'));

// rest-api.md "HMAC Keys" example
const DOC_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const DOC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const DOC_PAYLOAD =
  'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const DOC_SIGNATURE = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';

const emu = useBundledEmulator({
  now: clock.now,
  accounts: [
    { apiKey: hmac.apiKey, secret: hmac.secret as string },
    {
      apiKey: ed.apiKey,
      ed25519PublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
    { apiKey: DOC_KEY, secret: DOC_SECRET },
  ],
});

const account = (c: Creds, opts = {}) =>
  signed(emu().baseUrl, clock.now, c, 'GET', '/api/v3/account', {}, opts);

describe('HMAC SHA256 (rest-api.md "HMAC Keys")', () => {
  it('the documented example: payload = query + body without signature, signature c8db5682…', () => {
    expect(verifySignature({ secret: DOC_SECRET }, DOC_PAYLOAD, DOC_SIGNATURE)).toBe(true);
    expect(verifySignature({ secret: DOC_SECRET }, DOC_PAYLOAD, DOC_SIGNATURE.toUpperCase())).toBe(true);
    expect(signaturePayload(`${DOC_PAYLOAD}&signature=${DOC_SIGNATURE}`, '')).toBe(DOC_PAYLOAD);
    // query string and body concatenated without separator ("symbol=LTCBTC&side=BUY" + "&type=…")
    expect(signaturePayload('symbol=LTCBTC&side=BUY', `&type=LIMIT&signature=${DOC_SIGNATURE}`)).toBe(
      'symbol=LTCBTC&side=BUY&type=LIMIT',
    );
  });

  /** POSTs rest-api.md's signed example to an emulator whose clock is the example's timestamp + 100 ms. */
  const postDocExample = async (payload: string, signature: string) => {
    const doc = manualClock(1499827319559 + 100);
    const e = await startEmulator({
      dataset: await bundledDataset(),
      now: doc.now,
      accounts: [{ apiKey: DOC_KEY, secret: DOC_SECRET }],
    });
    try {
      const r = await fetch(`${e.baseUrl}/api/v3/order?${payload}&signature=${signature}`, {
        method: 'POST',
        headers: { 'X-MBX-APIKEY': DOC_KEY },
      });
      return await r.json();
    } finally {
      await e.close();
    }
  };

  it('the documented example request authenticates over HTTP (then fails on LTCBTC: -1121, not -1022)', async () => {
    expect(await postDocExample(DOC_PAYLOAD, DOC_SIGNATURE)).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('the documented non-ASCII example (symbol １２３４５６, signature e1353ec6…) authenticates, then -1121', async () => {
    const payload =
      'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    const signature = 'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3';
    expect(verifySignature({ secret: DOC_SECRET }, payload, signature)).toBe(true);
    // A legal symbol name the emulator does not list: -1121, not -1100 illegal characters or -1022.
    expect(await postDocExample(payload, signature)).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('a good signature is accepted (query string and form body)', async () => {
    const r = await account(hmac);
    expect(r.status).toBe(200);
    expect(r.body.accountType).toBe('SPOT');
    const b = await signed(
      emu().baseUrl,
      clock.now,
      hmac,
      'POST',
      '/api/v3/order/test',
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100' },
      { body: true },
    );
    expect(b.status).toBe(200);
    expect(b.body).toEqual({});
  });

  it('a bad signature: HTTP 400 -1022', async () => {
    const r = await account(hmac, { signature: 'a'.repeat(64) });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
    const wrongSecret = await account({ apiKey: hmac.apiKey, secret: 'other' });
    expect(wrongSecret.body.code).toBe(-1022);
  });

  it('missing signature or timestamp: -1102', async () => {
    const r = await fetch(`${emu().baseUrl}/api/v3/account?timestamp=${clock.now()}`, {
      headers: { 'X-MBX-APIKEY': hmac.apiKey },
    });
    expect(await r.json()).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    });
    const t = await fetch(`${emu().baseUrl}/api/v3/account?signature=${'0'.repeat(64)}`, {
      headers: { 'X-MBX-APIKEY': hmac.apiKey },
    });
    expect(await t.json()).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    });
  });
});

describe('API keys', () => {
  it('unknown key: HTTP 401 -2015', async () => {
    const r = await account({ apiKey: 'nobody', secret: 'x' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
  });

  it('no X-MBX-APIKEY header, or a malformed key: HTTP 401 -2014', async () => {
    const r = await account(hmac, { noKey: true });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    const bad = await account({ apiKey: 'has space', secret: 'x' });
    expect(bad.body.code).toBe(-2014);
  });
});

describe('Ed25519 (rest-api.md "Ed25519 Keys": base64 signature of the same payload)', () => {
  it('a key pair generated with node:crypto signs requests', async () => {
    const r = await account(ed);
    expect(r.status).toBe(200);
    const p = await signed(
      emu().baseUrl,
      clock.now,
      ed,
      'POST',
      '/api/v3/order',
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quoteOrderQty: '100',
      },
      { body: true },
    );
    expect(p.body.status).toBe('FILLED');
  });

  it('another key pair, or an HMAC signature for an Ed25519 account: -1022', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    expect((await account({ apiKey: ed.apiKey, privateKey: other })).body.code).toBe(-1022);
    expect((await account({ apiKey: ed.apiKey, secret: 'hmac-secret' })).body.code).toBe(-1022);
  });
});

describe('timing (rest-api.md "Timing security")', () => {
  it('timestamp older than recvWindow (default 5000): -1021; within a larger recvWindow: accepted', async () => {
    const old = await account(hmac, { timestamp: clock.now() - 5001 });
    expect(old.status).toBe(400);
    expect(old.body).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
    expect((await account(hmac, { timestamp: clock.now() - 5000 })).status).toBe(200);
    const wide = await signed(
      emu().baseUrl,
      clock.now,
      hmac,
      'GET',
      '/api/v3/account',
      { recvWindow: 10000 },
      {
        timestamp: clock.now() - 9000,
      },
    );
    expect(wide.status).toBe(200);
  });

  it('timestamp 1000 ms or more ahead of the server: -1021', async () => {
    const r = await account(hmac, { timestamp: clock.now() + 1000 });
    expect(r.body).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    expect((await account(hmac, { timestamp: clock.now() + 999 })).status).toBe(200);
  });

  it('recvWindow above 60000: -1102; microsecond timestamps are accepted', async () => {
    const r = await signed(emu().baseUrl, clock.now, hmac, 'GET', '/api/v3/account', { recvWindow: 60001 });
    expect(r.body).toEqual({
      code: -1102,
      msg: "'recvWindow' contains unexpected value. Cannot be greater than 60000.",
    });
    const us = await account(hmac, { timestamp: clock.now() * 1000 });
    expect(us.status).toBe(200);
  });
});
