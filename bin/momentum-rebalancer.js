#!/usr/bin/env node
// Entry point of `npx momentum-rebalancer` and the npm scripts: runs the TypeScript CLI through tsx's
// ESM loader (no build step), then exits with the CLI's exit code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
