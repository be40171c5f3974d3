-- 003_backtests: recorded backtests (`npm run backtest`, issue #4). A backtest is a run of kind
-- 'backtest' (runs.kind allows it since 001) under the ledger account '<[paper] account>-backtest'
-- (exchange_kind 'replay'); its effective config is runs.config, its metrics are in runs.summary (jsonb,
-- see backtest_overview below) and its daily equity curve is in backtest_equity.
-- Same conventions as 001: money is numeric (exact decimals, written as decimal strings; the backtest
-- writes the exact decimal equity it computed, never a rounded float), days are `date` (UTC).

create table backtest_equity (
  run_id                  bigint  not null references runs (id),
  day                     date    not null,
  equity                  numeric not null,
  benchmark_btc           numeric,
  benchmark_equal_weight  numeric,
  primary key (run_id, day)
);
comment on table backtest_equity is 'Daily equity curve of a backtest run (runs.kind = backtest): one row per day from the day before --from (= initial_quote) to --to, at the close of the day (strategy-semantics.md section 9).';
comment on column backtest_equity.run_id is 'The backtest run (runs.id, kind backtest).';
comment on column backtest_equity.day is 'UTC day. The first row is the day before --from and holds initial_quote.';
comment on column backtest_equity.equity is 'Strategy equity at the close of the day: cash + sum of holding x close (last known close for a symbol without a candle that day), in the quote asset; exact decimal.';
comment on column backtest_equity.benchmark_btc is 'BTC-hold benchmark equity (BTCUSDT bought with all cash at the open of --from, then held), quote asset; null when not computed (sweeps).';
comment on column backtest_equity.benchmark_equal_weight is 'Equal-weight-universe benchmark equity (the strategy with top_n = every eligible symbol), quote asset; null when not computed (sweeps).';

-- One row per backtest run with its period, main parameters and metrics (from runs.summary / runs.config).
create view backtest_overview as
select
  r.id                                                          as run_id,
  r.account_id,
  a.name                                                        as account,
  a.quote_asset,
  r.status,
  r.started_at,
  r.finished_at,
  r.duration_ms,
  (r.summary ->> 'from')::date                                  as from_day,
  (r.summary ->> 'to')::date                                    as to_day,
  (r.summary ->> 'days')::integer                               as days,
  r.strategy_mode,
  r.rebalance_mode,
  (r.config -> 'strategy' ->> 'lookback_days')::integer         as lookback_days,
  (r.config -> 'strategy' ->> 'top_n')::integer                 as top_n,
  (r.config -> 'strategy' ->> 'rebalance_every_days')::integer  as rebalance_every_days,
  (r.summary ->> 'initial_quote')::numeric                      as initial_quote,
  (r.summary ->> 'final_equity')::numeric                       as final_equity,
  (r.summary -> 'metrics' ->> 'total_return')::double precision as total_return,
  (r.summary -> 'metrics' ->> 'cagr')::double precision         as cagr,
  (r.summary -> 'metrics' ->> 'volatility')::double precision   as volatility,
  (r.summary -> 'metrics' ->> 'sharpe')::double precision       as sharpe,
  (r.summary -> 'metrics' ->> 'sortino')::double precision      as sortino,
  (r.summary -> 'metrics' ->> 'max_drawdown')::double precision as max_drawdown,
  (r.summary -> 'metrics' ->> 'calmar')::double precision       as calmar,
  (r.summary -> 'metrics' ->> 'fees')::double precision         as fees,
  (r.summary -> 'metrics' ->> 'turnover')::double precision     as turnover,
  (r.summary -> 'metrics' ->> 'n_trades')::integer              as n_trades,
  (r.summary -> 'benchmarks' -> 'btc_hold' ->> 'total_return')::double precision     as btc_hold_total_return,
  (r.summary -> 'benchmarks' -> 'btc_hold' ->> 'sharpe')::double precision           as btc_hold_sharpe,
  (r.summary -> 'benchmarks' -> 'equal_weight' ->> 'total_return')::double precision as equal_weight_total_return,
  (r.summary -> 'benchmarks' -> 'equal_weight' ->> 'sharpe')::double precision       as equal_weight_sharpe,
  r.summary -> 'sweep'                                          as sweep
from runs r
join accounts a on a.id = r.account_id
where r.kind = 'backtest';

comment on view backtest_overview is 'Per backtest run: period, parameters, final equity and the strategy-semantics section 9 metrics of the strategy and its benchmarks (fractions; fees in the quote asset). Daily curves: backtest_equity.';
