/**
 * The contract between the code that throws an error a person can act on and the CLI that exits with it:
 * the error names itself (`name`, printed as `<name>: message`) and carries its process exit code
 * (`exitCode`, read by `exitCodeOf` in src/app/errors.ts; sysexits.h codes, README "Exit codes").
 */

/**
 * The base class of such an error: `class X extends exitCodeError('X', 78) {}` gives `X` a literal
 * `name` and `exitCode` (set as instance fields, as written-out `readonly name = 'X'` fields would be),
 * with Error's `(message, options?)` constructor unless the subclass declares its own.
 * @param name the class name, shown to people before the message.
 * @param exitCode the process exit code, a positive integer (e.g. 2 bad input, 69 unavailable, 78 config).
 */
export function exitCodeError<const N extends string, const C extends number>(name: N, exitCode: C) {
  return class extends Error {
    override readonly name: N = name;
    readonly exitCode: C = exitCode;
  };
}
