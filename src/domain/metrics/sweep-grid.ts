/**
 * Parameter sweeps for backtests: parse `name=v1,v2,…` arguments into axes, expand their cartesian
 * product into configs, rank the results by Sharpe ratio (strategy-semantics.md §9) and write them as
 * RFC 4180 CSV. Pure: no I/O.
 */

/** How one sweepable parameter is validated. */
export interface SweepParamSpec {
  /** `int`: a safe integer; `number`: a finite decimal; `enum`: one of `values`. */
  readonly kind: 'int' | 'number' | 'enum';
  /** Inclusive lower bound (`int`, `number`). */
  readonly min?: number;
  /** Inclusive upper bound (`int`, `number`). */
  readonly max?: number;
  /** Allowed values, case-sensitive (`enum`; required and non-empty for it). */
  readonly values?: readonly string[];
}

/** One value of a swept parameter: a number for `int`/`number`, a string for `enum`. */
export type SweepValue = number | string;

/** One swept parameter with its values in the order given on the command line. */
export interface SweepAxis {
  readonly name: string;
  readonly values: readonly SweepValue[];
}

/**
 * A `--sweep` argument that cannot be used. `exitCode` 2 (bad command-line input, as `UserInputError`);
 * the message names the parameter and what is allowed (the parameters, or the values / range).
 */
export class SweepError extends Error {
  override readonly name = 'SweepError';
  /** Process exit code: 2 (usage error). */
  readonly exitCode = 2;
  /** The parameter at fault, or null when the argument could not be split into `name=values`. */
  readonly parameter: string | null;

  /**
   * @param message what is wrong and what is allowed.
   * @param parameter the parameter at fault, or null.
   */
  constructor(message: string, parameter: string | null) {
    super(message);
    this.parameter = parameter;
  }
}

const INT_RE = /^[+-]?\d+$/;
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `an integer in [1, 365]`, `a number >= 0`, `one of momentum, reversal`, … */
function describeSpec(spec: SweepParamSpec): string {
  if (spec.kind === 'enum') return `one of ${(spec.values ?? []).join(', ')}`;
  const what = spec.kind === 'int' ? 'an integer' : 'a number';
  const { min, max } = spec;
  if (min !== undefined && max !== undefined) return `${what} in [${min}, ${max}]`;
  if (min !== undefined) return `${what} >= ${min}`;
  if (max !== undefined) return `${what} <= ${max}`;
  return what;
}

function checkSpecs(allowed: Readonly<Record<string, SweepParamSpec>>): void {
  for (const [name, spec] of Object.entries(allowed)) {
    if (spec.kind === 'enum' && (spec.values === undefined || spec.values.length === 0))
      throw new TypeError(`sweep parameter spec "${name}": an enum needs at least one value`);
    if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max)
      throw new TypeError(`sweep parameter spec "${name}": min ${spec.min} > max ${spec.max}`);
  }
}

/** The parsed value, or null when `raw` is not allowed by `spec`. */
function parseValue(raw: string, spec: SweepParamSpec): SweepValue | null {
  if (spec.kind === 'enum') return (spec.values ?? []).includes(raw) ? raw : null;
  if (!(spec.kind === 'int' ? INT_RE : NUMBER_RE).test(raw)) return null;
  let v = Number(raw);
  if (spec.kind === 'int' ? !Number.isSafeInteger(v) : !Number.isFinite(v)) return null;
  if (v === 0) v = 0; // -0 → 0
  if (spec.min !== undefined && v < spec.min) return null;
  if (spec.max !== undefined && v > spec.max) return null;
  return v;
}

/**
 * Parses sweep arguments such as `lookback_days=3,7,14,30 top_n=5,10,20 rebalance_every_days=1,7
 * mode=momentum,reversal` into axes, in the order given. Each element of `args` may hold one or several
 * whitespace-separated `name=v1,v2,…` assignments (a new one starts at whitespace followed by `name=`, so
 * `top_n=5, 10` is one list); values are trimmed and kept in the order written.
 * @param args command-line tokens.
 * @param allowed the sweepable parameters by name (case-sensitive) with how each is validated.
 * @returns one axis per parameter (`[]` when `args` holds no assignment: a single, unswept run).
 * @throws SweepError (exitCode 2) when an assignment has no `=` or no name, the parameter is not in
 *   `allowed` (the message lists the allowed parameters), a parameter is given twice, its list is empty or
 *   has an empty element, a value is not an integer / a number / one of the enum values or is out of
 *   `[min, max]` (the message says what is allowed), or a value is listed twice (numbers compared by value,
 *   so `5` and `5.0` are the same).
 * @throws TypeError when `allowed` itself is inconsistent (an enum without values, min > max).
 */
