-- 008_paper: the paper exchange (issue 13 item 2). A paper account keeps the book of simulated fills at
-- the last prices of Binance's public market data; its venue is "paper <market-data URL>". Existing rows
-- are kept: only the allowed values of accounts.exchange_kind grow.

alter table accounts drop constraint accounts_exchange_kind_check;
alter table accounts add constraint accounts_exchange_kind_check
  check (exchange_kind in ('replay', 'paper', 'testnet', 'live'));
comment on column accounts.exchange_kind is 'replay (simulated over recorded candles), paper (simulated at the live last prices of public market data, no keys), testnet or live.';
