/**
 * The request bodies the provisioner sends, built from the dashboard specs (pure, no I/O).
 * Shapes follow Metabase's OpenAPI document (test/fixtures/metabase/api-subset.json, Metabase
 * v0.57 line): `POST /api/card/` / `PUT /api/card/{id}`, `POST /api/dashboard/`, `PUT /api/dashboard/{id}`.
 * The native query uses the legacy (MBQL 4) native form `{type:"native", database, native:{query,
 * "template-tags"}}`, which the OpenAPI document leaves open (`dataset_query` is "a map"); see
 * docs/metabase.md.
 */
import { createHash } from 'node:crypto';
import type { CardSpec, DashboardSpec } from './dashboard-spec.ts';
import { managedMarker } from './marker.ts';

/** A stable UUID-shaped id from `seed` (SHA-256), so a run again sends the same template-tag ids. */
export function stableId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The `description` sent for a managed object: the spec's text, then the marker on its own line. */
export function describedWithMarker(text: string | undefined, marker: string): string {
  return text !== undefined && text.trim() !== '' ? `${text.trim()}\n\n${marker}` : marker;
}

/** Body of `POST /api/card/` and `PUT /api/card/{id}` for one card spec (a native-SQL question). */
export function cardBody(card: CardSpec, databaseId: number, collectionId: number): Record<string, unknown> {
  const templateTags = Object.fromEntries(
    Object.entries(card.template_tags).map(([tag, t]) => [
      tag,
      {
        id: stableId(`card:${card.key}:tag:${tag}`),
        name: tag,
        'display-name': t.display_name,
        type: t.type,
      },
    ]),
  );
  return {
    name: card.name,
    description: describedWithMarker(card.description, managedMarker('card', card.key)),
    type: 'question',
    display: card.display,
    collection_id: collectionId,
    visualization_settings: card.visualization_settings,
    dataset_query: {
      type: 'native',
      database: databaseId,
      native: { query: card.sql, 'template-tags': templateTags },
    },
  };
}

/** The dashboard filters (`parameters`) of a dashboard spec; ids are stable per dashboard and slug. */
export function dashboardParameters(spec: DashboardSpec): Record<string, unknown>[] {
  return spec.parameters.map((p) => ({
    id: parameterId(spec, p.slug),
    name: p.name,
    slug: p.slug,
    type: p.type,
    sectionId: 'string',
  }));
}

function parameterId(spec: DashboardSpec, slug: string): string {
  return stableId(`dashboard:${spec.name}:parameter:${slug}`).slice(0, 8);
}

/** Body of `POST /api/dashboard/`. */
export function dashboardCreateBody(spec: DashboardSpec, collectionId: number): Record<string, unknown> {
  return {
    name: spec.name,
    description: describedWithMarker(spec.description, managedMarker('dashboard', spec.name)),
    collection_id: collectionId,
    parameters: dashboardParameters(spec),
  };
}

/** A dashcard as Metabase returns it in `GET /api/dashboard/{id}` (the fields we read). */
export interface ExistingDashcard {
  readonly id: number;
  readonly card_id: number | null;
  readonly row: number;
  readonly col: number;
  readonly size_x: number;
  readonly size_y: number;
  readonly parameter_mappings?: unknown[] | null;
  readonly series?: unknown[] | null;
  readonly visualization_settings?: Record<string, unknown> | null;
  readonly dashboard_tab_id?: number | null;
}

/**
 * Body of `PUT /api/dashboard/{id}`: name, description, parameters and the FULL `dashcards` list (Metabase
 * replaces the dashboard's cards with it). Our cards keep the id of their existing dashcard or get a
 * negative id (new); dashcards of cards we did not make (`kept`) are sent back unchanged so nothing
 * added by hand is removed. Each card's template tag named like a parameter slug is mapped to it.
 * @param cardIds the Metabase card id of each card key.
 * @param existing the dashcards now on the dashboard holding one of our cards, by card id.
 */
export function dashboardPutBody(
  spec: DashboardSpec,
  collectionId: number,
  cardIds: ReadonlyMap<string, number>,
  existing: ReadonlyMap<number, ExistingDashcard>,
  kept: readonly ExistingDashcard[],
): Record<string, unknown> {
  let next = -1;
  const ours = spec.cards.map((card) => {
    const cardId = cardIds.get(card.key);
    if (cardId === undefined) throw new Error(`no card id for ${card.key}`);
    const before = existing.get(cardId);
    return {
      id: before?.id ?? next--,
      card_id: cardId,
      row: card.layout.row,
      col: card.layout.col,
      size_x: card.layout.size_x,
      size_y: card.layout.size_y,
      series: [],
      visualization_settings: {},
      parameter_mappings: spec.parameters
        .filter((p) => Object.hasOwn(card.template_tags, p.slug))
        .map((p) => ({
          parameter_id: parameterId(spec, p.slug),
          card_id: cardId,
          target: ['variable', ['template-tag', p.slug]],
        })),
    };
  });
  const others = kept.map((d) => ({
    id: d.id,
    card_id: d.card_id,
    row: d.row,
    col: d.col,
    size_x: d.size_x,
    size_y: d.size_y,
    series: d.series ?? [],
    visualization_settings: d.visualization_settings ?? {},
    parameter_mappings: d.parameter_mappings ?? [],
    ...(d.dashboard_tab_id != null ? { dashboard_tab_id: d.dashboard_tab_id } : {}),
  }));
  return {
    name: spec.name,
    description: describedWithMarker(spec.description, managedMarker('dashboard', spec.name)),
    collection_id: collectionId,
    parameters: dashboardParameters(spec),
    dashcards: [...ours, ...others],
  };
}
