/**
 * The README's examples run in the order written on a fresh clone (issue 9 item 6). Reproduces: the
 * second example (`--as-of 2021-06-01` after the quick start's rebalance of the latest day) was refused
 * with exit 2 ("later period"), and `--mode delta` meant the rebalance mode while `[strategy] mode` is the
 * strategy. Every `npm run rebalance -- …` / `npx momentum-rebalancer …` line of the Quick start and of
 * the block after it runs here, in order, in one fresh working directory, and must exit 0.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp-dirs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'momentum-rebalancer.js');

/** The commands of the README's first two `sh` blocks, as argv for bin/momentum-rebalancer.js. */
function readmeCommands(): string[][] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].slice(0, 2).map((m) => m[1] as string);
  const out: string[][] = [];
  for (const line of blocks.join('\n').split('\n')) {
    const cmd = line.replace(/\s+#.*$/, '').trim();
    const m =
      /^(?:npm ci && )?npm run (rebalance|db:migrate)(?: -- (.*))?$/.exec(cmd) ??
      /^npx momentum-rebalancer (.*)$/.exec(cmd);
    if (m === null) continue;
    const args =
      m.length === 3 ? [m[1] as string, ...(m[2] ? m[2].split(/\s+/) : [])] : (m[1] as string).split(/\s+/);
    // Relative paths are written from the repository root.
    out.push(args.map((a) => (a.startsWith('../') ? path.resolve(ROOT, a) : a)));
  }
  return out;
}

function run(cwd: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('README examples, in the order written', () => {
  const cwd = useTempDir('cli-readme-');

  it('every rebalance / status / history / help example exits 0', async () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(10);
    expect(commands[0]).toEqual(['rebalance']);
    for (const args of commands) {
      // `--data ../shared/data` loads the large shared dataset (not part of every checkout): the bundled
      // data's examples cover the same path within the seconds a test may take.
      if (args.includes('--data')) continue;
      const r = await run(cwd, args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      expect(r.stderr, args.join(' ')).not.toMatch(/deprecated/);
    }
  }, 300_000);
});
