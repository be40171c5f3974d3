#!/usr/bin/env node
// Entry point of `npx momentum-rebalancer` and the npm scripts. Runs the bundled CLI (dist/cli.mjs),
// building it first with esbuild when it is missing or older than src/ (scripts/build.mjs); if the
// build cannot run, falls back to running the TypeScript sources through tsx.
import { isStale, OUT_FILE } from '../scripts/build-paths.mjs';

let main;
try {
  if (isStale()) await (await import('../scripts/build.mjs')).build();
  ({ main } = await import(OUT_FILE.href));
} catch (err) {
  process.stderr.write(
    `note: running from the TypeScript sources (the bundled CLI is unavailable: ${err.message})\n`,
  );
  (await import('tsx/esm/api')).register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
