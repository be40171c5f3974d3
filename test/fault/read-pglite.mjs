// Child process of test/fault/harness.ts: runs the given read-only queries (JSON array, `$1` = the
// account name) on a PGlite directory and prints their rows as one JSON array. Apart from the harness
// process because PGlite aborts its whole process on some on-disk states (a directory a killed CLI left).
//   node read-pglite.mjs DIR ACCOUNT QUERIES_JSON
import { PGlite } from '@electric-sql/pglite';

const [dir, account, queries] = process.argv.slice(2);
const db = new PGlite(dir);
const out = [];
for (const q of JSON.parse(queries)) out.push((await db.query(q, [account])).rows);
await db.close();
process.stdout.write(JSON.stringify(out));
