/**
 * The configuration: ONE table of keys ({@link CONFIG_KEYS}: zod field, default, unit/allowed values,
 * description, CLI flag, environment aliases, sweepable) and what is derived from it — the zod schema
 * ({@link configSchema}), the defaults, the documentation ({@link KEY_DOCS}), the sweep ranges
 * ({@link sweepParams}); the loader derives the flags and environment variables.
 *
 * Naming: the parsed {@link Config} uses the INI spelling exactly — sections as nested objects, keys in
 * snake_case (`config.strategy.top_n`, `config.database.data_dir`) — so a key reads the same in
 * `user.cfg`, in `REBALANCER_<SECTION>_<KEY>`, in the stored effective config and in code.
 *
 * Every value enters as the string written in the file / environment / flag; {@link configSchema} parses
 * and validates it into its type (integers, numbers, booleans, enums, symbol lists) with one
 * human-readable message per bad value. Money values (`fee_rate`, `initial_quote`) stay decimal STRINGS
 * (exact decimals are built from them later). Paths are plain strings here; the loader makes them absolute.
 */
import { Decimal } from 'decimal.js';
import { validateDetailed as validateCron } from 'node-cron';
import { z } from 'zod';
import { BINANCE_INTERVALS } from '../domain/risk/risk-settings.ts';
import { NOTIFY_EVENT_TYPES, type NotifyEventType } from '../ports/notifier.ts';
import { isKeyValueDsn } from './redact-dsn.ts';

// ---------------------------------------------------------------------------------------------
// Field codecs: string as written → typed value, each failing with ONE message a person can act on.
// ---------------------------------------------------------------------------------------------

const INT_RE = /^[+-]?\d+$/;
/** Plain or scientific non-negative number: `12`, `0.5`, `.5`, `1e9`. */
const NUMBER_RE = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Plain decimal (no sign, no exponent): `0.001`, `10000`. */
const DECIMAL_RE = /^\d+(?:\.\d+)?$/;
/** An exchange symbol or asset code. */
export const SYMBOL_RE = /^[A-Z0-9]{2,20}$/;
/** A paper/ledger account name. */
export const ACCOUNT_RE = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** The accepted range of the numeric and enum fields, for {@link sweepParams}. */
const FIELD_RANGES = new WeakMap<z.ZodType, SweepRange>();

function withRange<T extends z.ZodType>(field: T, range: SweepRange): T {
  FIELD_RANGES.set(field, range);
  return field;
}

/** A trimmed string value that `ok` accepts; any other is refused with `error` (one line, no value echoed). */
function checkedString(ok: (s: string) => boolean, error: string) {
  return z.string().trim().refine(ok, { error });
}

function intField(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  const field = z
    .string()
    .trim()
    .regex(INT_RE, { error, abort: true })
    .transform(Number)
    .pipe(z.number().int({ error }).min(min, { error }).max(max, { error }));
  return withRange(field, { kind: 'int', min, max });
}

function numberField(opts: { min: number; max?: number; maxExclusive?: boolean }, error: string) {
  let n = z.number({ error }).min(opts.min, { error });
  if (opts.max !== undefined) n = opts.maxExclusive ? n.lt(opts.max, { error }) : n.max(opts.max, { error });
  const field = z.string().trim().regex(NUMBER_RE, { error, abort: true }).transform(Number).pipe(n);
  return withRange(field, {
    kind: 'number',
    min: opts.min,
    ...(opts.max !== undefined ? { max: opts.max } : {}),
  });
}

function fractionField() {
  return numberField(
    { min: 0, max: 1, maxExclusive: true },
    'must be a fraction from 0 (inclusive) to 1 (exclusive), e.g. 0.05',
  );
}

/** A decimal kept as its (trimmed) string; `ok` judges the exact value; `range` for sweeps. */
function decimalField(ok: (d: Decimal) => boolean, error: string, range?: SweepRange) {
  const field = z
    .string()
    .trim()
    .regex(DECIMAL_RE, { error, abort: true })
    .refine((s) => ok(new Decimal(s)), { error });
  return range === undefined ? field : withRange(field, range);
}

function enumField<const T extends readonly [string, ...string[]]>(values: T) {
  const field = z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(values, { error: `allowed values: ${values.join(', ')}` }));
  return withRange(field, { kind: 'enum', values });
}

function boolField() {
  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false'], { error: 'must be true or false' }))
    .transform((v) => v === 'true');
}

/** A Binance kline interval (rest-api.md "Supported kline intervals"), case-sensitive (`1m` ≠ `1M`). */
function klineIntervalField() {
  return checkedString(
    (s) => (BINANCE_INTERVALS as readonly string[]).includes(s),
    `Binance has no such kline interval; allowed values: ${BINANCE_INTERVALS.join(', ')}`,
  );
}

