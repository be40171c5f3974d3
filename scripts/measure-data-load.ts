/**
 * Measures `loadDataset` on a data directory: load time (read + gunzip + validate + index everything),
 * then the time to build every `Candle` object (`candlesOf` for all symbols), and the resident memory.
 * Each phase prints wall time and the process's CPU time (user + system, all threads): on a shared,
 * loaded machine the CPU time is the steadier figure. Check the load with `uptime`.
 * Usage: npx tsx scripts/measure-data-load.ts [dir] [runs]   (default: this repo's bundled data/, 3 runs)
 * The first run is the cold one that matters for a CLI start; later runs show the warmed-up JIT.
 * After the runs, one more pass splits the daily-kline cost into its phases (CPU ms): read + gunzip,
 * validate + index (`indexKlineCsv`), build every candle — to see where the time goes.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../src/adapters/data/bundled-dataset.ts';
import { readDataTextSync } from '../src/adapters/data/data-files.ts';
import { indexKlineCsv } from '../src/adapters/data/kline-csv.ts';

const dir = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data');
const runs = Number(process.argv[3] ?? 3);
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

for (let run = 1; run <= runs; run++) {
  const c0 = cpuMs();
  const t0 = performance.now();
  const ds = await loadDataset(dir);
  const loadMs = performance.now() - t0;
  const loadCpu = cpuMs() - c0;
  const rssLoaded = process.memoryUsage().rss;
  const symbols = await ds.symbols();
  const c1 = cpuMs();
  const t1 = performance.now();
  let candles = 0;
  for (const s of symbols) candles += ds.candlesOf(s.symbol).length;
  const allMs = performance.now() - t1;
  const allCpu = cpuMs() - c1;
  const rssAll = process.memoryUsage().rss;
  console.log(
    `run ${run}: loadDataset ${loadMs.toFixed(0)} ms (CPU ${loadCpu.toFixed(0)} ms, RSS ${mb(rssLoaded)}); ` +
      `candlesOf(all) ${allMs.toFixed(0)} ms (CPU ${allCpu.toFixed(0)} ms, ` +
      `RSS ${mb(rssAll)}) — ${dir}: ${symbols.length} symbols, ${candles} daily candles, ` +
      `${ds.snapshots.length} exchangeInfo snapshots, ${ds.marketCaps.size} market-cap snapshots` +
      `${ds.warnings.length ? `; warnings: ${ds.warnings.join(' | ')}` : ''}`,
  );
}

{
  const klines = path.join(dir, 'binance', 'klines-1d');
  const files = readdirSync(klines).map((f) => path.join(klines, f));
  let c = cpuMs();
  const texts = files.map((f) => readDataTextSync(f));
  const readCpu = cpuMs() - c;
  c = cpuMs();
  const tables = texts.map((t, i) => indexKlineCsv(t, files[i] as string));
  const indexCpu = cpuMs() - c;
  c = cpuMs();
  let rows = 0;
  for (const t of tables) rows += t.all().length;
  const candleCpu = cpuMs() - c;
  const chars = texts.reduce((a, t) => a + t.length, 0);
  console.log(
    `phases (CPU): read+gunzip ${readCpu.toFixed(0)} ms, validate+index ${indexCpu.toFixed(0)} ms, ` +
      `build candles ${candleCpu.toFixed(0)} ms — ${files.length} files, ${rows} rows, ${mb(chars)} of text`,
  );
}
