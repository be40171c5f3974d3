/**
 * Binance REST errors as the emulator answers them: `{"code": <negative int>, "msg": "<text>"}` with an
 * HTTP status per rest-api.md "HTTP Return Codes" (4XX for the sender's mistakes, 429 over a rate limit,
 * 5XX for our own failures). Codes and message texts are those of /work/shared/spec/binance/errors.md;
 * where errors.md gives a template (`%s`), the parameter name or limit is filled in.
 */

/** A Binance API error: HTTP status + `{code, msg}` body (+ extra response headers, e.g. `Retry-After`). */
export class ApiError extends Error {
  /**
   * @param status HTTP status (400, 401, 404, 405, 429, 500).
   * @param code Binance error code (negative).
   * @param msg Binance message (errors.md text).
   * @param headers Extra response headers (e.g. `Retry-After` in seconds on 429).
   */
  constructor(
    readonly status: number,
    readonly code: number,
    readonly msg: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(msg);
    this.name = 'ApiError';
  }

  /** The JSON body Binance sends: `{"code": …, "msg": …}` (spot_api.yaml `components/schemas/error`). */
  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.msg };
  }
}

const bad = (code: number, msg: string) => new ApiError(400, code, msg);

/**
 * The errors the emulator produces, by errors.md section. Every function returns a fresh {@link ApiError}.
 */
