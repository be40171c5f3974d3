-- run_overview: one row per run with its order, fill and rejection counts, fees, traded volume and
-- the equity it ended with. Money in the account's quote asset.
create or replace view run_overview as
select
  r.id                                   as run_id,
  r.account_id,
  a.name                                 as account,
  r.kind,
  r.period,
  r.status,
  r.exit_reason,
  r.dry_run,
  r.forced,
  r.rebalance_mode,
  r.strategy_mode,
  r.decision_time,
  r.started_at,
  r.finished_at,
  r.duration_ms,
  coalesce(o.orders, 0)                  as orders,
  coalesce(o.filled, 0)                  as filled_orders,
  coalesce(o.rejected, 0)                as rejected_orders,
  coalesce(o.pending, 0)                 as pending_orders,
  coalesce(f.fills, 0)                   as fills,
  coalesce(f.fees_quote, 0)              as fees_quote,
  coalesce(f.bought_quote, 0)            as bought_quote,
  coalesce(f.sold_quote, 0)              as sold_quote,
  coalesce(u.considered, 0)              as symbols_considered,
  coalesce(u.selected, 0)                as symbols_selected,
  e.equity,
  e.cash,
  e.positions_value,
  e.realized_pnl,
  e.unrealized_pnl,
  e.equity - a.initial_quote             as total_pnl
from runs r
join accounts a on a.id = r.account_id
left join (
  select run_id,
         count(*)                                          as orders,
         count(*) filter (where status = 'FILLED')         as filled,
         count(*) filter (where status = 'REJECTED')       as rejected,
         count(*) filter (where status = 'PENDING')        as pending
  from orders group by run_id
) o on o.run_id = r.id
left join (
  select run_id,
         count(*)                                          as fills,
         sum(commission_quote)                             as fees_quote,
         sum(quote_quantity) filter (where side = 'BUY')   as bought_quote,
         sum(quote_quantity) filter (where side = 'SELL')  as sold_quote
  from fills group by run_id
) f on f.run_id = r.id
left join (
  select run_id, count(*) as considered, count(*) filter (where selected) as selected
  from universe_decisions group by run_id
) u on u.run_id = r.id
left join equity_snapshots e on e.run_id = r.id;

comment on view run_overview is 'Per run: status, timings, counts of orders/fills/rejections, fees and traded volume (quote asset), and the equity the run ended with.';
