#!/usr/bin/env node
// `npm run build:lambda`: bundles jobs/lambda.ts with esbuild into dist/lambda/lambda.mjs (ESM, node20,
// minified, one file; PGlite replaced by a stub — refused on Lambda) and zips it into
// dist/lambda/momentum-rebalancer-lambda.zip with the bundled market data left out (Lambda trades testnet
// or live; the replay data is not needed). Prints the zipped size and fails (exit 1) above the 5 MB target.
// The SAM template (deploy/aws/template.yaml) builds the same way with its own esbuild step.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../', import.meta.url);
const OUT_DIR = fileURLToPath(new URL('dist/lambda/', ROOT));
const ZIP = `${OUT_DIR}momentum-rebalancer-lambda.zip`;
/** Target size of the zipped package, bytes (issue 11 item 3). */
export const MAX_ZIP_BYTES = 5 * 1024 * 1024;

/** Builds the bundle and the zip; returns their sizes in bytes. */
export async function buildLambda() {
  const esbuild = await import('esbuild');
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL('jobs/lambda.ts', ROOT))],
    outfile: `${OUT_DIR}lambda.mjs`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    alias: { '@electric-sql/pglite': fileURLToPath(new URL('scripts/lambda-pglite-stub.mjs', ROOT)) },
    // Optional native/pretty parts never used on Lambda (JSON logs, pure-JS pg).
    external: ['pg-native', 'pino-pretty'],
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
  });
  execFileSync('zip', ['-q', '-j', '-9', ZIP, `${OUT_DIR}lambda.mjs`]);
  return { bundle: statSync(`${OUT_DIR}lambda.mjs`).size, zip: statSync(ZIP).size };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bundle, zip } = await buildLambda();
  const mb = (n) => (n / 1024 / 1024).toFixed(2);
  process.stdout.write(
    `${ZIP}\n  bundle ${mb(bundle)} MB, zipped ${mb(zip)} MB (target < ${mb(MAX_ZIP_BYTES)} MB)\n`,
  );
  if (zip > MAX_ZIP_BYTES) {
    process.stderr.write('build:lambda: the zip is above the 5 MB target\n');
    process.exitCode = 1;
  }
}
