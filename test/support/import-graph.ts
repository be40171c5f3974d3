/**
 * A short check over the import graph of `src/` (issue 9 item 5, docs/architecture.md "Target layout"):
 * the static and dynamic imports and re-exports of every `.ts` file, resolved to files, then layer rules
 * and import cycles. The `typescript` package installed here (7.x, the native compiler) has no JS
 * compiler API, so specifiers are read with a pattern that fits our biome-formatted sources: every
 * `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')` with a string literal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Edges of the graph: file (relative to the root, `/`-separated) → the project files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers of one source text (bare packages and `node:` modules included). */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(SPECIFIER)) out.push((m[1] ?? m[2]) as string);
  return out;
}

/** Every `.ts` file under `dir` (recursive), relative to `root`, `/`-separated, sorted. */
function tsFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...tsFiles(root, rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out.sort();
}

/** The import graph of the `.ts` files under `root/dir`: relative specifiers only, resolved to paths. */
export function importGraphOf(root: string, dir = 'src'): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(root, dir)) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const targets = importSpecifiers(text)
      .filter((s) => s.startsWith('.'))
      .map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** A layer rule: no file under `from` may import a file under any of `notTo`. */
export interface LayerRule {
  readonly from: string;
  readonly notTo: readonly string[];
}

/** The imports that break a rule, as `importer -> imported` lines, sorted. */
export function layerViolations(graph: ImportGraph, rules: readonly LayerRule[]): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    for (const rule of rules) {
      if (!file.startsWith(rule.from)) continue;
      for (const t of targets) if (rule.notTo.some((p) => t.startsWith(p))) out.push(`${file} -> ${t}`);
    }
  }
  return out.sort();
}

/**
 * The import cycles among the files under `within` (Tarjan's strongly connected components of more than
 * one file, or a file importing itself), each as its files sorted.
 */
export function importCycles(graph: ImportGraph, within: string): string[][] {
  const nodes = [...graph.keys()].filter((f) => f.startsWith(within));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!w.startsWith(within) || !graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}
