// MLflow's file store as runs: `mlruns/<experiment>/<run>/` with meta.yaml, `metrics/<key>` (lines
// `timestamp value step`; a key with `/` is a folder path), `params/<key>` and `tags/<key>` (the file is
// the value). Each run's metric files are read whole and merged by step into rows (snapshot.ts compares
// them with what was applied: a run resumed with `start_run(run_id=...)` that logs earlier steps again is
// a rewind). The experiment's name is the project, `mlflow.runName` the name, params the config, other
// non-system tags the run's tags; meta.yaml's FINISHED/FAILED/KILLED status finishes it. A nested run
// (`mlflow.parentRunId`) is grouped under its parent's name, not forked from it: MLflow's child runs are
// trials or stages with their own steps from 0, they do not continue the parent's history.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImportContext } from './index';
import type { FoundRun, Snapshot, SnapshotRow, Warn } from './snapshot';
import { SnapshotImporter, pythonNumber } from './snapshot';
import { isPlainObject, parseYaml } from './yaml';

export const MLFLOW_KIND = 'mlflow' as const;
const PARENT_TAG = 'mlflow.parentRunId';
const NAME_TAG = 'mlflow.runName';
/** meta.yaml's RunStatus: FINISHED, FAILED, KILLED end a run. */
const ENDED: ReadonlyMap<number | string, number> = new Map<number | string, number>([[3, 0], [4, 1], [5, 1], ['FINISHED', 0], ['FAILED', 1], ['KILLED', 1]]);

interface RunFiles {
  readonly meta: Record<string, unknown>;
  /** Metric key → file. */
  readonly metrics: Map<string, string>;
  readonly params: Map<string, string>;
  readonly tags: Map<string, string>;
}

export class MlflowImporter extends SnapshotImporter {
  private readonly found = new Map<string, RunFiles>();

  constructor(ctx: ImportContext) {
    super(ctx, MLFLOW_KIND, 'MLflow', 'mlf');
  }

  protected findRuns(root: string): FoundRun[] {
    const out: FoundRun[] = [];
    this.walk(root, (dir, listing) => {
      if (path.basename(dir).startsWith('.') && dir !== root) return true; // .trash: deleted experiments
      if (!listing.fileSet.has('meta.yaml') || !listing.dirs.includes('metrics')) return false;
      let meta: unknown;
      try {
        meta = parseYaml(fs.readFileSync(path.join(dir, 'meta.yaml'), 'utf8'), path.join(dir, 'meta.yaml'));
      } catch {
        return true; // being written: seen again next pass
      }
      if (!isPlainObject(meta) || meta.lifecycle_stage === 'deleted') return true;
      const files: RunFiles = { meta, metrics: this.files(path.join(dir, 'metrics')), params: this.files(path.join(dir, 'params')), tags: this.files(path.join(dir, 'tags')) };
      let stamp = '';
      let mtime = 0;
      let bytes = 0;
      for (const file of [path.join(dir, 'meta.yaml'), ...files.metrics.values(), ...files.params.values(), ...files.tags.values()]) {
        try {
          const st = fs.statSync(file);
          stamp += `${st.size}:${st.mtimeMs};`;
          mtime = Math.max(mtime, st.mtimeMs / 1000);
          bytes += st.size;
        } catch {
          stamp += 'gone;';
        }
      }
      this.found.set(dir, files);
      out.push({ dir, stamp, mtime, bytes });
      return true;
    });
    return out;
  }

  /** The files under `dir` by their path relative to it with `/` (MLflow's key names). */
  private files(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const go = (at: string, prefix: string, depth: number): void => {
      const listing = this.listing(at);
      if (!listing || depth > 16) return;
      for (const name of listing.files) out.set(`${prefix}${name}`, path.join(at, name));
      for (const sub of listing.dirs) go(path.join(at, sub), `${prefix}${sub}/`, depth + 1);
    };
    go(dir, '', 0);
    return out;
  }

