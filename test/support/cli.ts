/** Runs the real CLI (`bin/momentum-rebalancer.js`) as a child process, for the e2e tests. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI's entry point. */
export const BIN = fileURLToPath(new URL('../../bin/momentum-rebalancer.js', import.meta.url));

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
  return new Promise((resolve, reject) => {
    const baseEnv = { ...process.env };
    delete baseEnv.DATABASE_URL;
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...baseEnv, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
