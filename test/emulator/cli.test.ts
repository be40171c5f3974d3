/**
 * The emulator's command line as a user runs it (`node --import tsx src/emulator/cli.ts …`, what
 * `npm run emulator` runs through tsx): it prints its base URL and credentials, answers, and exits 0 on
 * SIGTERM; a bad flag exits 2 with a message (the project's exit-code convention, README "Exit codes").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/emulator/server.ts';
import { collectOutput } from '../support/child-output.ts';
import { REPO_ROOT } from './support.ts';

function run(args: string[]): {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/emulator/cli.ts', ...args], {
    cwd: REPO_ROOT,
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, ...collectOutput(child), exit };
}

describe('npm run emulator', () => {
  it('prints the base URL and the demo credentials, answers ping, and stops cleanly on SIGTERM', async () => {
    const p = run(['--port', '0', '--as-of', '2021-01-02']);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL on stdout: ${p.out()} ${p.err()}`)), 20_000);
      p.child.stdout?.on('data', () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(p.out());
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
    });
    expect(p.out()).toContain(DEMO_API_KEY);
    expect(p.out()).toContain(`[exchange] kind = testnet, base_url = ${url}`);
    const r = await fetch(`${url}/api/v3/ping`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({});
    const time = (await (await fetch(`${url}/api/v3/time`)).json()) as { serverTime: number };
    expect(time.serverTime).toBeGreaterThanOrEqual(Date.UTC(2021, 0, 2));
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  });

  it('a bad flag: exit 2 and the usage', async () => {
    const p = run(['--port', 'eighty']);
    expect(await p.exit).toBe(2);
    expect(p.err()).toContain('--port must be a non-negative integer');
    expect(p.err()).toContain('usage: npm run emulator');
  });
});
