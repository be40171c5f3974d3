/**
 * One table of exit codes (src/cli/exit-codes.ts): README "Exit codes" lists each of them, the run
 * statuses of today map as documented, and an unknown status never maps to 0 (a run that did not do its
 * job never exits 0). The error classes carry the codes of the table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LedgerConnectionError } from '../../../src/adapters/postgres/errors.ts';
import {
  InvalidMarketDataError,
  StaleDataError,
  UserInputError,
  VenueMismatchError,
} from '../../../src/app/errors.ts';
import { EXIT, EXIT_CODE_DOCS, exitCodeOfResult } from '../../../src/cli/exit-codes.ts';
import { ConfigError } from '../../../src/config/errors.ts';
import { LockHeldError } from '../../../src/ports/instance-lock.ts';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('exit codes', () => {
  it('every code of the table is documented in README "Exit codes", and nothing else is', () => {
    const section = README.slice(README.indexOf('## Exit codes'), README.indexOf('## Development'));
    const documented = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(documented).toEqual(EXIT_CODE_DOCS.map((d) => d.code));
    expect(EXIT_CODE_DOCS.map((d) => d.code)).toEqual(Object.values(EXIT));
  });

  it('run results: refused → 3, a rejected phase → 4, done → 0, an unknown status → 1', () => {
    const r = (status: string, rejected_phases?: string[]) => ({ run: { status, rejected_phases } });
    expect(exitCodeOfResult(r('completed'))).toBe(0);
    expect(exitCodeOfResult(r('completed_with_rejections', []))).toBe(0);
    expect(exitCodeOfResult(r('skipped'))).toBe(0);
    expect(exitCodeOfResult(r('dry_run'))).toBe(0);
    expect(exitCodeOfResult(r('refused'))).toBe(3);
    expect(exitCodeOfResult(r('completed_with_rejections', ['SELL']))).toBe(4);
    expect(exitCodeOfResult(r('failed'))).toBe(1);
    expect(exitCodeOfResult(r('some_new_status'))).toBe(1);
  });

  it('the errors carry the codes of the table', () => {
    expect(new LockHeldError('a', 'x', null, 0).exitCode).toBe(EXIT.TEMPFAIL);
    expect(new ConfigError([{ source: 's', section: null, key: null, message: 'm' }]).exitCode).toBe(
      EXIT.CONFIG,
    );
    expect(new UserInputError('m').exitCode).toBe(EXIT.USAGE);
    expect(new LedgerConnectionError('m', 't', undefined).exitCode).toBe(EXIT.UNAVAILABLE);
    expect(new VenueMismatchError('m', 'replay', 'testnet x').exitCode).toBe(EXIT.CONFIG);
    expect(new StaleDataError('m').exitCode).toBe(EXIT.NO_INPUT);
    expect(new InvalidMarketDataError('m').exitCode).toBe(EXIT.DATA_ERROR);
  });
});
