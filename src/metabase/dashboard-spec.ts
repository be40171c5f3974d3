/**
 * Dashboards as data: the JSON files in `deploy/metabase/dashboards/*.json`, one dashboard per file,
 * read and checked here (zod) before anything is sent to Metabase.
 *
 * Shape (units: Metabase grid cells for `layout`, 24 columns wide):
 * `{ name, description?, parameters: [{ slug, name, type }], cards: [{ key, name, description?, display,
 *   sql, template_tags: { tag: { type, display_name } }, columns: [..], visualization_settings: {..},
 *   layout: { row, col, size_x, size_y } }] }`.
 * A card's template tag named like a dashboard parameter's slug is wired to it (parameter_mappings).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MetabaseConfigError } from './errors.ts';

const nonBlank = z.string().trim().min(1);
const gridInt = z.number().int().min(0);

const templateTagSchema = z.object({
  type: z.enum(['text', 'number', 'date']),
  display_name: nonBlank,
});

const cardSchema = z.object({
  key: z.string().regex(/^[a-z0-9_-]+$/, 'lower-case letters, digits, _ or - only'),
  name: nonBlank,
  description: z.string().optional(),
  display: nonBlank,
  sql: nonBlank,
  template_tags: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), templateTagSchema).default({}),
  columns: z.array(nonBlank).min(1),
  visualization_settings: z.record(z.string(), z.unknown()).default({}),
  layout: z.object({
    row: gridInt,
    col: gridInt.max(23),
    size_x: z.number().int().min(1).max(24),
    size_y: z.number().int().min(1),
  }),
});

const dashboardSchema = z.object({
  name: nonBlank,
  description: z.string().optional(),
  parameters: z
    .array(
      z.object({
        slug: z.string().regex(/^[a-z0-9_]+$/),
        name: nonBlank,
        type: z.enum(['string/=', 'category', 'date/single', 'date/all-options', 'number/=']),
      }),
    )
    .default([]),
  cards: z.array(cardSchema).min(1),
});

/** One card (native-SQL question) of a dashboard spec. */
export type CardSpec = z.infer<typeof cardSchema>;
/** One dashboard spec, with the file it came from. */
export type DashboardSpec = z.infer<typeof dashboardSchema> & { readonly file: string };

/**
 * Reads every `*.json` of `dir` (sorted by name) as a dashboard spec.
 * @throws MetabaseConfigError (exit 78) naming the file and the key: unreadable directory, no spec,
 * invalid JSON, a field of the wrong shape, a card key used twice, a dashboard name used twice, a
 * `{{tag}}` in the SQL without a template tag, or a template tag the SQL does not use.
 */
export async function loadDashboardSpecs(dir: string): Promise<DashboardSpec[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    throw new MetabaseConfigError(
      `--specs ${dir}: cannot read the dashboard specs directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  if (names.length === 0) throw new MetabaseConfigError(`--specs ${dir}: no *.json dashboard spec in it`);
  const specs: DashboardSpec[] = [];
  const keys = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new MetabaseConfigError(`${file}: not valid JSON (${(err as Error).message})`);
    }
    const parsed = dashboardSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue?.path.join('.') || '(root)';
      throw new MetabaseConfigError(`${file}: key ${at}: ${issue?.message ?? 'invalid'}`);
    }
    const spec = { ...parsed.data, file };
    if (specs.some((s) => s.name === spec.name))
      throw new MetabaseConfigError(`${file}: key name: dashboard "${spec.name}" is defined twice`);
    spec.cards.forEach((card, i) => {
      const where = `${file}: key cards.${i}`;
      const seen = keys.get(card.key);
      if (seen !== undefined)
        throw new MetabaseConfigError(`${where}.key: card key "${card.key}" is also used in ${seen}`);
      keys.set(card.key, file);
      const used = new Set(
        [...card.sql.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]),
      );
      for (const tag of used)
        if (tag === undefined || !Object.hasOwn(card.template_tags, tag))
          throw new MetabaseConfigError(`${where}.sql: {{${tag}}} has no entry in template_tags`);
      for (const tag of Object.keys(card.template_tags))
        if (!used.has(tag))
          throw new MetabaseConfigError(`${where}.template_tags.${tag}: the SQL does not use {{${tag}}}`);
    });
    specs.push(spec);
  }
  return specs;
}
