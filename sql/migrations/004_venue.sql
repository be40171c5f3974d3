-- 004_venue: one book per venue, honest run outcomes, resumable periods (issues 9.1, 9.2, 14.1).
-- An account's book belongs to one venue: the exchange kind and its endpoint. Existing rows are kept;
-- replay accounts get the venue `replay`, testnet/live accounts adopt the endpoint of their next run.

alter table accounts add column venue text;
update accounts set venue = 'replay' where exchange_kind = 'replay';
comment on column accounts.venue is 'The venue whose book this is: replay, or "<kind> <base URL>" (e.g. testnet https://testnet.binance.vision). A run against another venue is refused before any request. Null: a testnet/live account created before migration 004, adopted by its next run.';

alter table runs drop constraint runs_status_check;
alter table runs add constraint runs_status_check
  check (status in ('running', 'completed', 'completed_with_rejections', 'failed', 'skipped', 'refused',
                    'abandoned', 'halted'));
comment on column runs.status is 'running; completed (every order answered, none rejected); completed_with_rejections; failed (an error stopped it); skipped (already rebalanced / not due); refused (a guard stopped it before any order); abandoned (its process died: marked by a later run); halted (reserved for the intraday worker).';

alter table runs add column continues_run_id bigint references runs (id);
alter table runs add column heartbeat_at timestamptz;
comment on column runs.continues_run_id is 'The failed or abandoned run of the same period this run resumes (14.1), or null.';
comment on column runs.heartbeat_at is 'Last sign of life of a running run (UTC); a running run without one for longer than the lease is abandoned.';

-- Dust (9.4): a planned order that §7's rules reject at the decision price is recorded, never sent.
alter table orders drop constraint orders_status_check;
alter table orders add constraint orders_status_check
  check (status in ('PENDING', 'NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'PENDING_CANCEL', 'REJECTED',
                    'EXPIRED', 'EXPIRED_IN_MATCH', 'SKIPPED'));
comment on column orders.status is 'PENDING (recorded, not yet answered), SKIPPED (planned, not sent: reject_reason dust), or the exchange status: NEW, PARTIALLY_FILLED, FILLED, EXPIRED, REJECTED, ...';
