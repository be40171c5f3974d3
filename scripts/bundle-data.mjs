#!/usr/bin/env node
/**
 * Builds the project's compact copy of the real market data under `data/` (repo root) from the shared
 * data directory (default `../shared/data`, relative to the repo root; override with `--from DIR`).
 *
 * Output layout = the shared layout, files gzip-compressed (level 9, deterministic: Node writes mtime 0):
 *   data/binance/klines-1d/<SYMBOL>.csv.gz             every daily kline file, bytes unchanged before compression
 *   data/binance/klines-1h/<SYMBOL>.csv.gz             every hourly kline file, idem
 *   data/binance/exchangeInfo.json.gz                  `symbols` filtered to quoteAsset === 'USDT', rest unchanged
 *   data/binance/exchangeInfo-2022-11-28.json.gz       idem
 *   data/binance/symbols.csv.gz                        byte-for-byte
 *   data/marketcap/cmc_monthly_top200_2020-01_to_2025-10.csv.gz   byte-for-byte
 *   data/SOURCES.md                                    provenance + sha256 of every original
 * Not bundled: close-only series (closes-1d), the 2013-2025 CMC long file.
 * Format choice (measured 2026-12-03 on the 2-vCPU dev VM, 592 daily files, 51.2 MB raw): per-file gzip -9
 * 18.1 MB, decompressed in ~0.2-0.4 s; one brotli-11 stream of all daily CSVs 13.7 MB but ~1.2-1.7 s to
 * decompress (over the 1 s load budget); one gzip stream 17.6 MB (no real gain). Per-file gzip keeps the
 * shared layout, so every reader handles `<name>` and `<name>.gz` alike.
 *
 * Usage: node scripts/bundle-data.mjs [--from DIR] [--out DIR]
 * Exits 1 (message on stderr) when a source file is missing or the total exceeds 30 MB.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_TOTAL_BYTES = 30 * 1024 * 1024;
const KLINE_HEADER = 'open_time_ms,open,high,low,close,volume,quote_volume,trades';
const CMC_FILE = 'cmc_monthly_top200_2020-01_to_2025-10.csv';
const EXCHANGE_INFOS = ['exchangeInfo.json', 'exchangeInfo-2022-11-28.json'];

function parseArgs(argv) {
  const args = { from: path.resolve(REPO_ROOT, '../shared/data'), out: path.join(REPO_ROOT, 'data') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--from' || a === '--out') {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a directory`);
      args[a.slice(2)] = path.resolve(v);
    } else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/bundle-data.mjs [--from DIR] [--out DIR]');
      process.exit(0);
    } else
      throw new Error(`unknown argument ${a} (usage: node scripts/bundle-data.mjs [--from DIR] [--out DIR])`);
  }
  return args;
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const gz = (buf) => gzipAsync(buf, { level: constants.Z_BEST_COMPRESSION });
const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;

/** Runs `fn` over `items` with at most `limit` in flight; keeps order. */
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Keeps the USDT-quoted symbols of an exchangeInfo document. The originals are compact JSON whose
 * JSON.parse/JSON.stringify round trip is byte-identical (checked here), so every kept symbol object is
 * written back exactly as it was.
 */
function filterExchangeInfo(buf, file) {
  const text = buf.toString('utf8');
  const doc = JSON.parse(text);
  if (!doc || !Array.isArray(doc.symbols)) throw new Error(`${file}: not an exchangeInfo document`);
  const roundTrip = JSON.stringify(doc) === text;
  if (!roundTrip) {
    console.warn(
      `warning: ${file}: JSON round trip is not byte-identical (formatting differs; values are kept)`,
    );
  }
  const kept = doc.symbols.filter((s) => s.quoteAsset === 'USDT');
  const out = {};
  for (const k of Object.keys(doc)) out[k] = k === 'symbols' ? kept : doc[k];
  // Verify: every kept object serialises to a substring of the original (values unchanged).
  if (roundTrip) {
    for (const s of kept) {
      if (!text.includes(JSON.stringify(s))) throw new Error(`${file}: ${s.symbol} changed while filtering`);
    }
  }
  return {
    json: Buffer.from(JSON.stringify(out), 'utf8'),
    total: doc.symbols.length,
    kept: kept.length,
    serverTime: doc.serverTime,
    keys: Object.keys(doc),
  };
}

