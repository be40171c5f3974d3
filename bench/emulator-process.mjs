/**
 * The Binance emulator as a child process for the benchmarks: `node --import tsx src/emulator/cli.ts
 * --port 0 --rtt-ms R --symbols N ARGS`, resolved once its stdout names the base URL.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { root } from './cli-process.mjs';

/**
 * Starts the emulator with `rttMs` of simulated round trip, `symbols` symbols and the extra `args`.
 * Resolves `{ child, baseUrl, day }` when its output shows the URL and the "clock starts YYYY-MM-DD" line
 * (`day`; printed together); rejects when it exits first or after `timeoutMs`.
 */
export function startEmulatorProcess(rttMs, symbols, args, { timeoutMs }) {
  return new Promise((resolve, reject) => {
    const cli = path.join(root, 'src/emulator/cli.ts');
    const argv = [
      '--import',
      'tsx',
      cli,
      '--port',
      '0',
      '--rtt-ms',
      String(rttMs),
      '--symbols',
      String(symbols),
    ];
    const child = spawn(process.execPath, [...argv, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${out}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const c = /clock starts (\d{4}-\d{2}-\d{2})/.exec(out);
      if (m && c) {
        clearTimeout(timer);
        resolve({ child, baseUrl: m[1], day: c[1] });
      }
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}:\n${out}`)));
  });
}
