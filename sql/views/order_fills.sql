-- order_fills: every order with its plan (decision price), its outcome (average fill price, executed
-- quantity and quote), slippage in basis points against the decision price, signed so that a worse price
-- is positive (BUY: (avg - decision) / decision x 1e4; SELL: (decision - avg) / decision x 1e4), the
-- recorded latency, and the commissions of its fills valued in the quote asset. Exact numerics.
create or replace view order_fills as
select
  o.id                                                         as order_id,
  o.run_id,
  o.account_id,
  a.name                                                       as account,
  a.quote_asset,
  r.period,
  o.client_order_id,
  o.exchange_order_id,
  o.symbol,
  o.side,
  o.leg,
  o.status,
  o.quantity                                                   as requested_quantity,
  o.quote_order_qty                                            as requested_quote,
  o.decided_at,
  o.decision_price,
  o.executed_qty,
  o.cummulative_quote_qty                                      as executed_quote,
  case when o.executed_qty > 0 then o.cummulative_quote_qty / o.executed_qty end as avg_fill_price,
  case when o.executed_qty > 0 and o.decision_price > 0 then
    round((case when o.side = 'BUY' then o.cummulative_quote_qty / o.executed_qty - o.decision_price
                else o.decision_price - o.cummulative_quote_qty / o.executed_qty end)
          / o.decision_price * 10000, 6)
  end                                                          as slippage_bps,
  o.latency_ms,
  o.transact_time                                              as answered_at,
  coalesce(f.fills, 0)                                         as fills,
  coalesce(f.fees_quote, 0)                                    as fees_quote,
  o.reject_code,
  o.reject_reason                                              as reason,
  o.reject_message
from orders o
join accounts a on a.id = o.account_id
join runs r on r.id = o.run_id
left join (
  select order_id, count(*) as fills, sum(commission_quote) as fees_quote
  from fills group by order_id
) f on f.order_id = o.id;

comment on view order_fills is 'Per order: decision price, average fill price, slippage in bps against the decision price (positive = worse for the account), latency in ms (recorded: decision to the exchange''s answer, local clock; null for simulated fills), fees of its fills in the quote asset, status and rejection reason.';
