-- backtest_overview: one row per recorded backtest run (runs.kind = 'backtest') with its period, main
-- parameters and metrics from runs.summary / runs.config (sql/migrations/003_backtests.sql created it;
-- this file is its current definition: the columns of 003 in the same order, new ones appended, since
-- `create or replace view` can only add columns at the end). Money numeric; metrics are floats
-- (fractions, strategy-semantics.md section 9).
create or replace view backtest_overview as
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
  r.summary -> 'sweep'                                          as sweep,
  r.summary ->> 'engine'                                        as engine,
  (r.summary ->> 'rejected')::integer                           as rejected_orders,
  (r.summary -> 'benchmarks' -> 'btc_hold' ->> 'max_drawdown')::double precision     as btc_hold_max_drawdown,
  (r.summary -> 'benchmarks' -> 'equal_weight' ->> 'max_drawdown')::double precision as equal_weight_max_drawdown,
  (r.summary ->> 'final_equity')::numeric - (r.summary ->> 'initial_quote')::numeric     as total_pnl
from runs r
join accounts a on a.id = r.account_id
where r.kind = 'backtest';

comment on view backtest_overview is 'Per backtest run: period, parameters, final equity and P/L (quote asset, numeric), the strategy-semantics section 9 metrics of the strategy and its benchmarks (fractions; fees in the quote asset), engine and rejected orders. Daily curves: backtest_equity_curves.';