export const Errors = {
  /** -1000 UNKNOWN (HTTP 500): an emulator bug; the request's effect is unknown. */
  unknown: () => new ApiError(500, -1000, 'An unknown error occurred while processing the request.'),
  /** -1003 TOO_MANY_REQUESTS (HTTP 429), errors.md §10xx, with `Retry-After` seconds (rest-api.md "IP Limits"). */
  tooMuchWeight: (limit: number, retryAfterSec: number) =>
    new ApiError(
      429,
      -1003,
      `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      { 'Retry-After': String(retryAfterSec) },
    ),
  /**
   * -1003 with HTTP 418: the IP is banned until `untilMs` (UTC ms) for not backing off after 429s
   * (rest-api.md "IP Limits"); `Retry-After` = seconds until the ban ends.
   */
  ipBanned: (untilMs: number, retryAfterSec: number) =>
    new ApiError(
      418,
      -1003,
      `Way too much request weight used; IP banned until ${untilMs}. Please use WebSocket Streams for live updates to avoid bans.`,
      { 'Retry-After': String(retryAfterSec) },
    ),
  /** -1194 INVALID_TIME_UNIT: an `X-MBX-TIME-UNIT` header other than MILLISECOND / MICROSECOND. */
  invalidTimeUnit: () =>
    bad(-1194, 'Invalid value for time unit; expected either MICROSECOND or MILLISECOND.'),
  /** -1015 TOO_MANY_ORDERS (HTTP 429): `interval` e.g. `10 SECOND`, `1 DAY`. */
  tooManyOrders: (limit: number, interval: string, retryAfterSec: number) =>
    new ApiError(429, -1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`, {
      'Retry-After': String(retryAfterSec),
    }),
  /** -1020 UNSUPPORTED_OPERATION, served with HTTP 404 for a path the emulator does not implement. */
  notFound: () => new ApiError(404, -1020, 'This operation is not supported.'),
  /** -1020 UNSUPPORTED_OPERATION with HTTP 405: a known path with another method. */
  methodNotAllowed: () => new ApiError(405, -1020, 'This operation is not supported.'),
  /** -1021 INVALID_TIMESTAMP: `serverTime - timestamp > recvWindow` (rest-api.md "Timing security"). */
  outsideRecvWindow: () => bad(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  /** -1021 INVALID_TIMESTAMP: `timestamp >= serverTime + 1000`. */
  aheadOfServer: () => bad(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  /** -1022 INVALID_SIGNATURE. */
  badSignature: () => bad(-1022, 'Signature for this request is not valid.'),
  /** -1013 INVALID_MESSAGE, filter failure (errors.md "Filter failures"), e.g. `LOT_SIZE`. */
  filter: (filterType: string) => bad(-1013, `Filter failure: ${filterType}`),
  /** -1100 ILLEGAL_CHARS: a value outside the parameter's legal range (a regex or a list). */
  illegalChars: (param: string, range: string) =>
    bad(-1100, `Illegal characters found in parameter '${param}'; legal range is '${range}'.`),
  /** -1101 TOO_MANY_PARAMETERS: the same parameter twice in the query string or twice in the body. */
  duplicateParam: () => bad(-1101, 'Duplicate values for a parameter detected.'),
  /** -1102 MANDATORY_PARAM_EMPTY_OR_MALFORMED. */
  mandatory: (param: string) =>
    bad(-1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  /** -1102: neither of two alternative parameters was sent. */
  eitherOf: (a: string, b: string) =>
    bad(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  /** -1102: a value above its documented maximum (e.g. `recvWindow` 60000, `limit` 1000). */
  tooLarge: (param: string, max: number) =>
    bad(-1102, `'${param}' contains unexpected value. Cannot be greater than ${max}.`),
  /** -1104 UNREAD_PARAMETERS: parameters this endpoint does not know. */
  unread: (read: number, sent: number) =>
    bad(-1104, `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${sent}'.`),
  /** -1105 PARAM_EMPTY: an optional parameter sent empty. */
  empty: (param: string) => bad(-1105, `Parameter '${param}' was empty.`),
  /** -1106 PARAM_NOT_REQUIRED: e.g. `timeInForce` or `price` on a MARKET order. */
  notRequired: (param: string) => bad(-1106, `Parameter '${param}' sent when not required.`),
  /** -1111 BAD_PRECISION: more decimals than the asset precision (8). */
  precision: (param: string) => bad(-1111, `Parameter '${param}' has too much precision.`),
  /** -1115 INVALID_TIF. */
  invalidTif: () => bad(-1115, 'Invalid timeInForce.'),
  /** -1116 INVALID_ORDER_TYPE. */
  invalidOrderType: () => bad(-1116, 'Invalid orderType.'),
  /** -1117 INVALID_SIDE. */
  invalidSide: () => bad(-1117, 'Invalid side.'),
  /** -1118 EMPTY_NEW_CL_ORD_ID. */
  emptyNewClientOrderId: () => bad(-1118, 'New client order ID was empty.'),
  /** -1119 EMPTY_ORG_CL_ORD_ID. */
  emptyOrigClientOrderId: () => bad(-1119, 'Original client order ID was empty.'),
  /** -1120 BAD_INTERVAL. */
  badInterval: () => bad(-1120, 'Invalid interval.'),
  /** -1121 BAD_SYMBOL. */
  badSymbol: () => bad(-1121, 'Invalid symbol.'),
  /** -1122 INVALID_SYMBOLSTATUS. */
  badSymbolStatus: () => bad(-1122, 'Invalid symbolStatus.'),
  /** -1127 MORE_THAN_XX_HOURS. */
  lookupTooBig: (hours: number) => bad(-1127, `More than ${hours} hours between startTime and endTime.`),
  /** -1128 OPTIONAL_PARAMS_BAD_COMBO. */
  badCombo: () => bad(-1128, 'Combination of optional parameters invalid.'),
  /** -1130 INVALID_PARAMETER: a well-formed value this endpoint does not accept. */
  invalidParam: (param: string) => bad(-1130, `Data sent for parameter '${param}' is not valid.`),
  /** -1134 BAD_STRATEGY_TYPE. */
  badStrategyType: () => bad(-1134, 'strategyType was less than 1000000.'),
  /** -1135 INVALID_JSON: e.g. `symbols` that is not a JSON array of strings. */
  invalidJson: (param: string) => bad(-1135, `JSON sent for parameter '${param}' is not valid`),
  /** -1139 INVALID_TICKER_TYPE. */
  invalidTickerType: () => bad(-1139, 'Invalid ticker type.'),
  /** -1145 INVALID_CANCEL_RESTRICTIONS (message as rest-api.md "Regarding cancelRestrictions"). */
  invalidCancelRestrictions: () => bad(-1145, 'Invalid cancelRestrictions'),
  /** -1151 DUPLICATE_SYMBOLS. */
  duplicateSymbols: () => bad(-1151, 'Symbol is present multiple times in the list.'),
  /** -1210 INVALID_PEG_PRICE_TYPE. */
  invalidPegPriceType: () => bad(-1210, 'Invalid pegPriceType.'),
  /** -1211 INVALID_PEG_OFFSET_TYPE. */
  invalidPegOffsetType: () => bad(-1211, 'Invalid pegOffsetType.'),
  /** -1220 SYMBOL_DOES_NOT_MATCH_STATUS. */
  statusMismatch: () => bad(-1220, "The symbol's status does not match the requested symbolStatus."),
  /** -2010 NEW_ORDER_REJECTED with one of the matching engine's messages (errors.md "Messages for -2010"). */
  orderRejected: (msg: string) => bad(-2010, msg),
  /** -2011 CANCEL_REJECTED. */
  cancelRejected: (msg: string) => bad(-2011, msg),
  /** -2013 NO_SUCH_ORDER. */
  noSuchOrder: () => bad(-2013, 'Order does not exist.'),
  /** -2014 BAD_API_KEY_FMT (HTTP 401): no `X-MBX-APIKEY` header or a malformed key. */
  badApiKeyFormat: () => new ApiError(401, -2014, 'API-key format invalid.'),
  /** -2015 REJECTED_MBX_KEY (HTTP 401): an unknown key (or a signature key type the account lacks). */
  rejectedKey: () => new ApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  /** -2039 CLIENT_ORDER_ID_INVALID: `orderId` and `origClientOrderId` name different orders. */
  clientOrderIdMismatch: () => bad(-2039, 'Client order ID is not correct for this order ID.'),
} as const;

/** The -2010 / -2011 messages of errors.md "Messages for -1010 ERROR_MSG_RECEIVED, -2010 …". */
export const EngineMessages = {
  unknownOrder: 'Unknown order sent.',
  duplicateOrder: 'Duplicate order sent.',
  marketClosed: 'Market is closed.',
  insufficientBalance: 'Account has insufficient balance for requested action.',
  icebergNotSupported: 'Iceberg orders are not supported for this symbol.',
  wouldMatch: 'Order would immediately match and take.',
  wouldTrigger: 'Order would trigger immediately.',
  cancelRestrictions: 'Order was not canceled due to cancel restrictions.',
  stopLoss: 'Stop loss orders are not supported for this symbol.',
  stopLossLimit: 'Stop loss limit orders are not supported for this symbol.',
  takeProfit: 'Take profit orders are not supported for this symbol.',
  takeProfitLimit: 'Take profit limit orders are not supported for this symbol.',
  trailingStop: 'Trailing stop orders are not supported for this symbol.',
  peggedNotSupported: 'Pegged orders are not supported for this symbol.',
} as const;
