// The fields of a runs table row that columns show, sorting orders and queries test: a run's attributes,
// a config key, or a summary metric's last/min/max. Shared by the store's filter (src/core), the command
// line and the table's webview (media/table), so a column, a sort and a query name a field the same way.
import type { RunsTableRow } from '../core/api';
import { compareKeys } from './keys';

export type { MetricStats, RunsTable, RunsTableRow } from '../core/api';

export type AttributeName = 'name' | 'state' | 'id' | 'project' | 'group' | 'tags' | 'notes' | 'created' | 'duration' | 'lastStep' | 'version';
export type SummaryStat = 'last' | 'min' | 'max';

export type FieldRef =
  | { readonly kind: 'attr'; readonly name: AttributeName }
  | { readonly kind: 'config'; readonly key: string }
  | { readonly kind: 'summary'; readonly key: string; readonly stat: SummaryStat };

/** What a field holds for one row: tags are a list, everything else one value (null: none). */
export type FieldValue = number | string | boolean | null | readonly string[];

export const ATTRIBUTES: readonly AttributeName[] = ['name', 'state', 'id', 'project', 'group', 'tags', 'notes', 'created', 'duration', 'lastStep', 'version'];

/** Names a query may use for each attribute: ours, W&B's and MLflow's (`attributes.status`, `run_name`, `start_time`). */
export const ATTRIBUTE_ALIASES: Readonly<Record<string, AttributeName>> = {
  name: 'name', run_name: 'name', display_name: 'name', displayname: 'name',
  state: 'state', status: 'state',
  id: 'id', run_id: 'id', runid: 'id',
  project: 'project',
  group: 'group',
  tags: 'tags', tag: 'tags',
  notes: 'notes',
  created: 'created', created_at: 'created', createdat: 'created', start_time: 'created',
  duration: 'duration', runtime: 'duration',
  laststep: 'lastStep', last_step: 'lastStep', step: 'lastStep', _step: 'lastStep',
  version: 'version', version_id: 'version',
};

/** A row's facts: everything but its config, summary and child rows. */
export type RunFacts = Omit<RunsTableRow, 'config' | 'summary' | 'versions'>;

export function attributeValue(row: RunFacts, name: AttributeName): FieldValue {
  switch (name) {
    case 'name': return row.name;
    case 'state': return row.state;
    case 'id': return row.id;
    case 'project': return row.project;
    case 'group': return row.group;
    case 'tags': return row.tags;
    case 'notes': return row.notes;
    case 'created': return row.createdAt;
    case 'duration': return row.duration;
    case 'lastStep': return row.lastStep;
    case 'version': return row.version;
  }
  return null;
}

export function fieldValue(row: RunsTableRow, field: FieldRef): FieldValue {
  switch (field.kind) {
    case 'attr':
      return attributeValue(row, field.name);
    case 'config':
      return Object.prototype.hasOwnProperty.call(row.config, field.key) ? row.config[field.key] : null;
    case 'summary': {
      const stats = Object.prototype.hasOwnProperty.call(row.summary, field.key) ? row.summary[field.key] : undefined;
      return stats ? stats[field.stat] : null;
    }
  }
}

/** A column's id: `name`, `config.lr`, `summary.loss.min` (what the view state keeps). */
export function fieldId(field: FieldRef): string {
  switch (field.kind) {
    case 'attr': return field.name;
    case 'config': return `config.${field.key}`;
    case 'summary': return `summary.${field.key}.${field.stat}`;
  }
}

/** The field of a column id, or undefined for an id that names none. */
export function fieldOfId(id: string): FieldRef | undefined {
  if (id.startsWith('config.') && id.length > 7) return { kind: 'config', key: id.slice(7) };
  if (id.startsWith('summary.')) {
    const m = /^summary\.(.+)\.(last|min|max)$/.exec(id);
    return m ? { kind: 'summary', key: m[1], stat: m[2] as SummaryStat } : undefined;
  }
  return (ATTRIBUTES as readonly string[]).includes(id) ? { kind: 'attr', name: id as AttributeName } : undefined;
}

/** One ranking of any two values, stable and natural: numbers by value, text as compareKeys orders it
 * ("run9" before "run10"), false before true, lists by their joined text; none (null) after everything. */
export function compareValues(a: FieldValue, b: FieldValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a === b || (a !== a && b !== b) ? 0 : a !== a ? 1 : b !== b ? -1 : a < b ? -1 : 1;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return compareKeys(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return compareKeys(a.join(', '), b.join(', '));
  return 0;
}

function rank(v: FieldValue): number {
  if (v === null) return 4;
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  return 3;
}
