-- 002_exchange: what trading on a real exchange (Binance testnet / mainnet, or the local emulator) adds
-- to the ledger: a kline cache for incremental market data, listing times, the exchange's own balances
-- after each run, and the reconciliation of those balances with the ledger.
-- Same conventions as 001 (numeric decimals, timestamptz instants, bigint identities).

-- ---- market-data cache --------------------------------------------------------------------------------
create table kline_cache (
  source        text        not null,
  symbol        text        not null,
  interval      text        not null,
  open_time     timestamptz not null,
  open          numeric     not null check (open >= 0),
  high          numeric     not null check (high >= 0),
  low           numeric     not null check (low >= 0),
  close         numeric     not null check (close >= 0),
  volume        numeric     not null check (volume >= 0),
  quote_volume  numeric              check (quote_volume >= 0),
  trades        bigint               check (trades >= 0),
  fetched_at    timestamptz not null default now(),
  primary key (source, symbol, interval, open_time)
);
comment on table kline_cache is 'Closed klines fetched from an exchange (GET /api/v3/klines), so later runs fetch only new candles. Never holds the unfinished candle.';
comment on column kline_cache.source is 'Where the klines came from: the exchange base URL host, e.g. testnet.binance.vision.';
comment on column kline_cache.symbol is 'Exchange symbol, e.g. BTCUSDT.';
comment on column kline_cache.interval is 'Kline interval, e.g. 1d.';
comment on column kline_cache.open_time is 'Candle open time (UTC).';
comment on column kline_cache.open is 'Open price, quote asset per base unit.';
comment on column kline_cache.close is 'Close price, quote asset per base unit.';
comment on column kline_cache.volume is 'Base-asset volume.';
comment on column kline_cache.quote_volume is 'Quote-asset volume.';
comment on column kline_cache.trades is 'Number of trades.';

create table symbol_listings (
  source           text        not null,
  symbol           text        not null,
  first_open_time  timestamptz,
  listed_before    timestamptz,
  checked_at       timestamptz not null default now(),
  primary key (source, symbol),
  constraint symbol_listings_known check (first_open_time is not null or listed_before is not null)
);
comment on table symbol_listings is 'Listing time of a symbol: the open time of its first daily candle when known exactly, else a bound (listed on or before).';
comment on column symbol_listings.first_open_time is 'Open time of the first daily candle (UTC), when a request reached it.';
comment on column symbol_listings.listed_before is 'The symbol had a daily candle at this time (UTC): listed at least this long ago (used when the first candle was not fetched).';

-- ---- exchange balances and reconciliation ---------------------------------------------------------------
create table exchange_balance_snapshots (
  id           bigint generated always as identity primary key,
  run_id       bigint      not null references runs (id),
  account_id   bigint      not null references accounts (id),
  phase        text        not null check (phase in ('before', 'after')),
  asset        text        not null,
  free         numeric     not null check (free >= 0),
  locked       numeric     not null check (locked >= 0),
  recorded_at  timestamptz not null default now(),
  unique (run_id, phase, asset)
);
create index exchange_balance_snapshots_account_idx on exchange_balance_snapshots (account_id, run_id);
comment on table exchange_balance_snapshots is 'The exchange account''s own balances (GET /api/v3/account) before and after each run on a real exchange. The ledger''s balances table holds what the strategy manages; these hold the whole account.';
comment on column exchange_balance_snapshots.phase is 'before (at the start of the run) or after (when its orders are done).';

create table reconciliations (
  id           bigint generated always as identity primary key,
  run_id       bigint      not null references runs (id),
  account_id   bigint      not null references accounts (id),
  phase        text        not null check (phase in ('before', 'after')),
  asset        text        not null,
  expected     numeric     not null,
  actual       numeric     not null,
  difference   numeric     not null,
  note         text        not null,
  recorded_at  timestamptz not null default now(),
  unique (run_id, phase, asset)
);
create index reconciliations_account_idx on reconciliations (account_id, run_id);
comment on table reconciliations is 'Differences between the exchange''s balances and what the ledger expected; one row per asset that differs (no row = reconciled exactly).';
comment on column reconciliations.phase is 'before: the exchange holds less than the ledger manages at the start of a run; after: the exchange''s balance after the run differs from its balance before plus the run''s fills.';
comment on column reconciliations.expected is 'What the ledger expected the exchange to hold, in asset units.';
comment on column reconciliations.actual is 'What the exchange reported, in asset units.';
comment on column reconciliations.difference is 'actual - expected, in asset units.';

-- ---- orders: the local latency of a real order ----------------------------------------------------------
comment on column orders.latency_ms is 'Decision-to-fill latency in milliseconds (local clock: from the decision to the exchange''s answer); null for simulated fills.';