function urlField(protocols: readonly string[], error: string) {
  return checkedString((s) => {
    if (s === '') return true;
    if (!URL.canParse(s)) return false;
    return protocols.includes(new URL(s).protocol);
  }, error);
}

function pathField(allowEmpty: boolean) {
  const error = allowEmpty ? 'must be a directory path (or empty)' : 'must be a directory path (not empty)';
  return checkedString((s) => (allowEmpty || s !== '') && !s.includes('\0'), error);
}

/** Comma-separated symbols: trimmed, upper-cased, empty entries dropped, duplicates removed (first kept). */
function symbolListField() {
  return z.string().transform((s, ctx) => {
    const items = s
      .split(',')
      .map((x) => x.trim().toUpperCase())
      .filter((x) => x !== '');
    const bad = items.filter((x) => !SYMBOL_RE.test(x));
    if (bad.length > 0) {
      const shown = bad
        .slice(0, 5)
        .map((b) => JSON.stringify(b.length > 30 ? `${b.slice(0, 30)}…` : b))
        .join(', ');
      ctx.addIssue({
        code: 'custom',
        message: `${shown}${bad.length > 5 ? ', …' : ''} ${bad.length === 1 ? 'is not a symbol' : 'are not symbols'}: expected comma-separated symbols of 2-20 characters A-Z 0-9, e.g. BTCUSDT, ETHUSDT`,
      });
      return z.NEVER;
    }
    return [...new Set(items)];
  });
}

/**
 * `[notify] on`: `all`, or comma-separated event types of {@link NOTIFY_EVENT_TYPES} (case-insensitive,
 * duplicates removed). Output: the selected types in table order.
 */
function notifyEventsField() {
  const allowed = `all, or comma-separated event types: ${NOTIFY_EVENT_TYPES.join(', ')}`;
  return z.string().transform((raw, ctx) => {
    const items = raw
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter((x) => x !== '');
    if (items.length === 1 && items[0] === 'all') return [...NOTIFY_EVENT_TYPES];
    const bad = items.filter((x) => !(NOTIFY_EVENT_TYPES as readonly string[]).includes(x));
    if (items.length === 0 || bad.length > 0) {
      const shown = bad.length > 0 ? `${bad.map((b) => JSON.stringify(b.slice(0, 30))).join(', ')}: ` : '';
      ctx.addIssue({ code: 'custom', message: `${shown}allowed values: ${allowed}` });
      return z.NEVER;
    }
    return NOTIFY_EVENT_TYPES.filter((t) => items.includes(t)) as NotifyEventType[];
  });
}

/** A Telegram chat: a numeric chat id (groups and channels are negative) or `@channelusername`. */
const TELEGRAM_CHAT_RE = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;

/** `HH:MM` (24-hour clock) of `[schedule] rebalance_at`. */
const TIME_OF_DAY_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * `[schedule] rebalance_at`: `HH:MM` (→ the cron expression `M H * * *`) or a 5- or 6-field cron
 * expression (node-cron 4 syntax: optional seconds, minutes, hours, day of month, month, day of week).
 * Output: the cron expression.
 */
