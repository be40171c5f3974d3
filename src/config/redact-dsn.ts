/**
 * Secrets out of connection strings, in both forms a user may write one (issue 14 item 6):
 * - URL form (`postgres://user:password@host:5432/db?sslpassword=…`, also any http(s) URL): the
 *   user-info password and secret-looking query parameters become `***`, everything else is kept;
 * - libpq key/value form (`host=db password='p w' dbname=ledger`, PostgreSQL docs §34.1.1
 *   "Keyword/Value Connection Strings"): the values of `password`, `sslpassword` and of any key
 *   containing `pass`, `secret` or `token` become `***` (quoted values included).
 * Used wherever a DSN is printed: config errors, the stored effective config, connection errors.
 */

/** Query-parameter / keyword names whose value is a secret. */
const SECRET_NAME = /pass|pwd|secret|token/i;

/** A libpq keyword/value pair: `key = value` or `key = 'quoted \' value'`. */
const KV_PAIR = /([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'?|[^\s']*)/gy;

/**
 * True when `dsn` is in libpq keyword/value form: one or more `key=value` pairs separated by spaces,
 * nothing else (e.g. `host=db port=5432 dbname=ledger`).
 */
export function isKeyValueDsn(dsn: string): boolean {
  const s = dsn.trim();
  if (s === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return false;
  let i = 0;
  let pairs = 0;
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (i >= s.length) break;
    KV_PAIR.lastIndex = i;
    const m = KV_PAIR.exec(s);
    if (m === null || m[0].length === 0) return false;
    i = KV_PAIR.lastIndex;
    pairs++;
  }
  return pairs > 0;
}

/**
 * `dsn` fit for messages, logs and storage: every secret replaced by `***` (see the module comment).
 * Unchanged when it holds no secret; `''` stays `''`. A string in neither form has anything that looks
 * like `user:password@` blanked, and `password=value` pairs too.
 */
export function redactDsn(dsn: string): string {
  if (dsn === '') return '';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dsn.trim()) && URL.canParse(dsn.trim()))
    return redactUrlForm(dsn.trim());
  if (isKeyValueDsn(dsn)) return redactKeyValue(dsn);
  return dsn
    .replace(/([^\s:/@]*):[^\s@/]*@/g, '$1:***@')
    .replace(/((?:pass|pwd|secret|token)[a-z_]*\s*=\s*)('(?:[^'\\]|\\.)*'?|\S+)/gi, '$1***');
}

function redactUrlForm(url: string): string {
  const u = new URL(url);
  let changed = false;
  if (u.password !== '') {
    u.password = '***';
    changed = true;
  }
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_NAME.test(name)) {
      u.searchParams.set(name, '***');
      changed = true;
    }
  }
  return changed ? u.href : url;
}

function redactKeyValue(dsn: string): string {
  return dsn.replace(
    /([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s']*)/g,
    (whole, key: string, eq: string) => (SECRET_NAME.test(key) ? `${key}${eq}***` : whole),
  );
}
