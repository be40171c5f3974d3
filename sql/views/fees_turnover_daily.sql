-- fees_turnover_daily: per account and decision day (runs.period of the runs whose orders filled), the
-- commissions valued in the quote asset, the traded notional (sum of fill q x p) and the turnover of the
-- day = traded notional / equity of the day (strategy-semantics.md section 9 turnover, per day: the
-- denominator is the day's equity from daily_equity, not mean(E)). Money in the quote asset.
create or replace view fees_turnover_daily as
with traded as (
  select f.account_id,
         r.period                                              as day,
         count(*)                                              as fills,
         count(distinct f.order_id)                            as filled_orders,
         sum(f.commission_quote)                               as fees_quote,
         sum(f.quote_quantity)                                 as traded_quote,
         coalesce(sum(f.quote_quantity) filter (where f.side = 'BUY'), 0)  as bought_quote,
         coalesce(sum(f.quote_quantity) filter (where f.side = 'SELL'), 0) as sold_quote
  from fills f
  join runs r on r.id = f.run_id
  where r.kind in ('rebalance', 'intraday')
  group by f.account_id, r.period
),
days as (
  select account_id, day from daily_equity
  union
  select account_id, day from traded
)
select
  x.account_id,
  a.name                                                       as account,
  a.quote_asset,
  x.day,
  coalesce(t.fills, 0)                                         as fills,
  coalesce(t.filled_orders, 0)                                 as filled_orders,
  coalesce(t.fees_quote, 0)                                    as fees_quote,
  coalesce(t.traded_quote, 0)                                  as traded_quote,
  coalesce(t.bought_quote, 0)                                  as bought_quote,
  coalesce(t.sold_quote, 0)                                    as sold_quote,
  d.equity,
  case when d.equity > 0 then coalesce(t.traded_quote, 0) / d.equity end as turnover,
  sum(coalesce(t.fees_quote, 0)) over (partition by x.account_id order by x.day
                                       rows between unbounded preceding and current row) as fees_quote_cumulative
from days x
join accounts a on a.id = x.account_id
left join traded t on t.account_id = x.account_id and t.day = x.day
left join daily_equity d on d.account_id = x.account_id and d.day = x.day;

comment on view fees_turnover_daily is 'Per account and decision day: fills, commissions in the quote asset (and cumulative), traded notional (sum q x p, buys and sells) and turnover = traded notional / equity of the day (null without an equity snapshot that day).';
