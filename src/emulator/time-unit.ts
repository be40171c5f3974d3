/**
 * The `X-MBX-TIME-UNIT` request header (rest-api.md "General API Information": "All time and timestamp
 * related fields in the JSON responses are in milliseconds by default. To receive the information in
 * microseconds, please add the header `X-MBX-TIME-UNIT:MICROSECOND` or `X-MBX-TIME-UNIT:microsecond`.").
 * Request parameters are unaffected: they are accepted in either unit whatever the header says.
 */
import { Errors } from './errors.ts';

/** The unit of the times in a response. */
export type TimeUnit = 'MILLISECOND' | 'MICROSECOND';

/**
 * The unit a request asks for: MILLISECOND without the header.
 * @throws ApiError -1194 (errors.md INVALID_TIME_UNIT) for any other value than MILLISECOND / MICROSECOND
 *   (upper or lower case).
 */
export function timeUnitOf(header: string | string[] | undefined): TimeUnit {
  if (header === undefined) return 'MILLISECOND';
  const v = Array.isArray(header) ? header.join(',') : header;
  if (v === 'MILLISECOND' || v === 'millisecond') return 'MILLISECOND';
  if (v === 'MICROSECOND' || v === 'microsecond') return 'MICROSECOND';
  throw Errors.invalidTimeUnit();
}

/** Object keys whose numbers are times (UTC ms) in the emulator's responses. */
const TIME_KEYS = new Set([
  'serverTime',
  'time',
  'updateTime',
  'transactTime',
  'workingTime',
  'openTime',
  'closeTime',
]);

/** Kline rows (`/api/v3/klines`, `/api/v3/uiKlines`): index 0 is the open time, 6 the close time. */
const KLINE_PATHS = new Set(['/api/v3/klines', '/api/v3/uiKlines']);

/**
 * A response body with its times in microseconds: `t × 1000`, except a kline's close time, the last
 * microsecond of the candle (`(closeTime + 1) × 1000 − 1`, since the millisecond close time is the last
 * millisecond). Returns a new value; `body` is not changed.
 * @param path the endpoint's path (kline rows are arrays, recognised by the path).
 */
export function toMicroseconds(body: unknown, path: string): unknown {
  if (KLINE_PATHS.has(path) && Array.isArray(body)) {
    return body.map((row) =>
      Array.isArray(row) ? row.map((v, i) => (i === 0 ? v * 1000 : i === 6 ? (v + 1) * 1000 - 1 : v)) : row,
    );
  }
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = TIME_KEYS.has(k) && typeof x === 'number' ? x * 1000 : walk(x);
    }
    return out;
  };
  return walk(body);
}
