/**
 * The layering of docs/architecture.md, checked over the real import graph of src/ (issue 9 item 5):
 * the pure domain imports no port, adapter, use case or outer layer; use cases (src/app) import no
 * adapter (the compose layer injects them); no import cycle inside src/domain (the former
 * rank.ts ↔ eligibility.ts cycle). The checker itself is first shown to catch each kind of defect on a
 * small hand-made graph, so a test that passes on src/ means something.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type ImportGraph,
  importCycles,
  importGraphOf,
  importSpecifiers,
  type LayerRule,
  layerViolations,
} from '../../support/import-graph.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** docs/architecture.md "One path for every mode" / "Target layout". */
const RULES: readonly LayerRule[] = [
  {
    from: 'src/domain/',
    notTo: [
      'src/ports/',
      'src/adapters/',
      'src/app/',
      'src/compose/',
      'src/cli/',
      'src/config/',
      'src/emulator/',
    ],
  },
  { from: 'src/app/', notTo: ['src/adapters/', 'src/compose/', 'src/cli/', 'src/emulator/'] },
];

describe('the import checker (on hand-made input)', () => {
  it('reads every import and re-export form, type-only and dynamic ones included', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "import {\n  c,\n  type D,\n} from './c.ts';",
      "export { e } from './e.ts';",
      "export type { F } from './f.ts';",
      "export * from './g.ts';",
      "import './side-effect.ts';",
      "const h = await import('./h.ts');",
      "import x from 'decimal.js';",
      '// a comment that says import from nowhere',
    ].join('\n');
    expect(importSpecifiers(src)).toEqual([
      './a.ts',
      '../b.ts',
      './c.ts',
      './e.ts',
      './f.ts',
      './g.ts',
      './side-effect.ts',
      './h.ts',
      'decimal.js',
    ]);
  });

  it('reports a forbidden layer import and an import cycle', () => {
    const graph: ImportGraph = new Map([
      ['src/domain/a.ts', ['src/domain/b.ts', 'src/ports/p.ts']],
      ['src/domain/b.ts', ['src/domain/c.ts']],
      ['src/domain/c.ts', ['src/domain/a.ts']],
      ['src/domain/d.ts', []],
      ['src/app/u.ts', ['src/adapters/x.ts', 'src/domain/d.ts']],
      ['src/ports/p.ts', []],
    ]);
    expect(layerViolations(graph, RULES)).toEqual([
      'src/app/u.ts -> src/adapters/x.ts',
      'src/domain/a.ts -> src/ports/p.ts',
    ]);
    expect(importCycles(graph, 'src/domain/')).toEqual([
      ['src/domain/a.ts', 'src/domain/b.ts', 'src/domain/c.ts'],
    ]);
  });
});

describe('src/ follows the layering', () => {
  const graph = importGraphOf(ROOT);

  it('sees the whole of src/ (the graph is not empty by mistake)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/domain/ranking/rank.ts')).toContain('src/domain/universe/decision.ts');
    for (const targets of graph.values()) for (const t of targets) expect(graph.has(t), t).toBe(true);
  });

  it('no domain → ports/adapters/app (or outer layer) import, no app → adapters import', () => {
    expect(layerViolations(graph, RULES)).toEqual([]);
  });

  it('no import cycle inside src/domain', () => {
    expect(importCycles(graph, 'src/domain/')).toEqual([]);
  });
});
