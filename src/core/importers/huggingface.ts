// Hugging Face Trainer output folders as runs: a folder holding `trainer_state.json` or `checkpoint-N/`
// folders with one is a run (the checkpoints are not runs of their own). Its newest trainer_state.json
// (the most recently written; the Trainer writes one into each checkpoint, and into the output folder on
// `save_state()`) is read whole: `log_history` entries merged by `step` into rows, the Trainer's settings
// as config. The file is rewritten on every save and a resumed Trainer writes its checkpoints again from
// an earlier step, so it is read by content (snapshot.ts). Every `checkpoint-N/` is recorded as a model
// artifact at step N, read where it is (its folder in the artifact's metadata).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RowValue } from '../protocol';
import type { ImportContext } from './index';
import type { FoundRun, Snapshot, SnapshotCheckpoint, SnapshotRow, Warn } from './snapshot';
import { SnapshotImporter } from './snapshot';
import { isPlainObject } from './yaml';

export const HUGGINGFACE_KIND = 'huggingface' as const;
const STATE = 'trainer_state.json';
const CHECKPOINT = /^checkpoint-(\d+)$/;
/**
 * The totals of the Trainer's last entry: run summary values, not history (as W&B's Trainer callback
 * puts them in the summary), so the last step's row is the same whether it was read before or after them.
 */
const TOTALS: ReadonlySet<string> = new Set(['train_runtime', 'train_samples_per_second', 'train_steps_per_second', 'train_loss', 'total_flos']);
/** trainer_state.json fields that describe how the Trainer was set up (the rest is progress). */
const CONFIG_FIELDS = ['max_steps', 'num_train_epochs', 'train_batch_size', 'logging_steps', 'eval_steps', 'save_steps', 'is_hyper_param_search', 'trial_name', 'trial_params'];

interface Candidate {
  readonly file: string;
  readonly mtime: number;
  readonly size: number;
  /** The checkpoint's step; -1 for the output folder's own file. */
  readonly step: number;
}

export class HuggingFaceImporter extends SnapshotImporter {
  /** The state files and checkpoint folders of each run found in the last pass. */
  private readonly candidates = new Map<string, { files: Candidate[]; checkpoints: SnapshotCheckpoint[] }>();

  constructor(ctx: ImportContext) {
    super(ctx, HUGGINGFACE_KIND, 'Hugging Face', 'hf');
  }

  protected findRuns(root: string): FoundRun[] {
    const out: FoundRun[] = [];
    this.walk(root, (dir, listing) => {
      if (CHECKPOINT.test(path.basename(dir)) && dir !== root) return false;
      const files: Candidate[] = [];
      const checkpoints: SnapshotCheckpoint[] = [];
      const add = (file: string, step: number): void => {
        try {
          const st = fs.statSync(file);
          if (st.isFile()) files.push({ file, mtime: st.mtimeMs / 1000, size: st.size, step });
        } catch {
          // gone meanwhile
        }
      };
      if (listing.fileSet.has(STATE)) add(path.join(dir, STATE), -1);
      for (const sub of listing.dirs) {
        const m = CHECKPOINT.exec(sub);
        if (!m) continue;
        const folder = path.join(dir, sub);
        const inner = this.listing(folder);
        if (!inner?.fileSet.has(STATE)) continue;
        add(path.join(folder, STATE), Number(m[1]));
        checkpoints.push({ step: Number(m[1]), path: folder, time: inner.mtime / 1000 });
      }
      if (files.length === 0) return false;
      checkpoints.sort((a, b) => a.step - b.step);
      this.candidates.set(dir, { files, checkpoints });
      out.push({
        dir,
        stamp: files.map((f) => `${path.relative(dir, f.file)}:${f.size}:${f.mtime}`).join(';'),
        mtime: Math.max(...files.map((f) => f.mtime)),
        bytes: newest(files).size,
      });
      return true;
    });
    return out;
  }

  protected read(found: FoundRun, warn: Warn): Snapshot | undefined {
    const known = this.candidates.get(found.dir);
    if (!known) return undefined;
    const chosen = newest(known.files);
    let state: unknown;
    try {
      state = JSON.parse(fs.readFileSync(chosen.file, 'utf8'));
    } catch (error) {
      // The Trainer writes the file in place: a half-written one is read again when it has changed.
      warn(chosen.file, `json:${chosen.size}:${chosen.mtime}`, `${STATE} is not JSON (${(error as Error).message}); it is read again when it changes`);
      return undefined;
    }
    if (!isPlainObject(state) || !Array.isArray(state.log_history)) {
      warn(chosen.file, 'shape', `${STATE} has no "log_history" list; it is not a Trainer's state`);
      return undefined;
    }
    const rows: SnapshotRow[] = [];
    const summary: Record<string, RowValue> = {};
    let ended = false;
    state.log_history.forEach((entry: unknown, i: number) => {
      if (!isPlainObject(entry)) return;
      const step = entry.step;
      if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
        warn(chosen.file, `step:${i}`, `log_history[${i}] has step ${JSON.stringify(step)}, not a whole number from 0; the entry is skipped`);
        return;
      }
      const data: Record<string, RowValue> = {};
      for (const [key, value] of Object.entries(entry)) {
        if (key === 'step' || !(typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')) continue;
        if (TOTALS.has(key)) summary[key] = value;
        else data[key] = value;
      }
      // The Trainer's last entry, written when training ends, has its totals.
      if ('train_runtime' in entry) ended = true;
      if (Object.keys(data).length === 0) return;
      const last = rows[rows.length - 1];
      if (last && last.step === step) Object.assign(last.data, data);
      else if (last && step < last.step) warn(chosen.file, `order:${i}`, `log_history[${i}] has step ${step}, before step ${last.step} above it; a run keeps one step order, so the entry is skipped`);
      else rows.push({ step, time: chosen.mtime, data });
    });
    const config: Record<string, unknown> = {};
    for (const key of CONFIG_FIELDS) if (state[key] !== undefined && state[key] !== null) config[key] = state[key];
    // The model's config.json: beside the state read, else in the newest checkpoint (save_state alone writes none).
    const latest = known.checkpoints[known.checkpoints.length - 1];
    const model = readJson(path.join(path.dirname(chosen.file), 'config.json')) ?? (latest ? readJson(path.join(latest.path, 'config.json')) : undefined);
    if (isPlainObject(model)) config.model = model;
    // Checkpoints of this line of training: those the state read has reached.
    const reached = rows.length > 0 ? rows[rows.length - 1].step : -1;
    const stateStep = typeof state.global_step === 'number' ? state.global_step : reached;
    const checkpoints = known.checkpoints.filter((c) => c.step <= stateStep);
    return { file: chosen.file, rows, config, summary, checkpoints, mtime: chosen.mtime, ended: ended && chosen.step < 0 };
  }
}

/** The state file written last (a resumed Trainer rewrites earlier checkpoints' files); ties by step. */
function newest(files: readonly Candidate[]): Candidate {
  return files.reduce((a, b) => (b.mtime > a.mtime || (b.mtime === a.mtime && b.step > a.step && a.step >= 0) ? b : a));
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
