// Shared by the benchmarks that time the bundled CLI exactly as a user starts it, one fresh process per
// run (bench/backtest.mjs, bench/intraday-backtest.mjs, bench/rebalance.mjs): the flags they all take,
// the command line with bench/rss-hook.mjs loaded (peak RSS and CPU time on stderr), one timed run and
// the statistics of the figures.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The repository root (absolute path). */
export const root = fileURLToPath(new URL('..', import.meta.url));
/** The CLI as a user starts it. */
const bin = path.join(root, 'bin/momentum-rebalancer.js');

/**
 * The benchmark's flags: `--runs N` (measured runs, default 5), `--json` (one JSON line instead of text)
 * and the benchmark's own `options` (node:util parseArgs shapes). @returns parseArgs `values` and `runs`
 * as a number. @throws Error when --runs is not an integer >= 1.
 */
export function benchFlags(options) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean' }, ...options },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be an integer >= 1, got ${values.runs}`);
  return { values, runs };
}

/**
 * The environment of a measured CLI process: this one's, `LOG_LEVEL=warn`, `extra`, and no DATABASE_URL
 * (the CLI uses its embedded PGlite, never the developer's server).
 */
export function cliEnv(extra = {}) {
  const env = { ...process.env, LOG_LEVEL: 'warn', ...extra };
  delete env.DATABASE_URL;
  return env;
}

/** The node arguments of `momentum-rebalancer <command> ...rest` (bin/momentum-rebalancer.js) with bench/rss-hook.mjs. */
export function cliArgs(command, ...rest) {
  return ['--import', path.join(root, 'bench/rss-hook.mjs'), bin, command, ...rest];
}

/** Builds the bundle (scripts/build.mjs --if-stale) so that no measured run pays for it. */
export function buildBundle() {
  spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
}

/**
 * Runs `node args` (see {@link cliArgs}) in `cwd` with `env` and waits for it. @returns the wall time from
 * process start `ms`, the process's peak RSS `rssMb` (MB) and CPU time `cpuMs` (user + system, all
 * threads: steadier than wall time on a loaded machine), and its `stdout`. @throws Error (after copying
 * the child's output to stderr) when it exits non-zero.
 */
export function timedRun(args, { cwd, env }) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${args[args.indexOf(bin) + 1]} exited ${r.status}`);
  }
  return {
    ms,
    rssMb: Number(/BENCH_MAX_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? 'NaN') / 1024,
    cpuMs: Number(/BENCH_CPU_MS=(\d+)/.exec(r.stderr)?.[1] ?? 'NaN'),
    stdout: r.stdout,
  };
}

/** The median of `xs` (the upper one of an even count), as the benchmarks report it. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The 1, 5 and 15 minute load averages, 2 decimals. */
export const loadavg = () => os.loadavg().map((x) => Number(x.toFixed(2)));