function scheduleField() {
  return z.string().transform((raw, ctx) => {
    const s = raw.trim().replace(/\s+/g, ' ');
    const t = TIME_OF_DAY_RE.exec(s);
    if (t) return `${Number(t[2])} ${Number(t[1])} * * *`;
    const fields = s.split(' ').length;
    const v = fields === 5 || fields === 6 ? validateCron(s) : null;
    if (v === null || !v.valid) {
      const why = v?.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(raw.trim())} is not a time or a cron expression${why ? ` (${why})` : ''}: expected HH:MM (24-hour, e.g. 00:05) or 5-6 cron fields, e.g. "5 0 * * *"`,
      });
      return z.NEVER;
    }
    return s;
  });
}

/** An IANA time zone name known to this Node (Intl), e.g. `Etc/UTC`, `Europe/Berlin`. */
function timeZoneField() {
  return checkedString((tz) => {
    if (tz === '') return false;
    // The default needs no check, and the first Intl call loads the ICU time-zone data (~50 ms at start-up).
    if (tz === 'UTC' || tz === 'Etc/UTC') return true;
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone name, e.g. Etc/UTC or Europe/Berlin');
}

// ---------------------------------------------------------------------------------------------
// The schema.
// ---------------------------------------------------------------------------------------------

/** Exchange kinds (`[exchange] kind`). */
export const EXCHANGE_KINDS = ['replay', 'paper', 'testnet', 'live'] as const;
/** Log levels (`[log] level`, pino's levels plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * One config key, declared once (issue 9 item 5): everything else — the zod schema, the defaults, the
 * documentation table, `user.cfg.example`'s check, the CLI flags ({@link FLAG_KEYS} in the loader), the
 * environment variables, the help text and the sweepable parameters — is derived from {@link CONFIG_KEYS}.
 */
export interface KeySpec {
  /** Codec from the string as written to the typed value, with one human-readable message per bad value. */
  readonly field: z.ZodType;
  /** The default, as written in `user.cfg` (it parses to the default value). */
  readonly default: string;
  /** Unit and/or allowed values, for people (e.g. `integer 1..500 (symbols)`, `momentum | reversal`). */
  readonly allowed: string;
  /** What the key does. */
  readonly description: string;
  /** The CLI flag setting it (without `--`), when it has one. */
  readonly flag?: string;
  /** Generic environment variables also setting it, below `REBALANCER_<SECTION>_<KEY>` (e.g. `DATABASE_URL`). */
  readonly env?: readonly string[];
  /** True when `backtest --sweep <key>=V1,V2` may vary it (the bounds are the field's, {@link sweepParams}). */
  readonly sweep?: boolean;
}

/**
 * The config key table, in section/key order (the order used in messages, help and `user.cfg.example`).
 * Units and allowed values: each key's `allowed`; money values (`fee_rate`, `initial_quote`) stay decimal
 * strings.
 */
export const CONFIG_KEYS = {
  exchange: {
    kind: {
      field: enumField(EXCHANGE_KINDS),
      default: 'replay',
      allowed: 'replay | paper | testnet | live',
      description:
        "Where orders go: replay = simulated fills on the bundled (or [data] dir) daily candles; paper = simulated fills at the last prices of Binance's public market data ([data] market_url), no keys, trading forward every day; testnet = Binance spot testnet; live = Binance mainnet (real money).",
      flag: 'exchange',
    },
    base_url: {
      field: urlField(
        ['http:', 'https:'],
        'must be empty or an http(s) URL, e.g. https://testnet.binance.vision',
      ),
      default: '',
      allowed: 'http(s) URL; empty = the default endpoint of the exchange kind',
      description:
        'REST endpoint override for testnet/live (e.g. https://testnet.binance.vision); for paper, the market data endpoint when [data] market_url is empty.',
      flag: 'base-url',
    },
    allow_mainnet: {
      field: boolField(),
      default: 'false',
      allowed: 'true | false',
      description:
        'Must be true for kind = live to trade real money, together with the --live flag (a safety interlock checked before any request).',
    },
    timeout_ms: {
      field: intField(100, 120_000),
      default: '10000',
      allowed: 'integer 100..120000 (milliseconds)',
      description:
        'Timeout of one exchange request; an order whose request times out is looked up by its clientOrderId before anything is retried.',
    },
    recv_window_ms: {
      field: intField(1, 60_000),
      default: '5000',
      allowed: 'integer 1..60000 (milliseconds)',
      description: 'recvWindow sent with signed requests (Binance rest-api.md "Timing security").',
    },
    weight_share: {
      field: numberField(
        { min: 0.01, max: 1 },
        'must be a fraction from 0.01 to 1 of the 6000/min request-weight budget, e.g. 0.5',
      ),
      default: '0.5',
      allowed: 'number 0.01..1 (fraction of 6000 request weight per minute)',
      description:
        'Share of the per-minute request-weight budget the rebalancer may use (X-MBX-USED-WEIGHT-1M); it waits for the next minute rather than exceed it.',
    },
    concurrency: {
      field: intField(1, 64),
      default: '20',
      allowed: 'integer 1..64 (requests in flight)',
      description: 'Market-data requests in flight at once (klines of many symbols on a cold cache).',
    },
  },
  strategy: {
    mode: {
      field: enumField(['momentum', 'reversal']),
      default: 'momentum',
      allowed: 'momentum | reversal',
      description: 'momentum buys the best trailing returns; reversal buys the worst.',
      flag: 'strategy',
      sweep: true,
    },
    lookback_days: {
      field: intField(1, 365),
      default: '7',
      allowed: 'integer 1..365 (days)',
      description: 'Trailing-return window L: return from the close of D-1-L to the close of D-1.',
      flag: 'lookback-days',
      sweep: true,
    },
    top_n: {
      field: intField(1, 500),
      default: '10',
      allowed: 'integer 1..500 (symbols)',
      description: 'How many top-ranked symbols to hold, equal-weighted.',
      flag: 'top-n',
      sweep: true,
    },
    rebalance_every_days: {
      field: intField(1, 365),
      default: '1',
      allowed: 'integer 1..365 (days)',
      description: 'Minimum days between rebalances; an earlier run is skipped as not due (unless --force).',
      sweep: true,
    },
  },
  universe: {
    quote_asset: {
      field: z
        .string()
        .trim()
        .toUpperCase()
        .regex(SYMBOL_RE, { error: 'must be an asset code of 2-20 characters A-Z 0-9, e.g. USDT' }),
      default: 'USDT',
      allowed: 'asset code, 2-20 characters A-Z 0-9',
      description: 'Only pairs quoted in this asset are traded; cash is held in it.',
    },
    min_age_days: {
      field: intField(0, 3650),
      default: '30',
      allowed: 'integer 0..3650 (days)',
      description: 'Minimum listing age (of the current price segment) for a symbol to be eligible.',
      sweep: true,
    },
    min_market_cap: {
      field: numberField({ min: 0 }, 'must be a number >= 0 (USD), e.g. 100000000 or 1e8'),
      default: '0',
      allowed: 'number >= 0 (USD; 0 = off)',
      description: 'Minimum market capitalisation of the base asset.',
      sweep: true,
    },
    min_quote_volume: {
      field: numberField({ min: 0 }, 'must be a number >= 0 (quote asset per day), e.g. 1000000'),
      default: '0',
      allowed: 'number >= 0 (quote asset per day; 0 = off)',
      description: 'Minimum mean daily quote volume over the lookback window.',
      sweep: true,
    },
    exclude: {
      field: symbolListField(),
      default: '',
      allowed: 'comma-separated symbols (e.g. BTCUSDT, ETHUSDT); empty = none',
      description: 'Symbols never traded.',
    },
    include: {
      field: symbolListField(),
      default: '',
      allowed: 'comma-separated symbols (e.g. BTCUSDT, ETHUSDT); empty = all',
      description: 'When not empty, ONLY these symbols may be traded (exclude still applies).',
    },
    allow_empty: {
      field: boolField(),
      default: 'false',
      allowed: 'true | false',
      description:
        'A rebalance with zero eligible symbols sells everything into cash (true) or is refused before any order (false).',
    },
  },
  portfolio: {
    rebalance_mode: {
      field: enumField(['full', 'delta']),
      default: 'full',
      allowed: 'full | delta',
      description:
        'full = sell the whole old basket, then equal-weight the new one; delta = trade only the difference.',
      flag: 'rebalance-mode',
      sweep: true,
    },
    cash_buffer: {
      field: fractionField(),
      default: '0',
      allowed: 'fraction, 0 <= x < 1',
      description: 'Fraction of equity kept in the quote asset (e.g. 0.02 = 2%).',
      sweep: true,
    },
    band: {
      field: fractionField(),
      default: '0',
      allowed: 'fraction, 0 <= x < 1',
      description: 'delta mode: no-trade band around the target weight (e.g. 0.1 = within ±10% of target).',
      sweep: true,
    },
  },
  execution: {
    fee_rate: {
      field: decimalField(
        (d) => d.gte(0) && d.lt('0.1'),
        'must be a plain decimal from 0 (inclusive) to 0.1 (exclusive), e.g. 0.001',
        { kind: 'number', min: 0, max: 0.1 },
      ),
      default: '0.001',
      allowed: 'decimal fraction, 0 <= x < 0.1',
      description: 'Taker fee rate charged on each simulated fill (0.001 = 0.1%).',
      flag: 'fee-rate',
      sweep: true,
    },
    slippage_bps: {
      field: numberField({ min: 0, max: 1000 }, 'must be a number from 0 to 1000 (basis points)'),
      default: '0',
      allowed: 'number 0..1000 (basis points)',
      description: 'Simulated slippage against us on each fill (1 bp = 0.01%).',
      flag: 'slippage-bps',
      sweep: true,
    },
  },
  risk: {
    stop_loss: {
      field: fractionField(),
      default: '0',
      allowed: 'fraction, 0 (off) or 0 < x < 1',
      description:
        'Fixed stop (strategy-semantics.md §10): an intraday pass sells a position in full when the price falls to entry * (1 - stop_loss).',
    },
    trailing_stop: {
      field: fractionField(),
      default: '0',
      allowed: 'fraction, 0 (off) or 0 < x < 1',
      description:
        'Trailing stop (§10): sells a position in full when the price falls to peak * (1 - trailing_stop).',
    },
    trailing_activation: {
      field: numberField({ min: 0 }, 'must be a number >= 0 (fraction, e.g. 0.05 = 5%)'),
      default: '0',
      allowed: 'fraction >= 0 (only with trailing_stop; 0 = armed at once)',
      description: 'The trailing stop arms only once peak >= entry * (1 + trailing_activation) (§10).',
    },
    take_profit: {
      field: fractionField(),
      default: '0',
      allowed: 'fraction, 0 (off) or 0 < x < 1',
      description:
        'Take-profit (§10): sells a position in full when the price reaches entry * (1 + take_profit).',
    },
    max_daily_loss: {
      field: fractionField(),
      default: '0',
      allowed: 'fraction, 0 (off) or 0 < x < 1',
      description:
        "Daily loss limit (§10): when hourly equity falls to the previous day's closing equity * (1 - max_daily_loss), every position is sold and nothing is bought until the next rebalance day.",
    },
    max_drawdown: {
      field: fractionField(),
      default: '0',
      allowed: 'fraction, 0 (off) or 0 < x < 1',
      description:
        'Drawdown kill switch (§10): when hourly equity falls to peak equity * (1 - max_drawdown), every position is sold and the account is halted (no buying until an operator resets it).',
    },
  },
  signals: {
    exit_signal: {
      field: enumField(['none', 'sma_cross', 'breakout']),
      default: 'none',
      allowed: 'none | sma_cross | breakout',
      description:
        "Intraday exit signal on the closes of [intraday] interval candles (§10): sma_cross = the fast SMA crosses below the slow one; breakout = a close below the lowest low of the previous exit_breakout_bars candles. The SELL executes at the next candle's open.",
    },
    exit_sma_fast: {
      field: intField(1, 10_000),
      default: '12',
      allowed: 'integer 1..10000 (candles of interval), below exit_sma_slow',
      description: 'Fast SMA length of exit_signal = sma_cross.',
    },
    exit_sma_slow: {
      field: intField(2, 10_000),
      default: '48',
      allowed: 'integer 2..10000 (candles of interval), above exit_sma_fast',
      description: 'Slow SMA length of exit_signal = sma_cross.',
    },
    exit_breakout_bars: {
      field: intField(1, 10_000),
      default: '24',
      allowed: 'integer 1..10000 (candles of interval)',
      description: 'Channel length of exit_signal = breakout.',
    },
    entry_filter: {
      field: enumField(['none', 'sma_trend', 'breakout']),
      default: 'none',
      allowed: 'none | sma_trend | breakout',
      description:
        'Trend confirmation at the rebalance (§11, on daily closes up to D-1): a symbol whose trend is not up is dropped with reason no_trend.',
    },
    entry_sma_fast: {
      field: intField(1, 3650),
      default: '10',
      allowed: 'integer 1..3650 (days), below entry_sma_slow',
      description: 'Fast SMA length of entry_filter = sma_trend.',
    },
    entry_sma_slow: {
      field: intField(2, 3650),
      default: '30',
      allowed: 'integer 2..3650 (days), above entry_sma_fast',
      description: 'Slow SMA length of entry_filter = sma_trend.',
    },
    entry_breakout_days: {
      field: intField(1, 3650),
      default: '20',
      allowed: 'integer 1..3650 (days)',
      description:
        'entry_filter = breakout: up when the close of D-1 is above the highest high of the N days before it.',
    },
  },
  intraday: {
    interval: {
      field: klineIntervalField(),
      default: '1h',
      allowed: `a Binance kline interval: ${BINANCE_INTERVALS.join(' | ')} (backtests: 1h)`,
      description: 'Candle interval the intraday rules are evaluated on (§10).',
    },
    check_every_minutes: {
      field: intField(1, 1440),
      default: '5',
      allowed: 'integer 1..1440 (minutes)',
      description: 'How often the live intraday pass is scheduled (§12).',
    },
    stop_on_exchange: {
      field: boolField(),
      default: 'false',
      allowed: 'true | false',
      description:
        "true = keep a STOP_LOSS SELL at each position's §10 stop level on the exchange: placed after each rebalance's BUYs, cancelled (a triggered one booked as an intraday exit) before the next rebalance reconciles; each intraday pass keeps the unchanged ones, books a triggered one and replaces those whose trailed level or quantity moved. Only with [exchange] kind = testnet | live and stop_loss or trailing_stop on (else exit 78). Gap risk: a triggered stop fills at the market, possibly far below the stop.",
    },
  },
  paper: {
    initial_quote: {
      field: decimalField((d) => d.gt(0), 'must be a plain decimal > 0, e.g. 10000'),
      default: '10000',
      allowed: 'decimal > 0 (quote asset)',
      description: 'Starting balance of a new paper account.',
      flag: 'initial-quote',
    },
    account: {
      field: checkedString(
        (v) => v === '' || ACCOUNT_RE.test(v),
        'must be 1-40 characters a-z 0-9 _ - starting with a letter or digit, e.g. default',
      ),
      default: '',
      allowed:
        'name: 1-40 characters a-z 0-9 _ -, starting with a letter or digit; empty = the exchange kind (replay, paper, testnet, live)',
      description:
        'Ledger account the runs are recorded under. An account keeps the book of one venue (exchange kind and URL).',
      flag: 'account',
    },
  },
  database: {
    url: {
      field: z
        .string()
        .trim()
        .refine((s) => !isKeyValueDsn(s), {
          error:
            'the libpq key=value form is not supported by the pg driver: write it as postgres://user:password@host:port/dbname',
          abort: true,
        })
        .pipe(
          urlField(
            ['postgres:', 'postgresql:'],
            'must be empty (embedded PGlite) or a postgres:// or postgresql:// URL',
          ),
        ),
      default: '',
      allowed: 'postgres:// or postgresql:// URL; empty = embedded PGlite',
      description: 'Postgres ledger connection string (the env var DATABASE_URL also sets it).',
      flag: 'database-url',
      env: ['DATABASE_URL'],
    },
    data_dir: {
      field: pathField(false),
      default: './var/pglite',
      allowed: 'directory path',
      description:
        "Embedded PGlite database directory, used when url is empty (relative: to this file's directory; from env/flag: to the working directory).",
    },
    lock_wait_ms: {
      field: intField(0, 600_000),
      default: '5000',
      allowed: 'integer 0..600000 (milliseconds)',
      description:
        'How long a run waits for the account lock held by another instance (one instance per account: an advisory lock on a Postgres server, the lock file <data_dir>.lock for PGlite) before it gives up with exit 75.',
    },
  },
  data: {
    dir: {
      field: pathField(true),
      default: '',
      allowed: "directory path; empty = the package's bundled data/ directory",
      description:
        "Market data directory (relative: to this file's directory; from env/flag: to the working directory).",
      flag: 'data',
    },
    market_caps: {
      field: enumField(['bundled', 'coingecko']),
      default: 'bundled',
      allowed: 'bundled | coingecko',
      description:
        'Market caps for the min_market_cap filter: bundled = the CoinMarketCap monthly snapshots in the data directory; coingecko = live /coins/markets (optional key in the env var COINGECKO_API_KEY).',
    },
    coingecko_url: {
      field: urlField(['http:', 'https:'], 'must be an http(s) URL, e.g. https://api.coingecko.com/api/v3'),
      default: 'https://api.coingecko.com/api/v3',
      allowed: 'http(s) URL',
      description: 'CoinGecko API base URL (https://pro-api.coingecko.com/api/v3 for a pro key).',
    },
    market_url: {
      field: urlField(['http:', 'https:'], 'must be empty or an http(s) URL, e.g. http://127.0.0.1:8090'),
      default: '',
      allowed: "http(s) URL; empty = Binance's public spot REST endpoint",
      description:
        'Base URL of the public market data download-data and kind = paper read (GET /api/v3/exchangeInfo, /api/v3/klines and /api/v3/ticker/price, no keys): Binance, or the local emulator.',
      flag: 'market-url',
    },
  },
  schedule: {
    rebalance_at: {
      field: scheduleField(),
      default: '00:05',
      allowed: 'HH:MM (24-hour) or a 5-6 field cron expression, e.g. 5 0 * * *',
      description:
        "When the scheduler daemon (momentum-rebalancer schedule) runs the rebalance, in [schedule] timezone. After 00:00 UTC the decision day's candle has opened.",
    },
    timezone: {
      field: timeZoneField(),
      default: 'Etc/UTC',
      allowed: 'IANA time zone name, e.g. Etc/UTC, Europe/Berlin',
      description: 'Time zone of rebalance_at (the decision day itself is always a UTC day).',
    },
    catch_up: {
      field: boolField(),
      default: 'true',
      allowed: 'true | false',
      description:
        "On start, run the rebalance at once when today's (UTC) slot has already passed; the period guard makes it a no-op when the period is done.",
    },
  },
  notify: {
    webhook_url: {
      field: urlField(
        ['http:', 'https:'],
        'must be empty or an http(s) URL, e.g. https://hooks.example.com/rebalancer',
      ),
      default: '',
      allowed: 'http(s) URL; empty = no webhook',
      description:
        'Each notification is POSTed here as one JSON object (its fields, type first, plus text). Only the host is ever logged; the stored effective config keeps the scheme and host only.',
    },
    telegram_chat_id: {
      field: checkedString(
        (s) => s === '' || TELEGRAM_CHAT_RE.test(s),
        'must be empty, a numeric Telegram chat id (e.g. -1001234567890) or @channelusername',
      ),
      default: '',
      allowed: 'numeric chat id or @channelusername; empty = no Telegram',
      description:
        'Telegram chat the notifications are sent to (Bot API sendMessage). Needs the bot token in the environment variable TELEGRAM_TOKEN (never in this file); one without the other is a config error.',
    },
    telegram_api_url: {
      field: urlField(['http:', 'https:'], 'must be an http(s) URL, e.g. https://api.telegram.org'),
      default: 'https://api.telegram.org',
      allowed: 'http(s) URL',
      description: 'Telegram Bot API base URL (a stand-in server in tests, or a local Bot API server).',
    },
    timeout_ms: {
      field: intField(100, 60_000),
      default: '5000',
      allowed: 'integer 100..60000 (milliseconds)',
      description: 'Timeout of one notification request.',
    },
    retries: {
      field: intField(0, 5),
      default: '2',
      allowed: 'integer 0..5 (retries after the first attempt)',
      description:
        'Retries of a notification that timed out, failed to connect or got HTTP 408, 429 or 5xx (backoff 200 ms, 400 ms, 800 ms, 1 s). A job waits at most (retries + 1) x timeout_ms + the backoff + 1 s for its notifications; a notification that still fails is logged as a warning and never fails the job.',
    },
    on: {
      field: notifyEventsField(),
      default: 'all',
      allowed: `all | comma-separated: ${NOTIFY_EVENT_TYPES.join(', ')}`,
      description:
        'Which events are sent: summary (each rebalance: period, status, orders, fees, equity, P/L), failure (a job that failed), reconciliation (ledger and exchange balances differ), exit (an intraday exit), halt (the account halted or resumed).',
    },
  },
  log: {
    level: {
      field: enumField(LOG_LEVELS),
      default: 'info',
      allowed: LOG_LEVELS.join(' | '),
      description: 'Minimum log level (logs go to stderr; the env var LOG_LEVEL also sets it).',
      flag: 'log-level',
      env: ['LOG_LEVEL'],
    },
    format: {
      field: enumField(['auto', 'json', 'pretty']),
      default: 'auto',
      allowed: 'auto | json | pretty',
      description: 'auto = pretty when stderr is a terminal, JSON otherwise.',
      flag: 'log-format',
    },
  },
} as const satisfies { readonly [section: string]: { readonly [key: string]: KeySpec } };

type Shape<S> = {
  -readonly [K in keyof S]: S[K] extends { readonly field: infer F extends z.ZodType } ? F : never;
};

/** The strict zod object of one section of {@link CONFIG_KEYS}. */
function sectionSchema<S extends { readonly [key: string]: KeySpec }>(section: S) {
  const shape = Object.fromEntries(Object.entries(section).map(([k, v]) => [k, v.field])) as Shape<S>;
  return z.strictObject(shape);
}

/**
 * The whole configuration, derived from {@link CONFIG_KEYS}. Input: every key present as the string
 * written by the user (the loader fills in defaults first); output: typed values. Strict: an unknown
 * section or key is an issue. Each value issue's `path` is `[section, key]` and its message is a complete
 * sentence tail (e.g. `must be an integer from 1 to 500`, `allowed values: momentum, reversal`).
 */
export const configSchema = z.strictObject({
  exchange: sectionSchema(CONFIG_KEYS.exchange),
  strategy: sectionSchema(CONFIG_KEYS.strategy),
  universe: sectionSchema(CONFIG_KEYS.universe),
  portfolio: sectionSchema(CONFIG_KEYS.portfolio),
  execution: sectionSchema(CONFIG_KEYS.execution),
  risk: sectionSchema(CONFIG_KEYS.risk),
  signals: sectionSchema(CONFIG_KEYS.signals),
  intraday: sectionSchema(CONFIG_KEYS.intraday),
  paper: sectionSchema(CONFIG_KEYS.paper),
  database: sectionSchema(CONFIG_KEYS.database),
  data: sectionSchema(CONFIG_KEYS.data),
  schedule: sectionSchema(CONFIG_KEYS.schedule),
  notify: sectionSchema(CONFIG_KEYS.notify),
  log: sectionSchema(CONFIG_KEYS.log),
} satisfies { [S in keyof typeof CONFIG_KEYS]: z.ZodType });

type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * The validated configuration (deeply frozen at run time), snake_case keys under their sections:
 * `config.strategy.top_n: number`, `config.execution.fee_rate: string` (decimal), `config.exchange.allow_mainnet:
 * boolean`, `config.universe.exclude: readonly string[]`, … Units: see {@link KEY_DOCS} / `user.cfg.example`.
 * `data.dir` is `''` (bundled dataset) or an absolute path; `database.data_dir` is an absolute path.
 */
export type Config = DeepReadonly<z.output<typeof configSchema>>;

/** The unvalidated configuration: every key as a string, as written in the file / env / flag. */
export type RawConfig = z.input<typeof configSchema>;

/**
 * A section name: `exchange`, `strategy`, `universe`, `portfolio`, `execution`, `risk`, `signals`, `intraday`,
 * `paper`, `database`, `data`, `schedule`, `notify`, `log`.
 */
export type SectionName = keyof RawConfig;

/** Documentation of one key (the documentation fields of its {@link KeySpec}). */
export interface KeyDoc {
  /** The default, as written in `user.cfg` (it parses to the default value). */
  readonly default: string;
  /** Unit and/or allowed values, for people (e.g. `integer 1..500 (symbols)`, `momentum | reversal`). */
  readonly allowed: string;
  /** What the key does. */
  readonly description: string;
}

/**
 * Defaults and documentation of every key, derived from {@link CONFIG_KEYS} (same order: the order used
 * in messages and in `user.cfg.example`).
 */
export const KEY_DOCS: { readonly [S in SectionName]: { readonly [key: string]: KeyDoc } } = Object.freeze(
  Object.fromEntries(
    Object.entries(CONFIG_KEYS).map(([section, keys]) => [
      section,
      Object.freeze(
        Object.fromEntries(
          Object.entries(keys).map(([key, k]) => [
            key,
            Object.freeze({ default: k.default, allowed: k.allowed, description: k.description }),
          ]),
        ),
      ),
    ]),
  ),
) as { readonly [S in SectionName]: { readonly [key: string]: KeyDoc } };

/** The spec of one key of the table, or undefined. */
export function keySpec(section: string, key: string): KeySpec | undefined {
  const s = (CONFIG_KEYS as Record<string, Record<string, KeySpec>>)[section];
  return s !== undefined && Object.hasOwn(s, key) ? s[key] : undefined;
}

/** The range of a sweepable key, from its field: `int`/`number` with bounds, or `enum` with values. */
export interface SweepRange {
  readonly kind: 'int' | 'number' | 'enum';
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
}

/**
 * The sweepable keys (`sweep: true`), named by their key (`top_n`, `rebalance_mode`, …): the range their
 * field accepts and the `[section, key]` they set. Derived for `backtest --sweep`.
 */
export function sweepParams(): Readonly<
  Record<string, SweepRange & { readonly config: readonly [SectionName, string] }>
> {
  const out: Record<string, SweepRange & { readonly config: readonly [SectionName, string] }> = {};
  for (const [section, keys] of Object.entries(CONFIG_KEYS) as [SectionName, Record<string, KeySpec>][]) {
    for (const [key, k] of Object.entries(keys)) {
      if (k.sweep !== true) continue;
      const range = FIELD_RANGES.get(k.field);
      if (range === undefined)
        throw new TypeError(`[${section}] ${key} is sweepable but its field has no range`);
      out[key] = { ...range, config: [section, key] };
    }
  }
  return out;
}

/** Section names in documentation order. */
export const SECTION_NAMES = Object.keys(KEY_DOCS) as readonly SectionName[];

/** The keys of `section` (INI spelling) in documentation order; `[]` for an unknown section. */
export function keysOf(section: string): readonly string[] {
  return Object.hasOwn(KEY_DOCS, section) ? Object.keys(KEY_DOCS[section as SectionName]) : [];
}

/** True when `section` is a known section name. */
export function isSection(section: string): section is SectionName {
  return Object.hasOwn(KEY_DOCS, section);
}

/** True when `key` is a known key of the known `section`. */
export function isKey(section: SectionName, key: string): boolean {
  return Object.hasOwn(KEY_DOCS[section], key);
}

/** The built-in defaults, as strings (what an empty `user.cfg` means). */
export function defaultRawConfig(): RawConfig {
  const out: Record<string, Record<string, string>> = {};
  for (const section of SECTION_NAMES) {
    const keys: Record<string, string> = {};
    for (const [key, doc] of Object.entries(KEY_DOCS[section])) keys[key] = (doc as KeyDoc).default;
    out[section] = keys;
  }
  return out as RawConfig;
}

/**
 * Validates one value for `section`.`key` (both known).
 * @returns `{ ok: true }` or `{ ok: false, message }` with the first issue's message.
 */
export function checkValue(
  section: SectionName,
  key: string,
  value: string,
): { ok: true } | { ok: false; message: string } {
  const sectionSchema = configSchema.shape[section] as z.ZodObject;
  const field = sectionSchema.shape[key] as z.ZodType | undefined;
  if (field === undefined) return { ok: false, message: `unknown key "${key}"` };
  const r = field.safeParse(value);
  if (r.success) return { ok: true };
  return { ok: false, message: r.error.issues[0]?.message ?? 'invalid value' };
}
