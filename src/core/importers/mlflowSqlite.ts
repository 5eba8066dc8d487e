// MLflow's SQLite store as runs: `mlflow.db`, the default backend since MLflow 3.7 (`sqlite:///mlflow.db`
// in the folder training ran from), read where it is with sql.js and never written. Each active run of
// an active experiment is a run here, as the file store's are (mlflow.ts): the experiment's name is the
// project, the run's name its name, params its config, other non-system tags its tags, a nested run
// grouped under its parent's name, and FINISHED/FAILED/KILLED finish it. Metrics are read per run in
// (step, timestamp) order and merged by step into rows, the last value logged at a step kept, as MLflow's
// charts show it; NaN is read from `is_nan` as MLflow's client does. The file is loaded again only when
// its size or modification time changed, and a run is read again only when its metric count, newest
// metric time, params, tags or status changed (snapshot.ts compares the content with what was applied,
// so a run that logs earlier steps again is a rewind).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Db } from '../sqlite';
import type { ImportContext } from './index';
import { MetricRows } from './mlflow';
import type { FoundRun, Snapshot, Warn } from './snapshot';
import { SnapshotImporter } from './snapshot';

export const MLFLOW_SQLITE_KIND = 'mlflow' as const;
/** Names of MLflow SQLite files looked for in a source folder (a source may also name the file itself). */
const DB_NAME = /^(mlflow|mlruns)[\w.-]*\.(db|sqlite|sqlite3)$/;
const SQLITE_HEADER = 'SQLite format 3\0';
const PARENT_TAG = 'mlflow.parentRunId';
const NAME_TAG = 'mlflow.runName';
const ENDED: ReadonlyMap<string, number> = new Map([['FINISHED', 0], ['FAILED', 1], ['KILLED', 1]]);
/** Folder levels under a source searched for a database file. */
const MAX_DB_DEPTH = 2;
/** The separator between a database file's path and a run's id in the run's key (`import_runs.dir`). */
const RUN_SEP = '#';

interface DbRun {
  readonly uuid: string;
  readonly name: string;
  readonly experiment: string;
  readonly status: string;
  readonly start: number | null;
  readonly end: number | null;
}

/** One database file as last loaded. */
interface Loaded {
  readonly stamp: string;
  readonly db: Db;
  readonly runs: Map<string, DbRun>;
  /** `run uuid` → what tells whether its content changed. */
  readonly stamps: Map<string, string>;
}

export class MlflowSqliteImporter extends SnapshotImporter {
  private readonly files = new Map<string, Loaded>();

  constructor(ctx: ImportContext) {
    super(ctx, MLFLOW_SQLITE_KIND, 'MLflow', 'mlq', 'mlflow-sqlite');
  }

  protected findRuns(root: string): FoundRun[] {
    const out: FoundRun[] = [];
    for (const file of this.databases(root)) {
      const loaded = this.load(file);
      if (!loaded) continue;
      const mtime = statTime(file);
      for (const run of loaded.runs.values()) {
        out.push({ dir: `${file}${RUN_SEP}${run.uuid}`, stamp: loaded.stamps.get(run.uuid) ?? '', mtime: run.end ?? mtime, bytes: 0 });
      }
    }
    return out;
  }

