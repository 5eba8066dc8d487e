// Which lines a panel draws for its runs (a run's live version, its archived versions, a single
// version opened on its own), their stable colours, and the branch steps to mark.
import type { RunOverview, VersionInfo } from '../../src/shared/protocol';

/** Distinct, colour-blind friendly hues (W&B-like), readable on light and dark backgrounds. */
export const PALETTE = [
  '#3b82f6', '#f97316', '#10b981', '#e11d48', '#8b5cf6', '#eab308',
  '#06b6d4', '#ec4899', '#84cc16', '#a16207', '#6366f1', '#14b8a6',
];

export interface LineSpec {
  /** The version the points come from (unique within a panel). */
  readonly version: string;
  readonly runId: string;
  readonly runName: string;
  /** The panel entry (run id or version id) this line belongs to. */
  readonly entry: string;
  readonly archived: boolean;
  readonly color: string;
  /** Archived lines start where their replacement branched off (the part before is the live line). */
  readonly from: number | undefined;
  /**
   * The line whose points are this version's history before `from` (the version that branched off it
   * there, which shares those rows): the readout and the smoothing look there for the steps before.
   */
  readonly inheritsFrom: string | undefined;
  /** Dash pattern in CSS pixels ([] for a solid line): each archived version of a run has its own. */
  readonly dash: readonly number[];
  /** Opacity of the stroke: archived versions step lighter, newest first (1 for live lines). */
  readonly alpha: number;
  readonly label: string;
  /** The label in a chart's readout, where room is short: the run's name, and the whole version id of an archived line. */
  readonly shortLabel: string;
}

/**
 * Dash patterns for a run's archived versions, newest first: told apart by shape, not only by colour
 * (the versions of one run share its colour).
 */
const ARCHIVED_DASHES: readonly (readonly number[])[] = [[6, 4], [2, 3], [10, 3, 2, 3], [12, 6], [4, 2, 1, 2, 1, 2]];
/** Opacity steps for archived versions, newest first (with the 5 dashes: 15 looks before one repeats). */
const ARCHIVED_ALPHAS: readonly number[] = [0.9, 0.7, 0.5];

export interface BranchMark {
  readonly step: number;
  /** Where a rewind or fork branched, or a step with a checkpoint (an artifact the run can resume from). */
  readonly kind: 'rewind' | 'fork' | 'checkpoint';
  readonly runId: string;
  readonly color: string;
  /** The line whose x (in time mode) positions the mark. */
  readonly version: string;
}

/** Hash of a string into [0, n): stable across sessions and panels. */
function hashIndex(text: string, n: number): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % n;
}

/** One colour per entry: hashed from its id, moved to the next free colour on a clash within the panel. */
export function assignColors(entries: readonly string[]): Map<string, string> {
  const used = new Set<number>();
  const colors = new Map<string, string>();
  for (const entry of entries) {
    let i = hashIndex(entry, PALETTE.length);
    for (let tries = 0; tries < PALETTE.length && used.has(i); tries++) i = (i + 1) % PALETTE.length;
    used.add(i);
    colors.set(entry, PALETTE[i]);
  }
  return colors;
}

/**
 * The version that branched off an archived version first (smallest branch step): the archived line is
 * drawn from there, and before it its history is that version's.
 */
function successorOf(archived: VersionInfo, versions: readonly VersionInfo[]): VersionInfo | undefined {
  let best: VersionInfo | undefined;
  for (const v of versions) {
    if (v.parent === archived.id && v.branchStep !== null && (best === undefined || v.branchStep < (best.branchStep ?? Infinity))) best = v;
  }
  return best;
}

/** A CSS background drawing `dash` (on, off, on, off… in px) in `color` along a swatch; '' for solid. */
export function dashGradient(color: string, dash: readonly number[]): string {
  if (dash.length === 0) return '';
  const stops: string[] = [];
  let at = 0;
  dash.forEach((length, i) => {
    stops.push(`${i % 2 === 0 ? color : 'transparent'} ${at}px ${at + length}px`);
    at += length;
  });
  return `repeating-linear-gradient(90deg, ${stops.join(', ')})`;
}

