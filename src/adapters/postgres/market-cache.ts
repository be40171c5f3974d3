/**
 * The market-data cache port over the ledger's database (tables `kline_cache` and `symbol_listings`,
 * sql/migrations/002_exchange.sql). Prices and volumes stay decimal strings (`numeric` both ways).
 */
import { type Kysely, sql } from 'kysely';
import type { Candle } from '../../domain/types.ts';
import type { ListingInfo, MarketCache } from '../../ports/market-cache.ts';
import type { Database } from './schema.ts';

/** A cached candle as the query's json_agg gives it: open time (ms), OHLC, volume, quote volume, trades. */
type CachedCandle = [number, string, string, string, string, string, string | null, number | null];

const CHUNK = 400;

/** {@link MarketCache} on a migrated ledger database. */
export class PostgresMarketCache implements MarketCache {
  constructor(private readonly db: Kysely<Database>) {}

  /** One query for all symbols; candles ascending by open time. */
  async dailyCandles(
    source: string,
    symbols: readonly string[],
    fromMs: number,
    toMs: number,
  ): Promise<Map<string, Candle[]>> {
    const out = new Map<string, Candle[]>();
    if (symbols.length === 0) return out;
    // One row per symbol, its candles aggregated to JSON text by the database: far fewer values to
    // convert than one row per candle (PGlite: ~4x faster for 400 symbols × 9 days). Decimals travel
    // as JSON strings (exact), open times as integers (UTC ms).
    const rows = await sql<{ symbol: string; candles: string }>`
      select symbol, json_agg(json_build_array(
               (extract(epoch from open_time) * 1000)::bigint, open::text, high::text, low::text, close::text,
               volume::text, quote_volume::text, trades) order by open_time)::text as candles
      from kline_cache
      where source = ${source} and interval = '1d' and symbol in (${sql.join(symbols)})
        and open_time >= ${new Date(fromMs)} and open_time <= ${new Date(toMs)}
      group by symbol`.execute(this.db);
    for (const r of rows.rows) {
      const list = JSON.parse(r.candles) as CachedCandle[];
      out.set(
        r.symbol,
        list.map(([openTime, open, high, low, close, volume, quoteVolume, trades]) => ({
          openTime: Number(openTime),
          open,
          high,
          low,
          close,
          volume,
          quoteVolume,
          trades,
        })),
      );
    }
    return out;
  }

  /** Upserts closed candles in chunks, in one transaction. */
  async saveDailyCandles(
    source: string,
    rows: readonly { symbol: string; candles: readonly Candle[] }[],
  ): Promise<void> {
    const values = rows.flatMap(({ symbol, candles }) =>
      candles.map((c) => ({
        source,
        symbol,
        interval: '1d',
        open_time: new Date(c.openTime),
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
        volume: c.volume,
        quote_volume: c.quoteVolume,
        trades: c.trades === null ? null : String(c.trades),
      })),
    );
    if (values.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < values.length; i += CHUNK) {
        await trx
          .insertInto('kline_cache')
          .values(values.slice(i, i + CHUNK))
          .onConflict((oc) =>
            oc.columns(['source', 'symbol', 'interval', 'open_time']).doUpdateSet({
              open: (eb) => eb.ref('excluded.open'),
              high: (eb) => eb.ref('excluded.high'),
              low: (eb) => eb.ref('excluded.low'),
              close: (eb) => eb.ref('excluded.close'),
              volume: (eb) => eb.ref('excluded.volume'),
              quote_volume: (eb) => eb.ref('excluded.quote_volume'),
              trades: (eb) => eb.ref('excluded.trades'),
              fetched_at: sql`now()`,
            }),
          )
          .execute();
      }
    });
  }

  async listings(source: string): Promise<Map<string, ListingInfo>> {
    const rows = await this.db
      .selectFrom('symbol_listings')
      .select(['symbol', 'first_open_time', 'listed_before'])
      .where('source', '=', source)
      .execute();
    return new Map(
      rows.map((r) => [
        r.symbol,
        {
          firstOpenTime: r.first_open_time ? r.first_open_time.getTime() : null,
          listedBefore: r.listed_before ? r.listed_before.getTime() : null,
        },
      ]),
    );
  }

  /** Upserts; an exact `first_open_time` already stored is kept when the new row has only a bound. */
  async saveListings(source: string, rows: readonly ({ symbol: string } & ListingInfo)[]): Promise<void> {
    const values = rows
      .filter((r) => r.firstOpenTime !== null || r.listedBefore !== null)
      .map((r) => ({
        source,
        symbol: r.symbol,
        first_open_time: r.firstOpenTime === null ? null : new Date(r.firstOpenTime),
        listed_before: r.listedBefore === null ? null : new Date(r.listedBefore),
      }));
    for (let i = 0; i < values.length; i += CHUNK) {
      await this.db
        .insertInto('symbol_listings')
        .values(values.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc.columns(['source', 'symbol']).doUpdateSet({
            first_open_time: sql`coalesce(excluded.first_open_time, symbol_listings.first_open_time)`,
            listed_before: sql`least(excluded.listed_before, symbol_listings.listed_before)`,
            checked_at: sql`now()`,
          }),
        )
        .execute();
    }
  }
}
