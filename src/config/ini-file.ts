/**
 * A line-oriented INI reader that keeps line numbers and reports malformed lines (the `ini` package
 * silently skips them and merges dotted sections). Values are unquoted / unescaped with `ini`'s own
 * rules (`ini.unsafe`): surrounding whitespace trimmed; `"…"` and `'…'` quote a value literally;
 * otherwise an unescaped `;` or `#` starts a comment, and `\;` / `\#` stand for the characters. A quoted
 * value may be followed by a comment.
 */
import { unsafe } from 'ini';

/** A `[section]` header. */
export interface IniSectionHeader {
  readonly name: string;
  /** 1-based line number. */
  readonly line: number;
}

/** A `key = value` line. */
export interface IniEntry {
  /** The enclosing section, or null for a key before any `[section]` header. */
  readonly section: string | null;
  /** The key, trimmed, as written. */
  readonly key: string;
  /** The value, unquoted / unescaped, comment removed. */
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

/** The result of {@link readIni}. */
export interface IniDocument {
  readonly sections: readonly IniSectionHeader[];
  readonly entries: readonly IniEntry[];
  /** Malformed lines (their content is NOT included: it might be a pasted secret). */
  readonly malformed: readonly { readonly line: number; readonly reason: string }[];
}

const SECTION_RE = /^\[([^\]]*)\]\s*(?:[;#].*)?$/;
/** A quoted value followed by nothing but an optional comment. */
const QUOTED_THEN_COMMENT_RE = /^\s*("(?:[^"\\]|\\.)*"|'[^']*')\s*(?:[;#].*)?$/;

/** `ini.unsafe`, plus: a quoted value may be followed by a comment (`"a;b" ; note` → `a;b`). */
function parseValue(raw: string): string {
  const m = QUOTED_THEN_COMMENT_RE.exec(raw);
  return unsafe(m?.[1] ?? raw);
}

/**
 * Splits INI text into section headers, entries and malformed lines. Blank lines and lines whose first
 * non-blank character is `;` or `#` are comments. Never throws.
 */
export function readIni(text: string): IniDocument {
  const sections: IniSectionHeader[] = [];
  const entries: IniEntry[] = [];
  const malformed: { line: number; reason: string }[] = [];
  let section: string | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith(';') || s.startsWith('#')) return;
    if (s.startsWith('[')) {
      const m = SECTION_RE.exec(s);
      const name = m?.[1]?.trim();
      if (name === undefined || name === '') {
        malformed.push({ line, reason: 'expected a section header like [strategy]' });
        return;
      }
      section = name;
      sections.push({ name, line });
      return;
    }
    const eq = s.indexOf('=');
    if (eq < 0) {
      malformed.push({ line, reason: 'expected "key = value", "[section]" or a comment (; or #)' });
      return;
    }
    const key = s.slice(0, eq).trim();
    if (key === '') {
      malformed.push({ line, reason: 'missing key before "="' });
      return;
    }
    entries.push({ section, key, value: parseValue(s.slice(eq + 1)), line });
  });
  return { sections, entries, malformed };
}