export function buildLines(entries: readonly string[], runs: ReadonlyMap<string, RunOverview>): LineSpec[] {
  const colors = assignColors(entries);
  const lines: LineSpec[] = [];
  for (const entry of entries) {
    const run = runs.get(entry);
    if (!run) continue;
    const color = colors.get(entry) ?? PALETTE[0];
    if (entry !== run.id) {
      // A single (possibly archived) version opened on its own.
      lines.push({
        version: run.version.id,
        runId: run.id,
        runName: run.name,
        entry,
        archived: run.version.archived,
        color,
        from: undefined,
        inheritsFrom: undefined,
        dash: run.version.archived ? ARCHIVED_DASHES[0] : [],
        alpha: 1,
        label: `${run.name} @ ${run.version.id}${run.version.archived ? ' (archived)' : ''}`,
        shortLabel: `${run.name} @ ${run.version.id}`,
      });
      continue;
    }
    lines.push({
      version: run.liveVersion,
      runId: run.id,
      runName: run.name,
      entry,
      archived: false,
      color,
      from: undefined,
      inheritsFrom: undefined,
      dash: [],
      alpha: 1,
      label: run.name,
      shortLabel: run.name,
    });
    // Newest archived first, so the latest rewind's old curve gets the plainest dash.
    const archived = run.versions.filter((v) => v.archived).sort((a, b) => (b.archivedAt ?? 0) - (a.archivedAt ?? 0));
    const looks = new Map(archived.map((v, i) => [v.id, i]));
    for (const v of run.versions) {
      if (!v.archived) continue;
      const successor = successorOf(v, run.versions);
      const from = successor?.branchStep ?? undefined;
      const look = looks.get(v.id) ?? 0;
      lines.push({
        version: v.id,
        runId: run.id,
        runName: run.name,
        entry,
        archived: true,
        color,
        from,
        inheritsFrom: successor?.id,
        dash: ARCHIVED_DASHES[look % ARCHIVED_DASHES.length],
        alpha: ARCHIVED_ALPHAS[look % ARCHIVED_ALPHAS.length],
        label: `${run.name} · archived ${v.id}${from !== undefined ? ` · rewind ${from}` : ''}`,
        shortLabel: `${run.name} · ${v.id}`,
      });
    }
  }
  return lines;
}

export function buildMarks(entries: readonly string[], runs: ReadonlyMap<string, RunOverview>, lines: readonly LineSpec[]): BranchMark[] {
  const marks: BranchMark[] = [];
  const colorOf = (entry: string): string => lines.find((l) => l.entry === entry)?.color ?? PALETTE[0];
  for (const entry of entries) {
    const run = runs.get(entry);
    if (!run || entry !== run.id) continue;
    for (const v of run.versions) {
      if (v.kind === 'rewind' && v.branchStep !== null) {
        marks.push({ step: v.branchStep, kind: 'rewind', runId: run.id, color: colorOf(entry), version: run.liveVersion });
      }
    }
    if (run.forkedFrom) {
      marks.push({ step: run.forkedFrom.step, kind: 'fork', runId: run.id, color: colorOf(entry), version: run.liveVersion });
    }
    for (const c of run.checkpoints ?? []) {
      marks.push({ step: c.step, kind: 'checkpoint', runId: run.id, color: colorOf(entry), version: run.liveVersion });
    }
  }
  return marks;
}

/** A signature of what lines exist, to tell "the points grew" from "the lines changed". */
export function lineSignature(lines: readonly LineSpec[]): string {
  return lines.map((l) => `${l.version}:${l.from ?? ''}`).join('|');
}

/**
 * Rows for branch-mark labels placed left to right (sorted by x): each goes on the first of `rows`
 * rows where it starts at least `gap` after the previous label on that row ends; -1 when none has
 * room (the label is left out; the plot's tooltip lists every mark).
 */
export function labelRows(labels: readonly { readonly x: number; readonly width: number }[], gap: number, rows = 2): number[] {
  const ends = new Array<number>(rows).fill(-Infinity);
  return labels.map(({ x, width }) => {
    const row = ends.findIndex((end) => x >= end + gap);
    if (row >= 0) ends[row] = x + width;
    return row;
  });
}

/** What a panel draws now: its runs by entry, their lines, colours and branch marks. */
export class PanelLines {
  /** Panel entry (run id or version id) → the run's overview. */
  runs = new Map<string, RunOverview>();
  lines: LineSpec[] = [];
  marks: BranchMark[] = [];
  colors = new Map<string, string>();
  /** Changes when the drawn lines change (a rewind, a fork, a new archived version). */
  signature = '';

  /** Takes the host's runs for the panel's entries (in order); true when the lines changed. */
  set(entries: readonly string[], runs: readonly RunOverview[]): boolean {
    this.runs = new Map();
    runs.forEach((run, i) => this.runs.set(entries[i] ?? run.id, run));
    this.colors = assignColors(entries);
    this.lines = buildLines(entries, this.runs);
    this.marks = buildMarks(entries, this.runs, this.lines);
    const signature = lineSignature(this.lines);
    if (signature === this.signature) return false;
    this.signature = signature;
    return true;
  }

  run(runId: string): RunOverview | undefined {
    for (const run of this.runs.values()) if (run.id === runId) return run;
    return undefined;
  }

  /** Each run's creation time: where the relative time axis starts. */
  startTimes(): Map<string, number> {
    const startTimes = new Map<string, number>();
    for (const run of this.runs.values()) startTimes.set(run.id, run.createdAt);
    return startTimes;
  }
}