  protected read(found: FoundRun, warn: Warn): Snapshot | undefined {
    const files = this.found.get(found.dir);
    if (!files) return undefined;
    const still = this.ctx.now() - found.mtime >= this.ctx.holdSeconds;
    const gathered = new MetricRows();
    for (const [key, file] of files.metrics) {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n');
      // A last line without its line end may be half-written, unless the files have been still.
      if (!still || lines[lines.length - 1] === '') lines.pop();
      lines.forEach((line, i) => {
        // MLflow writes "%s %s %s": one space apart, split as such; anything else is split on any spacing.
        let parts = line.split(' ');
        if (parts.length !== 3 || parts[0] === '' || parts[2] === '' || parts[2].endsWith('\r')) {
          if (line.trim() === '') return;
          parts = line.trim().split(/\s+/);
        }
        const time = pythonNumber(parts[0] ?? '');
        const value = pythonNumber(parts[1] ?? '');
        // Files of MLflow before 1.0 have no step: MLflow reads them as step 0.
        const step = parts.length > 2 ? pythonNumber(parts[2]) : 0;
        if (time === undefined || value === undefined || step === undefined || parts.length > 3 || !Number.isSafeInteger(step) || step < 0) {
          warn(file, `line:${key}:${i}`, `line ${i + 1} of metric "${key}" is not "timestamp value step" with a step from 0 (${JSON.stringify(line.slice(0, 80))}); it is skipped`);
          return;
        }
        gathered.add(key, step, time, value);
      });
    }
    const rows = gathered.rows();
    const config: Record<string, unknown> = {};
    for (const [key, file] of files.params) {
      const value = readText(file);
      if (value !== undefined) config[key] = value;
    }
    const status = files.meta.status;
    const exitCode = typeof status === 'number' || typeof status === 'string' ? ENDED.get(status) : undefined;
    const endTime = typeof files.meta.end_time === 'number' ? files.meta.end_time / 1000 : found.mtime;
    return { file: path.join(found.dir, 'metrics'), rows, config, mtime: found.mtime, ended: exitCode !== undefined, exitCode, endTime };
  }

  protected override startFields(state: { readonly dir: string }): { group?: string; tags?: string[]; name?: string; project?: string } {
    const files = this.found.get(state.dir);
    if (!files) return {};
    const tags: string[] = [];
    let group: string | undefined;
    for (const [key, file] of files.tags) {
      if (key.startsWith('mlflow.')) {
        if (key === PARENT_TAG) {
          const parent = readText(file);
          if (parent) group = this.runName(path.join(path.dirname(state.dir), parent)) ?? parent;
        }
        continue;
      }
      const value = readText(file);
      tags.push(value ? `${key}: ${value}` : key);
    }
    const name = this.runName(state.dir);
    const experiment = readExperimentName(path.dirname(state.dir));
    return { ...(group ? { group } : {}), ...(tags.length ? { tags } : {}), ...(name ? { name } : {}), ...(experiment ? { project: experiment } : {}) };
  }

  private runName(dir: string): string | undefined {
    const tag = readText(path.join(dir, 'tags', NAME_TAG));
    if (tag) return tag;
    const meta = this.found.get(dir)?.meta;
    if (meta && typeof meta.run_name === 'string' && meta.run_name) return meta.run_name;
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readExperimentName(dir: string): string | undefined {
  try {
    const meta = parseYaml(fs.readFileSync(path.join(dir, 'meta.yaml'), 'utf8'), path.join(dir, 'meta.yaml'));
    return isPlainObject(meta) && typeof meta.name === 'string' ? meta.name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * MLflow's metric points gathered into rows, for each of its stores (file store, mlflow.db, a server):
 * a row per step at the earliest time logged there, holding per key the last value given to `add` (MLflow
 * keeps every value logged at a step; its charts show the last).
 */
export class MetricRows {
  private readonly byStep = new Map<number, { time: number; data: Record<string, number> }>();

  add(key: string, step: number, timestampMs: number, value: number): void {
    const time = timestampMs / 1000;
    let row = this.byStep.get(step);
    if (!row) {
      row = { time, data: {} };
      this.byStep.set(step, row);
    }
    row.time = Math.min(row.time, time);
    row.data[key] = value;
  }

  /** The rows in step order. */
  rows(): SnapshotRow[] {
    return [...this.byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, r]) => ({ step, time: r.time, data: r.data }));
  }
}