  /** The MLflow database files a source names: the file itself, or files named like mlflow.db under it. */
  private databases(root: string): string[] {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(root);
    } catch {
      return [];
    }
    if (stat.isFile()) return isSqlite(root) ? [root] : [];
    const out: string[] = [];
    const go = (dir: string, depth: number): void => {
      const listing = this.listing(dir);
      if (!listing) return;
      for (const name of listing.files) if (DB_NAME.test(name) && isSqlite(path.join(dir, name))) out.push(path.join(dir, name));
      if (depth >= MAX_DB_DEPTH) return;
      for (const sub of listing.dirs) {
        const next = path.join(dir, sub);
        if (!this.ctx.skip(next) && !sub.startsWith('.')) go(next, depth + 1);
      }
    };
    go(root, 0);
    return out;
  }

  /** The file's runs, loaded again only when it changed; undefined when it is not an MLflow database. */
  private load(file: string): Loaded | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.forget(file);
      return undefined;
    }
    let wal = '';
    try {
      const w = fs.statSync(`${file}-wal`);
      wal = `${w.size}:${w.mtimeMs}`;
    } catch {
      // no write-ahead log: everything is in the file
    }
    const stamp = `${stat.size}:${stat.mtimeMs}:${wal}`;
    const known = this.files.get(file);
    if (known?.stamp === stamp) return known;
    let db: Db;
    try {
      db = Db.fromBytes(fs.readFileSync(file));
    } catch {
      return known; // being written or unreadable: the last good load stands until it reads again
    }
    try {
      const tables = new Set(db.all("SELECT name FROM sqlite_master WHERE type='table'").map((r) => String(r[0])));
      if (!['experiments', 'runs', 'metrics', 'params', 'tags'].every((t) => tables.has(t))) {
        db.close();
        this.forget(file);
        return undefined;
      }
      const runs = new Map<string, DbRun>();
      db.each(
        `SELECT r.run_uuid, r.name, e.name, r.status, r.start_time, r.end_time FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id
         WHERE r.lifecycle_stage = 'active' AND e.lifecycle_stage = 'active' ORDER BY r.start_time, r.run_uuid`,
        [],
        (r) => runs.set(String(r[0]), { uuid: String(r[0]), name: r[1] === null ? '' : String(r[1]), experiment: String(r[2]), status: String(r[3]), start: numberOrNull(r[4]), end: numberOrNull(r[5]) }),
      );
      const stamps = new Map<string, string>();
      for (const run of runs.values()) stamps.set(run.uuid, `${run.status}:${run.end}:${run.name}`);
      const add = (sql: string): void => db.each(sql, [], (r) => {
        const uuid = String(r[0]);
        if (stamps.has(uuid)) stamps.set(uuid, `${stamps.get(uuid)}|${r.slice(1).join(':')}`);
      });
      add('SELECT run_uuid, COUNT(*), MAX(timestamp), SUM(step) FROM metrics GROUP BY run_uuid');
      add("SELECT run_uuid, COUNT(*), GROUP_CONCAT(length(key) || ',' || length(value)) FROM params GROUP BY run_uuid");
      add("SELECT run_uuid, COUNT(*), GROUP_CONCAT(key || '=' || value, ';') FROM tags GROUP BY run_uuid");
      known?.db.close();
      const loaded: Loaded = { stamp, db, runs, stamps };
      this.files.set(file, loaded);
      return loaded;
    } catch {
      db.close();
      return known;
    }
  }

  private forget(file: string): void {
    this.files.get(file)?.db.close();
    this.files.delete(file);
  }

  private runOf(dir: string): { loaded: Loaded; run: DbRun } | undefined {
    const at = dir.lastIndexOf(RUN_SEP);
    const loaded = this.files.get(dir.slice(0, at));
    const run = loaded?.runs.get(dir.slice(at + 1));
    return loaded && run ? { loaded, run } : undefined;
  }

  protected read(found: FoundRun, _warn: Warn): Snapshot | undefined {
    const known = this.runOf(found.dir);
    if (!known) return undefined;
    const { loaded, run } = known;
    const gathered = new MetricRows();
    loaded.db.each('SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? ORDER BY step, timestamp', [run.uuid], (r) => {
      const step = Number(r[3]);
      if (Number.isSafeInteger(step) && step >= 0) gathered.add(String(r[0]), step, Number(r[2]), r[4] ? Number.NaN : Number(r[1]));
    });
    const rows = gathered.rows();
    const config: Record<string, unknown> = {};
    loaded.db.each('SELECT key, value FROM params WHERE run_uuid = ? ORDER BY key', [run.uuid], (r) => {
      config[String(r[0])] = r[1] === null ? null : String(r[1]);
    });
    const exitCode = ENDED.get(run.status);
    const file = found.dir.slice(0, found.dir.lastIndexOf(RUN_SEP));
    const mtime = run.end !== null ? run.end / 1000 : statTime(file);
    return { file, rows, config, mtime, ended: exitCode !== undefined, exitCode, endTime: run.end !== null ? run.end / 1000 : mtime };
  }

  protected override startFields(state: { readonly dir: string }): { group?: string; tags?: string[]; name?: string; project?: string } {
    const known = this.runOf(state.dir);
    if (!known) return {};
    const { loaded, run } = known;
    const tags: string[] = [];
    let group: string | undefined;
    let name = run.name;
    loaded.db.each('SELECT key, value FROM tags WHERE run_uuid = ? ORDER BY key', [run.uuid], (r) => {
      const key = String(r[0]);
      const value = r[1] === null ? '' : String(r[1]);
      if (key === NAME_TAG && value && !name) name = value;
      if (key === PARENT_TAG && value) group = loaded.runs.get(value)?.name || value;
      if (key.startsWith('mlflow.')) return;
      tags.push(value ? `${key}: ${value}` : key);
    });
    return { ...(group ? { group } : {}), ...(tags.length ? { tags } : {}), ...(name ? { name } : {}), project: run.experiment };
  }

  protected override originPath(dir: string): string {
    return dir.slice(0, dir.lastIndexOf(RUN_SEP));
  }

  override reload(): void {
    for (const file of [...(this.files?.keys() ?? [])]) this.forget(file);
    super.reload();
  }
}

function isSqlite(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const header = Buffer.alloc(16);
    return fs.readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === SQLITE_HEADER;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function statTime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs / 1000;
  } catch {
    return 0;
  }
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
