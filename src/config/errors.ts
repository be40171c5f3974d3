/**
 * The configuration error: every problem found while loading the config, one line each, with where it
 * came from. The CLI exits with {@link ConfigError.exitCode} (78, EX_CONFIG from sysexits.h).
 */
import { exitCodeError } from '../ports/exit-code-error.ts';

/** One problem with the configuration. */
export interface ConfigProblem {
  /**
   * Where the offending value came from: the config file path as shown to the user (e.g. `user.cfg`),
   * `env VAR` (e.g. `env REBALANCER_STRATEGY_TOP_N`), `flag --x` (e.g. `flag --top-n`), or `override`
   * (an override with no CLI flag).
   */
  readonly source: string;
  /** The `[section]` concerned, or null when the problem is not about one section (unreadable file, …). */
  readonly section: string | null;
  /** The key concerned (INI spelling, e.g. `top_n`), or null. */
  readonly key: string | null;
  /** One line a person can act on; never contains a secret value. */
  readonly message: string;
}

/**
 * Thrown by `loadConfig` when the configuration cannot be used. Carries ALL problems found
 * ({@link ConfigError.problems}, at least one); `message` is their messages joined with newlines, and
 * `source` / `section` / `key` are those of the first problem.
 * `exitCode` is 78 (EX_CONFIG); messages never echo secrets (API keys, database passwords).
 */
export class ConfigError extends exitCodeError('ConfigError', 78) {
  /** Source of the first problem: file path, `env VAR`, `flag --x` or `override`. */
  readonly source: string;
  /** Section of the first problem, or null. */
  readonly section: string | null;
  /** Key of the first problem, or null. */
  readonly key: string | null;
  /** Every problem found, in the order: file, environment, overrides (flags). Never empty. */
  readonly problems: readonly ConfigProblem[];

  /**
   * @param problems at least one problem.
   * @throws TypeError when `problems` is empty (a programming error).
   */
  constructor(problems: readonly ConfigProblem[]) {
    const first = problems[0];
    if (first === undefined) throw new TypeError('ConfigError needs at least one problem');
    super(problems.map((p) => p.message).join('\n'));
    this.source = first.source;
    this.section = first.section;
    this.key = first.key;
    this.problems = Object.freeze([...problems]);
  }
}
