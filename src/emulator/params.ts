/**
 * Request parameters as Binance reads them (rest-api.md "General Information on Endpoints"): from the
 * query string, and for POST/PUT/DELETE also from an `application/x-www-form-urlencoded` body; a
 * parameter in both is taken from the query string. Values are validated per endpoint with Binance's
 * error codes (errors.md §11xx): missing mandatory -1102, empty -1105 (-1118/-1119 for client order
 * ids), illegal characters -1100, too much precision -1111, bad enums (-1115/-1116/-1117/-1120/-1122/
 * -1139/-1145, else -1130), unknown parameters -1104.
 */
import { type Decimal, dec } from '../domain/decimal.ts';
import { type ApiError, Errors } from './errors.ts';

/** Parameter types of the Binance docs' parameter tables (plus the emulator's finer string kinds). */
export type ParamKind =
  | 'STRING'
  | 'SYMBOL'
  | 'CLIENT_ORDER_ID'
  | 'LONG'
  | 'INT'
  | 'DECIMAL'
  | 'RECV_WINDOW'
  | 'BOOLEAN'
  | 'ENUM'
  | 'SYMBOLS'
  | 'PERMISSIONS';

/** One parameter of an endpoint. */
export interface ParamSpec {
  readonly kind: ParamKind;
  readonly mandatory?: boolean;
  /** ENUM: the accepted values (case-sensitive). */
  readonly values?: readonly string[];
  /** ENUM: the error for a value not in `values` (default -1130). */
  readonly invalid?: () => ApiError;
}

/** Parameter specs by name, in the order they are checked. */
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** Legal ranges Binance quotes in -1100 messages. */
export const RANGES = {
  SYMBOL: '^[A-Z0-9-_.]{1,20}$',
  CLIENT_ORDER_ID: '^[a-zA-Z0-9-_]{1,36}$',
  LONG: '^[0-9]{1,20}$',
  DECIMAL: '^([0-9]{1,20})(\\.[0-9]{1,20})?$',
  RECV_WINDOW: '^[0-9]{1,20}(\\.[0-9]{1,3})?$',
} as const;

const RE = {
  // Besides upper-case ASCII, any non-ASCII letter or digit: Binance lists symbols such as 币安人生USDT,
  // and rest-api.md signs a request for the symbol １２３４５６ ("Signed endpoint example … non-ASCII"),
  // so such a symbol is a -1121 invalid symbol when unknown, not -1100 illegal characters.
  SYMBOL: /^(?:[A-Z0-9\-_.]|(?!\p{ASCII})[\p{L}\p{N}]){1,20}$/u,
  CLIENT_ORDER_ID: /^[a-zA-Z0-9\-_]{1,36}$/,
  LONG: /^[0-9]{1,20}$/,
  DECIMAL: /^([0-9]{1,20})(\.[0-9]{1,20})?$/,
  RECV_WINDOW: /^[0-9]{1,20}(\.[0-9]{1,3})?$/,
};

/** Maximum `recvWindow`, ms (rest-api.md "Timing security"). */
export const MAX_RECV_WINDOW = 60_000;

/** Maximum decimals of a DECIMAL parameter (baseAssetPrecision / quotePrecision 8). */
export const MAX_DECIMALS = 8;

/** The raw parameters of one request, and whether a name was repeated within one source. */
export interface RawParams {
  /** name → value (decoded), the query string winning over the body. */
  readonly values: ReadonlyMap<string, string>;
  /** True when a name occurred twice in the query string or twice in the body (-1101). */
  readonly duplicate: boolean;
  /** True when a value was not valid percent-encoding. */
  readonly malformed: string | null;
}

/**
 * Parses one `application/x-www-form-urlencoded` string (a query string without `?`, or a body): `+` is
 * a space, `%XX` escapes are decoded. Empty segments are ignored; `name` without `=` has the value "".
 */
export function parseForm(raw: string): { pairs: [string, string][]; malformed: string | null } {
  const pairs: [string, string][] = [];
  let malformed: string | null = null;
  if (raw === '') return { pairs, malformed };
  for (const seg of raw.split('&')) {
    if (seg === '') continue;
    const eq = seg.indexOf('=');
    const rawName = eq < 0 ? seg : seg.slice(0, eq);
    const rawValue = eq < 0 ? '' : seg.slice(eq + 1);
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        malformed ??= s;
        return s;
      }
    };
    pairs.push([decode(rawName), decode(rawValue)]);
  }
  return { pairs, malformed };
}

/** Merges the parsed query string and body (query wins) and flags repeated names within one source. */
export function mergeParams(query: string, body: string): RawParams {
  const q = parseForm(query);
  const b = parseForm(body);
  let duplicate = false;
  const values = new Map<string, string>();
  const seenBody = new Set<string>();
  for (const [k, v] of b.pairs) {
    if (seenBody.has(k)) duplicate = true;
    seenBody.add(k);
    values.set(k, v);
  }
  const seenQuery = new Set<string>();
  for (const [k, v] of q.pairs) {
    if (seenQuery.has(k)) duplicate = true;
    seenQuery.add(k);
    values.set(k, v);
  }
  return { values, duplicate, malformed: q.malformed ?? b.malformed };
}

/** Number of decimals of a plain decimal string, trailing zeros ignored ("0.10" → 1). */
function decimals(v: string): number {
  const dot = v.indexOf('.');
  if (dot < 0) return 0;
  return v.slice(dot + 1).replace(/0+$/, '').length;
}

/**
 * Validates the parameters named in `specs` (in their order) against `raw`.
 * @throws ApiError with the first problem found (codes in the module comment).
 */
