/** Runs the real CLI (`bin/momentum-rebalancer.js`) as a child process, for the e2e tests. */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectOutput } from './child-output.ts';

/** The CLI's entry point. */
export const BIN = fileURLToPath(new URL('../../bin/momentum-rebalancer.js', import.meta.url));
const MAIN_TS = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX_LOADER = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

/** What one CLI process did. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `momentum-rebalancer ARGS` in `cwd` with the test's environment minus `DATABASE_URL` (a test
 * that wants the server passes it in `env`), `LOG_LEVEL=warn`, then `env`.
 */
export function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return spawnNode(cwd, [BIN, ...args], env);
}

/**
 * {@link cli}, but running the TypeScript sources (src/cli/main.ts through tsx) instead of the bundle: for
 * what the bundle cannot show (e.g. sweep workers started from the sources).
 */
export function cliFromSources(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const start = `import { main } from ${JSON.stringify(MAIN_TS)}; process.exitCode = await main(process.argv.slice(1));`;
  return spawnNode(cwd, ['--import', TSX_LOADER, '--input-type=module', '-e', start, ...args], env);
}

function spawnNode(cwd: string, argv: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const baseEnv = { ...process.env };
    delete baseEnv.DATABASE_URL;
    const child = spawn(process.execPath, argv, {
      cwd,
      env: { ...baseEnv, LOG_LEVEL: 'warn', ...env },
    });
    const { out, err } = collectOutput(child);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: out(), stderr: err() }));
  });
}

/** {@link cli} with `userCfg` written to `cwd/user.cfg` for the run, the file removed after it. */
export async function cliWithUserCfg(cwd: string, userCfg: string, args: string[]): Promise<Ran> {
  const file = path.join(cwd, 'user.cfg');
  writeFileSync(file, userCfg);
  try {
    return await cli(cwd, args);
  } finally {
    rmSync(file);
  }
}
