-- equity_drawdown_daily: per account and UTC day, the equity of the day (daily_equity: the last snapshot
-- of the day), the running peak and the drawdown below it. strategy-semantics.md section 10 "Portfolio
-- risk": peak = max of initial_quote and every equity so far; section 9: drawdown = 1 - E / peak, a
-- positive fraction (0 at a new peak). Money in the account's quote asset (numeric, exact).
create or replace view equity_drawdown_daily as
select
  d.account_id,
  d.account,
  d.quote_asset,
  d.day,
  d.equity,
  d.initial_quote,
  greatest(d.initial_quote, max(d.equity) over w)              as peak,
  case when greatest(d.initial_quote, max(d.equity) over w) > 0
       then 1 - d.equity / greatest(d.initial_quote, max(d.equity) over w)
  end                                                          as drawdown,
  d.total_pnl,
  d.realized_pnl,
  d.unrealized_pnl,
  d.fees_quote,
  d.run_id
from daily_equity d
window w as (partition by d.account_id order by d.day rows between unbounded preceding and current row);

comment on view equity_drawdown_daily is 'Per account and UTC day: equity (last snapshot of the day), running peak (max of initial_quote and every equity so far, strategy-semantics.md section 10) and drawdown = 1 - equity / peak (positive fraction). Quote asset, numeric.';
