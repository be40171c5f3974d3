-- reconciliation_differences: per run on a real exchange (one that recorded the exchange's balances) and
-- per asset the book manages or the run flagged: the book's quantity after the run (balance_snapshots,
-- free + locked), the exchange's (exchange_balance_snapshots phase after, free + locked), the
-- difference exchange - book, and what the run itself recorded in reconciliations (phase, expected,
-- actual, difference, note). Quantities in asset units, numeric.
create or replace view reconciliation_differences as
with exchange_runs as (
  select distinct run_id from exchange_balance_snapshots
),
keys as (
  select b.run_id, b.asset from balance_snapshots b join exchange_runs e on e.run_id = b.run_id
  union
  select run_id, asset from reconciliations
)
select
  k.run_id,
  r.account_id,
  a.name                                                       as account,
  r.period,
  r.status                                                     as run_status,
  k.asset,
  b.free + b.locked                                            as book_quantity,
  x.free + x.locked                                            as exchange_quantity,
  (x.free + x.locked) - (b.free + b.locked)                    as difference,
  c.phase                                                      as recorded_phase,
  c.expected                                                   as recorded_expected,
  c.actual                                                     as recorded_actual,
  c.difference                                                 as recorded_difference,
  c.note
from keys k
join runs r on r.id = k.run_id
join accounts a on a.id = r.account_id
left join balance_snapshots b on b.run_id = k.run_id and b.asset = k.asset
left join exchange_balance_snapshots x on x.run_id = k.run_id and x.phase = 'after' and x.asset = k.asset
left join reconciliations c on c.run_id = k.run_id and c.asset = k.asset;

comment on view reconciliation_differences is 'Per real-exchange run and asset: book quantity (ledger, after the run) vs exchange quantity (GET /api/v3/account after the run), difference = exchange - book (positive: the exchange holds more than the book manages), and the differences the run recorded itself (reconciliations: phase, expected, actual, note; null when it reconciled exactly).';