export function checkParams(raw: ReadonlyMap<string, string>, specs: ParamSpecs): void {
  for (const [name, spec] of Object.entries(specs)) {
    const v = raw.get(name);
    if (v === undefined) {
      if (spec.mandatory) throw Errors.mandatory(name);
      continue;
    }
    if (v === '') {
      if (name === 'newClientOrderId') throw Errors.emptyNewClientOrderId();
      if (name === 'origClientOrderId') throw Errors.emptyOrigClientOrderId();
      throw spec.mandatory ? Errors.mandatory(name) : Errors.empty(name);
    }
    checkValue(name, v, spec);
  }
}

function checkValue(name: string, v: string, spec: ParamSpec): void {
  switch (spec.kind) {
    case 'STRING':
      return;
    case 'SYMBOL':
      if (!RE.SYMBOL.test(v)) throw Errors.illegalChars(name, RANGES.SYMBOL);
      return;
    case 'CLIENT_ORDER_ID':
      if (!RE.CLIENT_ORDER_ID.test(v)) throw Errors.illegalChars(name, RANGES.CLIENT_ORDER_ID);
      return;
    case 'LONG':
    case 'INT':
      if (!RE.LONG.test(v) || !Number.isSafeInteger(Number(v))) throw Errors.illegalChars(name, RANGES.LONG);
      if (spec.kind === 'INT' && Number(v) > 2_147_483_647) throw Errors.illegalChars(name, RANGES.LONG);
      return;
    case 'DECIMAL':
      if (!RE.DECIMAL.test(v)) throw Errors.illegalChars(name, RANGES.DECIMAL);
      if (decimals(v) > MAX_DECIMALS) throw Errors.precision(name);
      return;
    case 'RECV_WINDOW':
      if (!RE.RECV_WINDOW.test(v)) throw Errors.illegalChars(name, RANGES.RECV_WINDOW);
      if (Number(v) > MAX_RECV_WINDOW) throw Errors.tooLarge(name, MAX_RECV_WINDOW);
      return;
    case 'BOOLEAN':
      if (!/^(true|false)$/i.test(v)) throw Errors.invalidParam(name);
      return;
    case 'ENUM':
      if (!spec.values?.includes(v)) throw (spec.invalid ?? (() => Errors.invalidParam(name)))();
      return;
    case 'SYMBOLS': {
      const list = parseJsonList(name, v);
      if (list.length === 0) throw Errors.invalidParam(name);
      for (const s of list) if (!RE.SYMBOL.test(s)) throw Errors.illegalChars(name, RANGES.SYMBOL);
      if (new Set(list).size !== list.length) throw Errors.duplicateSymbols();
      return;
    }
    case 'PERMISSIONS': {
      const list = v.startsWith('[') ? parseJsonList(name, v) : [v];
      if (list.length === 0 || list.some((p) => !/^[A-Z0-9_]{1,32}$/.test(p)))
        throw Errors.invalidParam(name);
      return;
    }
  }
}

/**
 * A JSON array of strings (`["BTCUSDT","BNBUSDT"]`, rest-api.md `symbols`).
 * @throws ApiError -1135 when the value is not one.
 */
export function parseJsonList(name: string, v: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw Errors.invalidJson(name);
  }
  if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string')) throw Errors.invalidJson(name);
  return parsed as string[];
}

/**
 * Checks that every sent parameter is one the endpoint reads (rest-api.md; errors.md -1104).
 * @param known the names the endpoint reads.
 * @throws ApiError -1104 naming how many were read and how many were sent.
 */
export function checkUnread(raw: ReadonlyMap<string, string>, known: ReadonlySet<string>): void {
  let read = 0;
  for (const k of raw.keys()) if (known.has(k)) read++;
  if (read !== raw.size) throw Errors.unread(read, raw.size);
}

/**
 * Typed, already validated parameters of one request (see {@link checkParams}). Accessors return
 * undefined for a parameter that was not sent.
 */
export class Params {
  constructor(private readonly raw: ReadonlyMap<string, string>) {}

  /** True when `name` was sent (non-empty values only reach here). */
  has(name: string): boolean {
    return this.raw.has(name);
  }

  /** The raw string value. */
  str(name: string): string | undefined {
    return this.raw.get(name);
  }

  /** A mandatory string value. @throws Error when absent (a spec/handler mismatch). */
  req(name: string): string {
    const v = this.raw.get(name);
    if (v === undefined) throw new Error(`parameter ${name} was not validated as mandatory`);
    return v;
  }

  /** A LONG / INT value. */
  int(name: string): number | undefined {
    const v = this.raw.get(name);
    return v === undefined ? undefined : Number(v);
  }

  /**
   * A timestamp (`timestamp`, `startTime`, `endTime`) in ms: values ≥ 1e14 are taken as microseconds
   * (rest-api.md: "Timestamp parameters … can be passed in milliseconds or microseconds").
   */
  time(name: string): number | undefined {
    const v = this.int(name);
    if (v === undefined) return undefined;
    return v >= 1e14 ? Math.floor(v / 1000) : v;
  }

  /** A DECIMAL value. */
  dec(name: string): Decimal | undefined {
    const v = this.raw.get(name);
    return v === undefined ? undefined : dec(v);
  }

  /** A BOOLEAN value (`true`/`false`, any case). */
  bool(name: string): boolean | undefined {
    const v = this.raw.get(name);
    return v === undefined ? undefined : v.toLowerCase() === 'true';
  }

  /** A `symbols`-style JSON list, or a single bare value (`permissions=SPOT`). */
  list(name: string): string[] | undefined {
    const v = this.raw.get(name);
    if (v === undefined) return undefined;
    return v.startsWith('[') ? parseJsonList(name, v) : [v];
  }
}
