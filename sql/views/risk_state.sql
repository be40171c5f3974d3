-- risk_state: the intraday worker's state per account now (strategy-semantics.md section 10): each held
-- symbol's position state (cost basis, holding, entry = cost basis / holding, peak, the last candle
-- evaluated, a pending exit) with the account's kill switch (running, daily_loss_stop, halted; no
-- risk_halts row = running). Money in the account's quote asset; prices in quote per base.
create or replace view risk_state as
select
  a.id                                                      as account_id,
  a.name                                                    as account,
  a.quote_asset,
  coalesce(h.status, 'running')                             as halt_status,
  h.since                                                   as halt_since,
  h.reason                                                  as halt_reason,
  p.symbol,
  p.holding,
  p.cost_basis,
  case when p.holding > 0 then p.cost_basis / p.holding end as entry_price,
  p.peak,
  p.last_candle_open,
  p.pending_reason,
  p.updated_at
from accounts a
left join risk_halts h on h.account_id = a.id
left join position_risk p on p.account_id = a.id and p.holding > 0;

comment on view risk_state is 'Per account: the kill switch (halt_status, since, reason) and each held symbol''s §10 state (holding, cost basis, entry, peak, last candle evaluated, pending exit). An account without positions has one row with null symbol.';
