/**
 * `node:util` parseArgs option shapes for a command's own flags, each name written once: value flags
 * (`--name VALUE`, type `string`) and switches (`--name`, type `boolean`). No imports: the emulator's
 * command line (src/emulator/cli.ts) uses it too.
 */

/**
 * `{ [name]: { type } }` for each of `names`, in their order: `flags('string', 'from', 'to')` declares
 * `--from VALUE` and `--to VALUE`, `flags('boolean', 'json')` the switch `--json`.
 */
export function flags<T extends 'string' | 'boolean', N extends string>(
  type: T,
  ...names: N[]
): Record<N, { type: T }> {
  return Object.fromEntries(names.map((name) => [name, { type }])) as Record<N, { type: T }>;
}