async function dirBytes(dir) {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? await dirBytes(p) : (await stat(p)).size;
  }
  return total;
}

async function main() {
  const { from, out } = parseArgs(process.argv.slice(2));
  const klinesDir = path.join(from, 'binance', 'klines-1d');
  try {
    await stat(klinesDir);
  } catch {
    throw new Error(`source ${from} does not have the shared layout (expected ${klinesDir}/<SYMBOL>.csv)`);
  }
  const t0 = performance.now();
  // Rebuild only what we own under out/ (binance/, marketcap/, SOURCES.md).
  await rm(path.join(out, 'binance'), { recursive: true, force: true });
  await rm(path.join(out, 'marketcap'), { recursive: true, force: true });
  await mkdir(path.join(out, 'binance', 'klines-1d'), { recursive: true });
  await mkdir(path.join(out, 'binance', 'klines-1h'), { recursive: true });
  await mkdir(path.join(out, 'marketcap'), { recursive: true });

  /** rows for the provenance table: [relative original path, bytes, sha256, bundled as] */
  const manifest = [];

  // 1. daily and hourly klines, byte-for-byte
  /** @type {Record<string, { files: string[], rows: number }>} */
  const klineStats = {};
  for (const interval of ['1d', '1h']) {
    const srcDir = path.join(from, 'binance', `klines-${interval}`);
    const files = (await readdir(srcDir)).filter((f) => f.endsWith('.csv')).sort();
    const results = await mapLimit(files, 4, async (f) => {
      const buf = await readFile(path.join(srcDir, f));
      const firstLine = buf.subarray(0, buf.indexOf(10)).toString('utf8');
      if (firstLine !== KLINE_HEADER)
        throw new Error(`klines-${interval}/${f}: unexpected header ${JSON.stringify(firstLine)}`);
      let rows = 0;
      for (let i = 0; i < buf.length; i++) if (buf[i] === 10) rows++;
      await writeFile(path.join(out, 'binance', `klines-${interval}`, `${f}.gz`), await gz(buf));
      return { f, bytes: buf.length, sha: sha256(buf), rows: rows - 1 };
    });
    let rows = 0;
    for (const r of results) {
      rows += r.rows;
      manifest.push([
        `binance/klines-${interval}/${r.f}`,
        r.bytes,
        r.sha,
        `binance/klines-${interval}/${r.f}.gz`,
      ]);
    }
    klineStats[interval] = { files, rows };
  }

  // 2. exchangeInfo snapshots, USDT only
  const infoStats = [];
  for (const f of EXCHANGE_INFOS) {
    const buf = await readFile(path.join(from, 'binance', f));
    const r = filterExchangeInfo(buf, f);
    await writeFile(path.join(out, 'binance', `${f}.gz`), await gz(r.json));
    manifest.push([`binance/${f}`, buf.length, sha256(buf), `binance/${f}.gz (symbols filtered to USDT)`]);
    infoStats.push({ f, ...r });
  }

  // 3. symbols.csv and the CMC top-200 file, byte-for-byte
  for (const [rel, outRel] of [
    ['binance/symbols.csv', 'binance/symbols.csv.gz'],
    [`marketcap/${CMC_FILE}`, `marketcap/${CMC_FILE}.gz`],
  ]) {
    const buf = await readFile(path.join(from, rel));
    await writeFile(path.join(out, outRel), await gz(buf));
    manifest.push([rel, buf.length, sha256(buf), outRel]);
  }

  // 4. provenance
  await writeFile(path.join(out, 'SOURCES.md'), sourcesMd({ klineStats, infoStats, manifest }));

  const total = await dirBytes(out);
  const originals = manifest.reduce((s, m) => s + m[1], 0);
  console.log(
    `bundled ${klineStats['1d'].files.length} daily kline files (${klineStats['1d'].rows} rows), ${
      klineStats['1h'].files.length
    } hourly kline files (${klineStats['1h'].rows} rows), ${infoStats
      .map((s) => `${s.f} ${s.kept}/${s.total} symbols`)
      .join(', ')}, symbols.csv, ${CMC_FILE}`,
  );
  console.log(
    `originals ${mb(originals)} -> ${out} total ${mb(total)} (${total} bytes) in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  if (total > MAX_TOTAL_BYTES)
    throw new Error(`bundle is ${mb(total)}, over the ${mb(MAX_TOTAL_BYTES)} budget`);
}

function sourcesMd({ klineStats, infoStats, manifest }) {
  const d = klineStats['1d'];
  const h = klineStats['1h'];
  const info = (f) => infoStats.find((s) => s.f === f);
  const a = info('exchangeInfo.json');
  const b = info('exchangeInfo-2022-11-28.json');
  const table = manifest.map(([rel, bytes, sha, as]) => `| \`${rel}\` | ${bytes} | \`${sha}\` | \`${as}\` |`);
  return `# Bundled market data — provenance

This directory is the project's compact copy of the **real historical market data** collected in
\`shared/data/\` (see that directory's \`SOURCES.md\` for the full story). It is generated — do not
edit by hand. Rebuild with

    node scripts/bundle-data.mjs                 # from ../shared/data (relative to the repo root)
    node scripts/bundle-data.mjs --from DIR      # from another copy of the shared layout

The layout is the shared one with every file gzip-compressed (level 9, byte-deterministic); the readers
(\`src/adapters/data/bundled-dataset.ts\`, \`src/adapters/data/hourly-klines.ts\`) accept \`<name>\` and
\`<name>.gz\`, so the uncompressed shared directory can be used directly as well (\`--data ../shared/data\`).
Daily klines are loaded by every rebalance and backtest; hourly klines only when asked for (lazily, per
symbol).

\`\`\`
data/
  SOURCES.md                                        this file
  binance/
    klines-1d/<SYMBOL>.csv.gz                       ${d.files.length} USDT spot pairs (delisted included), daily OHLCV, 2017-08-17 .. 2026-01-01, ${d.rows} rows
    klines-1h/<SYMBOL>.csv.gz                       ${h.files.length} USDT spot pairs, hourly OHLCV, 2021-01-01 .. 2022-03-21 / 2022-07-10, ${h.rows} rows
    exchangeInfo.json.gz                            GET /api/v3/exchangeInfo, serverTime 2023-09-08 15:06:01 UTC, USDT symbols only (${a?.kept} of ${a?.total})
    exchangeInfo-2022-11-28.json.gz                 same endpoint, serverTime 2022-11-28 01:05:44 UTC, USDT symbols only (${b?.kept} of ${b?.total})
    symbols.csv.gz                                  per-symbol coverage / status / flags (derived summary)
  marketcap/
    cmc_monthly_top200_2020-01_to_2025-10.csv.gz    CoinMarketCap monthly snapshots, top 200
\`\`\`

## What was taken, and what was changed

* **Values are unchanged.** Every CSV is the shared file byte-for-byte, only gzip-compressed
  (\`gunzip\` gives back the original; its sha256 is listed below).
* **exchangeInfo**: the JSON documents keep all top-level fields (\`timezone\`, \`serverTime\`,
  \`rateLimits\`, \`exchangeFilters\`, \`symbols\`) unchanged; only the \`symbols\` array is filtered to
  the entries with \`quoteAsset === "USDT"\`. Every kept symbol object is unchanged (all fields and all
  filters, same values; the originals are compact JSON, and the bundler checks that each kept object
  serialises to the exact bytes it had in the original). The sha256 below is of the **unfiltered** original.
* **Not bundled** (to stay small; use \`--data ../shared/data\` for them): daily close-only series
  (\`binance/closes-1d/\`, 401 pairs 2021-01 .. 2025-06) and the 2013-2025 market-cap-only CMC file
  (\`marketcap/cmc_monthly_snapshots_2013-04_to_2025-04.csv\`).

## Origins (copied from shared/data/SOURCES.md §1, §1b, §2, §4, §5, §6)

Nothing was downloaded from Binance/CoinMarketCap directly; everything comes from public GitHub
repositories. All timestamps are UTC, milliseconds since epoch, candle open time.

### Kline schema (\`klines-1d\`, \`klines-1h\`)

Header (identical in every file): \`${KLINE_HEADER}\`. \`volume\` = base-asset volume,
\`quote_volume\` = USDT volume, \`trades\` = number of trades; empty where the source had no such column
(daily rows taken from jroc — all rows before 2018, most before 2021 —, the misrori/harthor/aurang rows of
§1b, and all hourly rows). Rows strictly increasing by \`open_time_ms\`; days/hours without trading are
absent (no filler rows). Values are the source strings, except binary-float artefacts / e-notation from the
sources' pandas processing, rounded to 8 decimals (max change < 5e-9); trailing zeros are not normalised
(\`28923.63000000\` and \`28923.63\` both occur — parse as numbers).

### §1 Daily klines 2017-08-17 .. 2022-09-30 (+ 50 pairs to 2026-01-01) — \`binance/klines-1d/\`

Stitched per symbol from three copies of Binance spot daily klines; priority on overlapping days
Hurst_Crypto > bdse27no4 > statArb:

| key | repository | commit | path | licence |
|---|---|---|---|---|
| hurst | https://github.com/djienne/Hurst_Crypto | \`c83fd0139198121d58e2ad4c2d5429d767788da1\` (data \`b81ae25bc803dfdd91be76d38ceb65016011cbc2\`, 2026-01-03) | \`data/<SYMBOL>.csv\` (50 USDT pairs) | none stated |
| yodu | https://github.com/yodumini/bdse27no4 | \`37d05a743ece1bcf125190aa61e8639477f90f51\` (data \`194b15c4bc57a9011b8a1706f5a89926c8b2a5ae\`, 2022-10-28) | \`data/<SYMBOL>USDT.csv\` (204 files) | none stated |
| jroc | https://github.com/Jroc561/statArb | \`4660709d6da9b0e1c0c73f72222184fb16a820f1\` (data \`024807e8d4877309b86fb691ba8d6aaab721342d\`, 2021-02-15) | \`data/<SYMBOL>-1d-data.csv\` (259 USDT files) | MIT (c) 2021 Josh Carlisle |

Conversions (done when \`shared/data\` was built): dates -> UTC-midnight ms; yodu rows sorted and
de-duplicated; only \`*USDT\` pairs kept. Dropped: jroc rows of 2021-02-15 (candle still open when pulled)
and hurst rows of 2026-01-02 (possibly incomplete).

### §1b The broad extension 2022-10-01 .. 2026-01-01 — \`binance/klines-1d/\` (329,992 rows; 308 new files, 164 extended)

Every symbol-day from 2022-10-01 to 2026-01-01 that the §1 files did not already have (a per-symbol union; no
existing row changed). Priority vortex > misrori > harthor > aurang (rows: vortex ~322 k, misrori ~4 k,
harthor ~3 k, aurang ~1 k).

| key | repository | commit | path | original format | licence |
|---|---|---|---|---|---|
| vortex | https://github.com/vdegenne/CryptoVortex | HEAD \`53b97a3876578aa2c297dc141730c28e8827647b\` (2025-06-15) and its git history (1,882 commits touching \`data/\`) | \`data/<SYMBOL>.json\` | raw \`GET /api/v3/klines?interval=1d\` responses committed twice a day (rolling 60–120 candles) | none stated |
| misrori | https://github.com/misrori/binance_startegy | \`dbfa7fe7fdd3ffeb898a7e34030bb2811d04e451\` (2023-12-31) | \`data/<SYMBOL>_1h.csv\` | hourly klines, aggregated to daily | none stated |
| harthor | https://github.com/Harthor/marketlab | \`6135a753162dd7dfe1c4d7fd282c1c8b65c5bede\` | \`user_data/data/binance/<BASE>_USDT-1d.feather\` | freqtrade feather, float64 | none stated |
| aurang | https://github.com/Aurang-z3b/Freqtrade-Manual-strategy | \`a807ef7e807c55b4dca0fa47fcfdfbb688e65d59\` | \`user_data/data/binance/<BASE>_USDT-1h.feather\` | freqtrade feather, hourly, aggregated to daily | none stated |

Conversions: vortex candles taken only from versions committed after the day closed and never from the last
element of a response (the candle in progress), so the final partial day of a delisted pair is not included;
hourly -> daily: open of the first hour with volume > 0, high/low over those hours, close of the last hour,
exact volume sum, complete days only; feather floats: shortest repr rounded to 8 decimals. Verified: 0 OHLC
mismatches against the §1 files (161,580 symbol-days) and \`closes-1d\` (408,235).

### Coverage (daily)

Symbols with daily OHLCV on a given day: 87 (2020-01-01), 224 (2021-01-01), 206 (2022-01-01), 204
(2022-09-30), 327 (2022-10-01), 319 (2023-01-01), 364 (2024-01-01), 387 (2025-01-01), 404 (2025-06-17),
then only the 50 hurst pairs (29–50 active on a given day) to 2026-01-01. A file ending on 2021-02-14 or
2025-06-14..17 usually means "source ended", not "pair delisted" (\`symbols.csv\` column
\`klines_1d_end_note\` tells them apart); delisted pairs are in (e.g. VENUSDT 2018-10-19, BCCUSDT,
WAVES 2024-06-15, MATIC 2024-09-08, FTM 2025-01-11, EOS 2025-05-24).

### §2 Hourly klines — \`binance/klines-1h/\` (${h.files.length} files, ${h.rows} rows)

| key | repository | commit | path | original format | licence |
|---|---|---|---|---|---|
| soney | https://github.com/soneyjohnt/binance_trading_bot | \`2238ff8f88fe3918f4e3a9d1dc89ff2ac2ece35d\` (2022-06-05) | \`data/<SYMBOL>_1h.csv\` | \`time,open,high,low,close,volume,timestamp(ms)\`, 8-decimal strings | none stated |
| moon | https://github.com/MoonEyes/freqtrade | \`043a6c254141b32f898975a87e64e034eb989438\` (2022-07-17) | \`user_data/data/binance/<BASE>_USDT-1h.json\` (spot) | freqtrade JSON \`[[open_ms,o,h,l,c,v],...]\` | freqtrade fork (GPL-3.0 for code); data files are Binance market data |

* 28 symbols from soney (AAVE ADA ANT ARPA ATOM AVAX AXS BAT CHR DOT ENJ ETC FTM HNT LRC MANA MATIC OCEAN
  ONT REN RUNE SAND STORJ TRX UNFI UNI WAVES YFI), 2021-01-01 00:00 .. 2022-03-21 23:00 (later rows cut:
  soney has in-progress candles from 2022-03-22 on).
* 11 symbols from moon (APE BNB BTC DOGE ETH LINK LTC LUNA SOL XRP XTZ), 2021-01-01 00:00 .. 2022-07-10
  23:00 (XTZ to 2022-06-09, APE 2022-03-17 .. 2022-06-07); the final partial download day dropped.
* \`quote_volume\` and \`trades\` are empty in every hourly row. Rows before 2021-01-01 dropped.
* Real gaps kept: Binance maintenance (6 gaps / 13 hours, largest 2021-08-13 02:00–05:00 UTC); LUNAUSDT
  2022-05-13 .. 2022-05-31. Hourly -> daily aggregation agrees with \`klines-1d\` on 17,972 symbol-days
  (0 OHLC mismatches).

### exchangeInfo — \`binance/exchangeInfo*.json\`

| file | repository | commit | original path |
|---|---|---|---|
| \`exchangeInfo.json\` | https://github.com/SM2A/Binance_API | \`a563fcbd6a655d7a38de81c8f7db7dbe4215885f\` (2023-09-08) | \`exchangeInfoCompact.json\` |
| \`exchangeInfo-2022-11-28.json\` | same | \`31eec6ced00c2946728c437ffe7b9cd4c789da67\` (2022-11-28) | \`exchangeInfo.json\` |

Both are copies of \`https://api.binance.com/api/v3/exchangeInfo\` saved by that repository's daily
GitHub Action. The 2023-09-08 snapshot (serverTime ${a?.serverTime}) has the \`NOTIONAL\` filter; the
2022-11-28 one (serverTime ${b?.serverTime}) the legacy \`MIN_NOTIONAL\` filter. Example (2023-09-08):
BTCUSDT tickSize 0.01, LOT_SIZE stepSize 0.00001 (MARKET_LOT_SIZE stepSize 0), NOTIONAL minNotional 5.
No licence stated.

### \`binance/symbols.csv\`

Derived summary made when \`shared/data\` was built (one row per symbol in any shared price folder, 592 rows;
the klines_1d_* columns recomputed after §1b, whose rows count as \`ext2022\` in rows_by_source): base asset,
leveraged/stable flags, status in both snapshots, kline coverage and end notes.

### Market cap — \`marketcap/cmc_monthly_top200_2020-01_to_2025-10.csv\`

https://github.com/smoothbrainquant/trading-for-new-dads, HEAD \`ca5c8252b300529d173259b29764cf6e926d77a5\`
(file last changed \`6b3fa1e47fea512b411c17a682d6faf484662a4b\`), path
\`data/raw/coinmarketcap_monthly_all_snapshots.csv\`, byte-for-byte. 14,000 rows = top 200 x 70 monthly
CoinMarketCap snapshots (1st of the month, 2020-01-01 .. 2025-10-01); \`snapshot_date\` is YYYYMMDD.
Tickers are CMC symbols (ticker collisions and duplicates exist, e.g. BNX twice on 20230301:
"BinaryX (old)" and "BinaryX"). BTC on 2024-12-01: 1,925,179,261,907.54 USD. No licence stated.

## Known real-data quirks (kept on purpose)

* Negative volume: BTTUSDT 2019-01-31, 02-04, 02-05, 02-06, 02-12 (Binance int64 overflow).
* close > high: AUDUSDT 2020-11-13, as served by Binance.
* Ticker reuse: LUNAUSDT = Terra up to 2022-05-13, Terra 2.0 from 2022-05-31 (daily and hourly).
* Redenominations / token swaps (price jumps that are not returns): SUNUSDT 2021-06, COCOSUSDT 2021-01,
  DREPUSDT 2021-03/04, BTCSTUSDT 2021-03, VENUSDT 2018, BNXUSDT 2023-02, QUICKUSDT 2023-07, STRAXUSDT 2024-03,
  VIDTUSDT 2022-10/11 (strategy-semantics.md §2 splits them into segments).
* Halts in the extension: FTT (2022-11, 310 days missing), USDC/TUSD/USDP (2022-09-26 .. 2023-03), CVC, KEY;
  JUPUSDT has no rows 2024-01-31 .. 2024-12-31; real crashes FTT 2022-11-08, OM 2025-04-13. Leveraged tokens
  are not covered after 2022-09-30. Symbols first seen in §1b start on their first row there (2022-10-01 at
  the earliest), so a pair listed earlier looks younger than it was in October 2022.
* Zero-volume candles exist (1 daily, 38 hourly).
* Leveraged tokens and stable/fiat pairs are included (flagged in \`symbols.csv\`).
* Binance market data is (c) Binance and subject to its terms of use; use for testing/demos.

## Originals (sha256 of the uncompressed shared files)

| original (shared/data/...) | bytes | sha256 | bundled as |
|---|---|---|---|
${table.join('\n')}
`;
}

main().catch((err) => {
  console.error(`bundle-data: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
