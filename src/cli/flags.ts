/**
 * Command-line flags shared by the commands: the config-key flags ({@link FLAG_KEYS}, derived from the
 * config key table), deprecated spellings that still work with a warning, and aligned help columns.
 */
import { describeConfigKeys, FLAG_KEYS, type Overrides } from '../config/loader.ts';

/**
 * Old flag spellings → the flag they now mean. `--mode` meant the rebalance mode (full | delta) while
 * `--strategy` took momentum | reversal, and `[strategy] mode` is the strategy: it is now
 * `--rebalance-mode`, and `--mode` still works with a warning (issue 9 item 6).
 */
export const DEPRECATED_FLAGS: Readonly<Record<string, string>> = Object.freeze({ mode: 'rebalance-mode' });

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** `parseArgs` options for every config-key flag and its deprecated spellings, minus `exclude`. */
export function configFlagOptions(exclude: readonly string[] = []): Options {
  const options: Options = {};
  for (const flag of Object.keys(FLAG_KEYS)) if (!exclude.includes(flag)) options[flag] = { type: 'string' };
  for (const [old, now] of Object.entries(DEPRECATED_FLAGS))
    if (!exclude.includes(now)) options[old] = { type: 'string' };
  return options;
}

/**
 * The config overrides given by flags in `values` (parseArgs output). A deprecated spelling is applied
 * as its new flag, with a warning through `warn`; the new spelling wins when both are given.
 */
export function configOverrides(
  values: Readonly<Record<string, unknown>>,
  warn: (message: string) => void,
): Overrides {
  const overrides: Overrides = {};
  const set = (flag: string, v: string) => {
    const [section, key] = FLAG_KEYS[flag] as readonly [keyof Overrides, string];
    overrides[section] ??= {};
    (overrides[section] as Record<string, string>)[key] = v;
  };
  for (const [old, now] of Object.entries(DEPRECATED_FLAGS)) {
    const v = values[old];
    if (typeof v !== 'string') continue;
    warn(
      `warning: --${old} is deprecated (it was ambiguous): use --${now} ${v}${now === 'rebalance-mode' ? ' (full | delta); the strategy is --strategy momentum | reversal' : ''}`,
    );
    if (typeof values[now] !== 'string') set(now, v);
  }
  for (const flag of Object.keys(FLAG_KEYS)) {
    const v = values[flag];
    if (typeof v === 'string') set(flag, v);
  }
  return overrides;
}

/**
 * Help rows as two aligned columns: every description starts in the same column (the longest label +
 * 2 spaces), indented by `indent`. Descriptions may hold `\n` for continuation lines.
 */
export function helpRows(rows: readonly (readonly [string, string])[], indent = 2): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows
    .map(([label, text]) => {
      const [first, ...more] = text.split('\n');
      return [
        `${' '.repeat(indent)}${label.padEnd(width)}${first}`,
        ...more.map((l) => `${' '.repeat(indent + width)}${l}`),
      ].join('\n');
    })
    .join('\n');
}

/** The help rows of the config-key flags (`--top-n N  sets [strategy] top_n`), minus `exclude`. */
export function configFlagRows(exclude: readonly string[] = []): [string, string][] {
  return Object.entries(FLAG_KEYS)
    .filter(([flag]) => !exclude.includes(flag))
    .map(([flag, [section, key]]) => {
      const doc = describeConfigKeys().find((k) => k.section === section && k.key === key);
      return [`--${flag} VALUE`, `sets [${section}] ${key}${doc ? `: ${doc.allowed}` : ''}`];
    });
}