export function parseSweep(
  args: readonly string[],
  allowed: Readonly<Record<string, SweepParamSpec>>,
): SweepAxis[] {
  checkSpecs(allowed);
  const names = Object.keys(allowed);
  const allowedList = names.length > 0 ? names.join(', ') : '(none)';
  // Split an argument before every `name=` that follows whitespace; spaces after a comma stay in the list.
  const tokens = args.flatMap((a) => a.trim().split(/\s+(?=[^\s,=]*=)/)).filter((t) => t !== '');
  const axes: SweepAxis[] = [];
  const seen = new Set<string>();
  for (const token of tokens) {
    const eq = token.indexOf('=');
    const name = eq < 0 ? '' : token.slice(0, eq).trim();
    if (eq < 0 || name === '')
      throw new SweepError(
        `sweep: "${token}" is not NAME=V1,V2,... (allowed parameters: ${allowedList})`,
        null,
      );
    if (!Object.hasOwn(allowed, name))
      throw new SweepError(`sweep: unknown parameter "${name}" (allowed parameters: ${allowedList})`, name);
    const spec = allowed[name] as SweepParamSpec;
    const expected = describeSpec(spec);
    if (seen.has(name))
      throw new SweepError(
        `sweep: parameter "${name}" is given twice; list all its values once: ${name}=V1,V2,...`,
        name,
      );
    seen.add(name);
    const rawList = token.slice(eq + 1);
    if (rawList.trim() === '')
      throw new SweepError(
        `sweep: parameter "${name}" has no values; expected ${name}=V1,V2,... with each ${expected}`,
        name,
      );
    const values: SweepValue[] = [];
    for (const part of rawList.split(',')) {
      const raw = part.trim();
      if (raw === '')
        throw new SweepError(
          `sweep: parameter "${name}" has an empty value in "${rawList}"; each value must be ${expected}`,
          name,
        );
      const v = parseValue(raw, spec);
      if (v === null)
        throw new SweepError(`sweep: ${name}=${raw} is not allowed; ${name} must be ${expected}`, name);
      if (values.includes(v)) throw new SweepError(`sweep: ${name} lists the value ${raw} twice`, name);
      values.push(v);
    }
    axes.push({ name, values });
  }
  return axes;
}

/**
 * Cartesian product of the axes, one config per combination, in a deterministic order: the first axis
 * varies slowest, the last fastest (`a=1,2 b=x,y` → `{a:1,b:x} {a:1,b:y} {a:2,b:x} {a:2,b:y}`).
 * @param axes as from {@link parseSweep}; names distinct.
 * @returns `Π |values|` configs, each with every axis name as a key; `[{}]` (one unswept run) for no axes,
 *   `[]` when an axis has no values.
 * @throws TypeError when two axes have the same name (a programming error; parseSweep never does that).
 */
export function expandGrid(axes: readonly SweepAxis[]): Record<string, SweepValue>[] {
  const names = new Set<string>();
  for (const axis of axes) {
    if (names.has(axis.name)) throw new TypeError(`expandGrid: axis "${axis.name}" appears twice`);
    names.add(axis.name);
  }
  let grid: Record<string, SweepValue>[] = [{}];
  for (const axis of axes) {
    const next: Record<string, SweepValue>[] = [];
    for (const config of grid) for (const v of axis.values) next.push({ ...config, [axis.name]: v });
    grid = next;
  }
  return grid;
}

/** The fields {@link rankBySharpe} orders by (§9 metrics). */
export interface RankableRow {
  /** Sharpe ratio, null when undefined. */
  readonly sharpe: number | null;
  /** Total return, fraction. */
  readonly total_return: number;
}

/**
 * Orders sweep results best first: by `sharpe` descending with nulls (and, defensively, NaN) last, ties by
 * `total_return` descending, then by the input (config) order. Does not mutate `rows`.
 * @param rows results in config order (as {@link expandGrid} produced the configs).
 * @returns a new array holding the same row objects, sorted.
 */
export function rankBySharpe<T extends RankableRow>(rows: readonly T[]): T[] {
  const missing = (x: number | null): x is null => x === null || Number.isNaN(x);
  const descending = (a: number, b: number): number => (a === b ? 0 : b > a ? 1 : -1);
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const sa = a.row.sharpe;
      const sb = b.row.sharpe;
      if (missing(sa) !== missing(sb)) return missing(sa) ? 1 : -1;
      if (!missing(sa) && !missing(sb) && sa !== sb) return descending(sa, sb);
      const ta = Number.isNaN(a.row.total_return) ? Number.NEGATIVE_INFINITY : a.row.total_return;
      const tb = Number.isNaN(b.row.total_return) ? Number.NEGATIVE_INFINITY : b.row.total_return;
      return descending(ta, tb) || a.index - b.index;
    })
    .map((x) => x.row);
}

/** One CSV field per RFC 4180: quoted (inner quotes doubled) when it holds `,` `"` CR or LF. */
function csvField(value: unknown, column: string): string {
  let s: string;
  if (value === null || value === undefined) s = '';
  else if (typeof value === 'string') s = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    s = String(value);
  else throw new TypeError(`toCsv: column "${column}" holds a ${typeof value}, not a scalar`);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Writes rows as RFC 4180 CSV: a header line of `columns`, then one line per row with the fields in
 * `columns` order; lines end with CRLF (the last one too). Numbers are written with `String()` (shortest
 * round-trip representation: full precision, e.g. `0.30000000000000004`, `1e-7`); null / undefined /
 * a missing key → an empty field; booleans `true` / `false`; fields holding `,` `"` CR or LF are quoted
 * with `"` doubled.
 * @param rows flat records (e.g. a config from {@link expandGrid} spread with its metrics).
 * @param columns the keys to write, in order.
 * @throws TypeError when a written value is an object, array, function or symbol (not a scalar).
 */
export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.map((c) => csvField(c, c)).join(',')];
  for (const row of rows) {
    const rec = row as Readonly<Record<string, unknown>>;
    lines.push(columns.map((c) => csvField(Object.hasOwn(rec, c) ? rec[c] : undefined, c)).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
