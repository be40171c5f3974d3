#!/usr/bin/env node
// Compiles the CLI (src/cli/main.ts and everything it imports) into one ESM file, dist/cli.mjs, with
// esbuild; pure-JS npm packages are bundled, the others resolved from node_modules at run time. The worker
// thread of backtest sweeps (src/compose/backtest-worker.ts) is bundled the same way into
// dist/backtest-worker.mjs, next to the CLI that starts it (src/app/backtest-sweep.ts). The launcher
// (bin/momentum-rebalancer.js) runs this automatically when dist/ is missing or older than src/, so
// `npm ci && npm run rebalance` needs no separate build step. Start-up: ~0.4 s bundled vs ~1.1 s via tsx.
//
//   node scripts/build.mjs            build dist/cli.mjs and dist/backtest-worker.mjs
//   node scripts/build.mjs --if-stale build only when a source file is newer than dist/cli.mjs
import { renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isStale, OUT_FILE, ROOT } from './build-paths.mjs';

/** Entry points other than the CLI, bundled next to it: [source, output] relative to the package root. */
const EXTRA_ENTRIES = [['src/compose/backtest-worker.ts', 'dist/backtest-worker.mjs']];

/**
 * Builds dist/cli.mjs and dist/backtest-worker.mjs (atomically: each written to a temp file, then renamed;
 * the CLI last, since its modification time is what the launcher's staleness check reads).
 */
export async function build() {
  await Promise.all(
    EXTRA_ENTRIES.map(([src, out]) => bundle(new URL(src, ROOT), fileURLToPath(new URL(out, ROOT)))),
  );
  await bundle(new URL('src/cli/main.ts', ROOT), fileURLToPath(OUT_FILE));
}

/** Bundles one entry point into `out` (ESM, node20), atomically. */
async function bundle(entry, out) {
  const esbuild = await import('esbuild');
  const tmp = `${out}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [fileURLToPath(entry)],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Pure-JS libraries are bundled (one parse instead of hundreds of ESM files: kysely alone costs
    // ~150 ms to import unbundled); those with assets, workers or native parts stay external.
    // binance-api-node is CommonJS requiring node builtins (crypto), which an ESM bundle cannot do.
    external: ['@electric-sql/pglite', 'pg', 'pino', 'pino-pretty', 'esbuild', 'tsx', 'binance-api-node'],
    sourcemap: false,
    logLevel: 'warning',
  });
  renameSync(tmp, out);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
  const t0 = performance.now();
  await build();
  process.stderr.write(
    `built ${fileURLToPath(OUT_FILE)} (${statSync(OUT_FILE).size} bytes) in ${Math.round(performance.now() - t0)} ms\n`,
  );
}
