/** The text a child process writes, collected as it arrives. */
import type { ChildProcess } from 'node:child_process';

/** What a child process wrote so far: `out()` its stdout, `err()` its stderr (the whole text each time). */
export interface ChildOutput {
  out(): string;
  err(): string;
}

/** Starts collecting `child`'s stdout and stderr (both piped); read them with the returned functions. */
export function collectOutput(child: ChildProcess): ChildOutput {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  return { out: () => out, err: () => err };
}
