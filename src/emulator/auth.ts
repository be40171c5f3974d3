/**
 * SIGNED request security (rest-api.md "Request Security", "SIGNED Endpoint security", "Timing security",
 * "SIGNED Endpoint Examples"; faqs/api_key_types.md): the `X-MBX-APIKEY` header names the account; the
 * `signature` parameter signs the payload = the query string as sent concatenated, without separator,
 * with the request body as sent — both without the `signature` parameter itself. HMAC-SHA256 keys sign
 * with the secret (hex, case-insensitive); Ed25519 keys sign with the private key (base64, checked with
 * the registered public key). RSA keys are not supported.
 */
import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from 'node:crypto';
import { Errors } from './errors.ts';

/**
 * The emulator's API-key format: 1 to 256 printable ASCII characters without spaces (Binance's own keys
 * are 64 alphanumerics). A request whose header does not match gets -2014.
 */
export const API_KEY_RE = /^[\x21-\x7e]{1,256}$/;

/** The verification keys of one account. */
export interface SigningKeys {
  /** HMAC secret, when the account has an HMAC key. */
  readonly secret?: string;
  /** Ed25519 public key, when the account has an Ed25519 key. */
  readonly ed25519?: KeyObject;
}

/**
 * Parses an Ed25519 public key in PEM (SPKI, `-----BEGIN PUBLIC KEY-----`).
 * @throws Error when it is not a PEM Ed25519 public key.
 */
export function ed25519PublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`not an Ed25519 public key (got ${key.asymmetricKeyType ?? 'unknown'})`);
  }
  return key;
}

/** A raw query string or body without its `signature=…` segment(s) (as sent otherwise, byte for byte). */
export function withoutSignature(raw: string): string {
  if (!raw.includes('signature')) return raw;
  return raw
    .split('&')
    .filter((seg) => seg.split('=', 1)[0] !== 'signature')
    .join('&');
}

/**
 * The signature payload of a request (rest-api.md "HMAC Keys" step 1): query string + body, as sent,
 * without the `signature` parameter.
 */
export function signaturePayload(rawQuery: string, rawBody: string): string {
  return withoutSignature(rawQuery) + withoutSignature(rawBody);
}

/**
 * True when `signature` signs `payload` with one of the account's keys: the HMAC-SHA256 hex digest with
 * the secret (compared case-insensitively, in constant time), or an Ed25519 signature (base64; a `+`
 * that arrived unescaped and was decoded as a space is restored).
 */
export function verifySignature(keys: SigningKeys, payload: string, signature: string): boolean {
  if (keys.secret !== undefined && /^[0-9a-fA-F]{64}$/.test(signature)) {
    const want = Buffer.from(createHmac('sha256', keys.secret).update(payload).digest('hex'));
    if (timingSafeEqual(want, Buffer.from(signature.toLowerCase()))) return true;
  }
  if (keys.ed25519) {
    const sig = Buffer.from(signature.replace(/ /g, '+'), 'base64');
    if (sig.length !== 64) return false;
    try {
      return verify(null, Buffer.from(payload, 'utf8'), keys.ed25519, sig);
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Checks the timing of a SIGNED request (rest-api.md "Timing security"): accepted when
 * `timestamp < serverTime + 1000` and `serverTime − timestamp ≤ recvWindow`.
 * @param timestamp the request's `timestamp`, UTC ms.
 * @param recvWindow ms (default 5000; validated ≤ 60000 by the parameter check).
 * @param serverTime the emulator clock, UTC ms.
 * @throws ApiError -1021 (ahead of the server, or outside the recvWindow).
 */
export function checkTiming(timestamp: number, recvWindow: number, serverTime: number): void {
  if (timestamp >= serverTime + 1000) throw Errors.aheadOfServer();
  if (serverTime - timestamp > recvWindow) throw Errors.outsideRecvWindow();
}
