// The branch diff (issue 16): what changed between a fork or rewind and its source at the branch step,
// or between any two runs — config keys added, removed or changed (flattened as the runs table shows
// them), and each summary metric at the branch step, at the end and at its best, side by side. The
// rows come from the runs table's queries (min/max without reading points); the values at the branch
// step from the lineage (RunQueries.valuesAt). No peer tracker has it: W&B shows a fork's source, not
// what the fork changed.
import type { BranchDiff, CellValue, ConfigChange, DiffSide, MetricDiff, MetricGoal, RunsTableRow, SeriesSegment, SummaryValue } from './api';
import { RunRewindError } from './errors';
import type { RunQueries } from './queries';
import type { RunsTableQueries } from './runsTable';
import type { RunStore } from './store';
import { compareKeys } from '../shared/keys';

/**
 * `version` against `other`; without `other`, a fork or rewound version against its parent (the
 * source version) at its branch step. Both are immutable version ids.
 */
export function branchDiff(store: RunStore, queries: RunQueries, tables: RunsTableQueries, version: string, other?: string): BranchDiff {
  const v = store.requireVersion(version);
  let baseId: string;
  let otherId: string;
  let relation: BranchDiff['relation'];
  let branchStep: number | null;
  if (other === undefined) {
    if (v.parent === null || v.branchStep === null || !store.versions.has(v.parent)) {
      throw new RunRewindError('bad-argument', `${v.runId}@${v.id} is neither a fork nor a rewind: it has no source to compare with. Pick a second run to compare it with.`);
    }
    baseId = v.parent;
    otherId = v.id;
    relation = v.kind === 'fork' ? 'fork' : 'rewind';
    branchStep = v.branchStep;
  } else {
    const o = store.requireVersion(other);
    if (o.id === v.id) throw new RunRewindError('bad-argument', `Both sides of the comparison are ${v.runId}@${v.id}: pick two different runs or versions.`);
    baseId = v.id;
    otherId = o.id;
    branchStep = sharedUntil(queries.segments(v.id), queries.segments(o.id));
    relation =
      o.parent === v.id && o.branchStep !== null ? (o.kind === 'fork' ? 'fork' : 'rewind') : branchStep === null ? 'unrelated' : 'shared';
  }
  const base = tables.rowOf(baseId);
  const right = tables.rowOf(otherId);
  const atBranch = branchStep === null ? {} : queries.valuesAt(otherId, branchStep);
  return {
    base: side(base),
    other: side(right),
    relation,
    branchStep,
    ...configChanges(base.config, right.config),
    metrics: metricDiffs(base, right, atBranch),
  };
}

/**
 * The last step two visible histories both show: they share a history while their lineage segments are
 * the same stored versions from the same step, up to the lower end where one of them leaves it.
 */
export function sharedUntil(a: readonly SeriesSegment[], b: readonly SeriesSegment[]): number | null {
  let shared: number | null = null;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i].version !== b[i].version || a[i].from !== b[i].from) break;
    const to = Math.min(a[i].to, b[i].to);
    if (to < a[i].from) break;
    shared = to;
    if (a[i].to !== b[i].to) break;
  }
  // Two whole histories of one stored version (never happens for two different versions) share all of it.
  return shared === Number.POSITIVE_INFINITY ? null : shared;
}

function side(row: RunsTableRow): DiffSide {
  return { run: row.id, version: row.version, name: row.name, archived: row.archived, state: row.state, lastStep: row.lastStep };
}

function same(a: CellValue, b: CellValue): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && a !== a && b !== b);
}

function configChanges(before: Record<string, CellValue>, after: Record<string, CellValue>): { config: ConfigChange[]; sameConfig: number } {
  const has = (o: Record<string, CellValue>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareKeys);
  const config: ConfigChange[] = [];
  let sameConfig = 0;
  for (const key of keys) {
    if (!has(after, key)) config.push({ key, kind: 'removed', before: before[key] });
    else if (!has(before, key)) config.push({ key, kind: 'added', after: after[key] });
    else if (!same(before[key], after[key])) config.push({ key, kind: 'changed', before: before[key], after: after[key] });
    else sameConfig++;
  }
  return { config, sameConfig };
}

function metricDiffs(base: RunsTableRow, other: RunsTableRow, atBranch: Record<string, SummaryValue>): MetricDiff[] {
  const summaryKeys = new Set([...Object.keys(base.summary), ...Object.keys(other.summary)]);
  const keys = [...summaryKeys].sort(compareKeys);
  const stat = (row: RunsTableRow, key: string) => (Object.prototype.hasOwnProperty.call(row.summary, key) ? row.summary[key] : undefined);
  return keys.map((key) => {
    const a = stat(base, key);
    const b = stat(other, key);
    return {
      key,
      goal: goalOf(key, summaryKeys),
      atBranch: Object.prototype.hasOwnProperty.call(atBranch, key) ? atBranch[key] : null,
      end: [a?.last ?? null, b?.last ?? null],
      min: [a?.min ?? null, b?.min ?? null],
      max: [a?.max ?? null, b?.max ?? null],
    };
  });
}

const LOWER_IS_BETTER = new Set(['loss', 'error', 'err', 'mse', 'mae', 'rmse', 'nll', 'perplexity', 'ppl', 'wer', 'cer', 'fid']);
const HIGHER_IS_BETTER = new Set(['acc', 'accuracy', 'top1', 'top5', 'f1', 'auc', 'roc', 'precision', 'recall', 'bleu', 'rouge', 'reward', 'return', 'score', 'iou', 'miou', 'map']);

/**
 * Which way a metric is better, when something says so: a define_metric summary kept beside it (`loss.min`
 * without `loss.max`, or the reverse), else a word of its name (`val/loss`, `train_acc`); else unknown.
 */
export function goalOf(key: string, keys: ReadonlySet<string>): MetricGoal | null {
  const min = keys.has(`${key}.min`);
  const max = keys.has(`${key}.max`);
  if (min !== max) return min ? 'min' : 'max';
  const words = key.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const lower = words.some((w) => LOWER_IS_BETTER.has(w));
  const higher = words.some((w) => HIGHER_IS_BETTER.has(w));
  if (lower !== higher) return lower ? 'min' : 'max';
  return null;
}
