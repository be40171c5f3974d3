-- backtest_equity_curves: the daily equity curve of every recorded backtest (table backtest_equity) with
-- its benchmarks, a readable label per run for side-by-side charts, the running peak and the drawdown
-- (strategy-semantics.md section 9: drawdown = 1 - E / max of E so far; the first row is initial_quote),
-- and equity indexed to 1 at the start. Money in the quote asset, numeric.
create or replace view backtest_equity_curves as
select
  e.run_id,
  r.account_id,
  a.name                                                       as account,
  '#' || r.id || ' ' || r.strategy_mode || ' top ' || coalesce(r.config -> 'strategy' ->> 'top_n', '?')
    || ' lookback ' || coalesce(r.config -> 'strategy' ->> 'lookback_days', '?') || 'd '
    || coalesce(r.summary ->> 'from', '?') || '..' || coalesce(r.summary ->> 'to', '?') as label,
  e.day,
  e.equity,
  e.benchmark_btc,
  e.benchmark_equal_weight,
  max(e.equity) over w                                         as peak,
  case when max(e.equity) over w > 0 then 1 - e.equity / max(e.equity) over w end as drawdown,
  case when (r.summary ->> 'initial_quote')::numeric > 0
       then e.equity / (r.summary ->> 'initial_quote')::numeric end         as equity_index
from backtest_equity e
join runs r on r.id = e.run_id
join accounts a on a.id = r.account_id
window w as (partition by e.run_id order by e.day rows between unbounded preceding and current row);

comment on view backtest_equity_curves is 'Per backtest run and day: equity, BTC-hold and equal-weight benchmark equity (quote asset), running peak, drawdown = 1 - equity / peak (fraction), equity indexed to 1 at initial_quote, and a label (#run mode top N lookback period) for side-by-side charts.';
