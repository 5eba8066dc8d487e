// Lightning's CSVLogger as runs: every folder holding a `metrics.csv` (`<save_dir>/<name>/version_N/`) is
// one run, its rows merged by the `step` column, `hparams.yaml` beside it the config. The logger appends
// rows and rewrites the whole file when a new metric name adds a column (and removes it when a new
// writer opens the same version folder), so the file is read by content (snapshot.ts): a rewrite that
// keeps the rows read appends what follows, one that goes back in step is a rewind. ModelCheckpoint's files
// in the version folder's `checkpoints/` whose names carry `step=N` (`epoch=2-step=300.ckpt`, its default)
// are the run's checkpoints, recorded as `model` artifacts a rewind keeps up to its step. N counts the
// optimizer steps done, and the CSV's `step` column numbers them from 0, so the weights of `step=N` are
// those after the row of step N - 1: that is the checkpoint's step (a writer resumed from it writes step N
// again).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RowValue } from '../protocol';
import type { ImportContext } from './index';
import type { FoundRun, Snapshot, SnapshotCheckpoint, SnapshotRow, Warn } from './snapshot';
import { SnapshotImporter, pythonNumber } from './snapshot';
import { isPlainObject, parseYaml } from './yaml';

export const LIGHTNING_KIND = 'lightning' as const;
const METRICS = 'metrics.csv';
const HPARAMS = 'hparams.yaml';
const CHECKPOINTS = 'checkpoints';
/** `step=N` in a checkpoint's file name, as ModelCheckpoint's default `{epoch}-{step}` writes it. */
const CKPT_STEP = /(?:^|[-_])step=(\d+)(?:[-_.]|$)/;

export class LightningCsvImporter extends SnapshotImporter {
  /** Each run folder's checkpoints as last found. */
  private readonly found = new Map<string, SnapshotCheckpoint[]>();

  constructor(ctx: ImportContext) {
    super(ctx, LIGHTNING_KIND, 'Lightning CSV', 'pl');
  }

  protected findRuns(root: string): FoundRun[] {
    const out: FoundRun[] = [];
    this.walk(root, (dir, listing) => {
      if (!listing.fileSet.has(METRICS)) return false;
      const files = [METRICS, HPARAMS].filter((f) => listing.fileSet.has(f)).map((f) => path.join(dir, f));
      let stamp = '';
      let mtime = 0;
      let bytes = 0;
      for (const file of files) {
        try {
          const st = fs.statSync(file);
          stamp += `${path.basename(file)}:${st.size}:${st.mtimeMs};`;
          mtime = Math.max(mtime, st.mtimeMs / 1000);
          bytes += st.size;
        } catch {
          // gone meanwhile: the stamp says so
        }
      }
      const checkpoints = listing.dirs.includes(CHECKPOINTS) ? this.checkpointsIn(path.join(dir, CHECKPOINTS)) : [];
      this.found.set(dir, checkpoints);
      // A checkpoint is written after the rows of its step: its name and time are part of the stamp.
      for (const c of checkpoints) stamp += `ckpt:${path.basename(c.path)}:${c.time};`;
      out.push({ dir, stamp, mtime, bytes });
      return true;
    });
    return out;
  }

  protected read(found: FoundRun, warn: Warn): Snapshot | undefined {
    const file = path.join(found.dir, METRICS);
    let text: string;
    let mtime: number;
    try {
      const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
      try {
        const st = fs.fstatSync(fd);
        if (!st.isFile()) {
          warn(file, 'not-file', 'it is not a regular file; it is not read');
          return undefined;
        }
        mtime = st.mtimeMs / 1000;
        text = fs.readFileSync(fd, 'utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return undefined;
    }
    // A last line without its line end may be half-written, unless the file has been still for the hold time.
    const still = this.ctx.now() - mtime >= this.ctx.holdSeconds;
    const table = parseCsv(text, !still);
    const rows = toRows(table, file, mtime, warn);
    if (!rows) return undefined;
    return { file, rows, mtime, config: this.config(found.dir, warn), checkpoints: this.found.get(found.dir) ?? [] };
  }

  /** The `.ckpt` files of a checkpoints folder whose names carry a step, by step (the newest file of a step). */
  private checkpointsIn(folder: string): SnapshotCheckpoint[] {
    const listing = this.listing(folder);
    if (!listing) return [];
    const byStep = new Map<number, SnapshotCheckpoint>();
    for (const name of listing.files) {
      if (!name.endsWith('.ckpt')) continue;
      const m = CKPT_STEP.exec(name.slice(0, -'.ckpt'.length));
      if (!m) continue;
      const file = path.join(folder, name);
      let time: number;
      try {
        time = fs.statSync(file).mtimeMs / 1000;
      } catch {
        continue;
      }
      const step = Math.max(0, Number(m[1]) - 1);
      const known = byStep.get(step);
      if (!known || known.time < time) byStep.set(step, { step, path: file, time });
    }
    return [...byStep.values()].sort((a, b) => a.step - b.step);
  }

  private config(dir: string, warn: Warn): Record<string, unknown> | undefined {
    const file = path.join(dir, HPARAMS);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const value = parseYaml(text, file);
      if (value === null || value === undefined) return {};
      if (isPlainObject(value)) return value;
      warn(file, 'hparams-shape', 'hparams.yaml does not hold a mapping of names to values; it is not used as the config');
    } catch (error) {
      warn(file, `hparams:${text.length}`, `hparams.yaml is not YAML (${(error as Error).message}); it is not used as the config`);
    }
    return undefined;
  }
}

/**
 * CSV as Python's csv module writes it (RFC 4180 quoting, `\r\n` or `\n` line ends). With `complete`,
 * a last record without its line end is left out (it may be half-written).
 */
export function parseCsv(text: string, complete: boolean): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
    } else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\r' || c === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else {
      cell += c;
    }
    i++;
  }
  if (!complete && (cell !== '' || record.length > 0)) {
    record.push(cell);
    records.push(record);
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** The table's rows merged by step (the `step` column); undefined when it has no header. */
function toRows(table: string[][], file: string, time: number, warn: Warn): SnapshotRow[] | undefined {
  if (table.length === 0) return [];
  const header = table[0];
  const stepAt = header.indexOf('step');
  const rows: SnapshotRow[] = [];
  for (let r = 1; r < table.length; r++) {
    const cells = table[r];
    if (cells.length !== header.length) {
      warn(file, `width:${r}`, `line ${r + 1} has ${cells.length} cells, the header ${header.length}; the line is skipped`);
      continue;
    }
    // Without a step column (not Lightning's CSVLogger, which always writes one) rows are numbered.
    const step = stepAt < 0 ? r - 1 : pythonNumber(cells[stepAt]);
    if (step === undefined || !Number.isSafeInteger(step) || step < 0) {
      warn(file, `step:${r}`, `line ${r + 1} has step ${JSON.stringify(cells[stepAt])}, not a whole number from 0; the line is skipped`);
      continue;
    }
    const data: Record<string, RowValue> = {};
    for (let c = 0; c < header.length; c++) {
      if (c === stepAt || cells[c] === '') continue;
      data[header[c]] = pythonNumber(cells[c]) ?? cells[c];
    }
    const last = rows[rows.length - 1];
    if (last && step === last.step) {
      // Several log calls at one step (training and validation metrics): one row.
      Object.assign(last.data, data);
    } else if (last && step < last.step) {
      warn(file, `order:${step}`, `line ${r + 1} has step ${step}, before step ${last.step} above it; a run keeps one step order, so the line is skipped`);
    } else {
      rows.push({ step, time, data });
    }
  }
  return rows;
}
