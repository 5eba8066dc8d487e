// The store's SQLite schema and its migrations. The store is an index of the logs, so a snapshot of an
// older schema with no migration path is simply rebuilt from the logs.
import { SummaryWriter, float64Of, stepsOf, summarize } from './chunks';
import { chunkFilesOf } from './chunkFiles';
import type { Db } from './sqlite';

export const SCHEMA_VERSION = 12;

/** A meta key: key_extremes is to be filled from the stored chunks when the store opens (migration 11). */
export const FILL_EXTREMES = 'fill_extremes';

/**
 * Points per stored chunk of a series (and steps per chunk of a version's step index). Every chunk but
 * the last of a version (and key) holds exactly CHUNK_SIZE: the appender seals a chunk when it is full
 * and steps only increase, so row r of a version is in chunk floor(r / CHUNK_SIZE). History pages seek
 * on that, and point_summaries has an entry for each full chunk.
 */
export const CHUNK_SIZE = 1024;

const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  project TEXT NOT NULL,
  name TEXT NOT NULL,
  live_version TEXT NOT NULL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  notes TEXT NOT NULL DEFAULT '',
  fork_version TEXT,
  fork_run TEXT,
  fork_step INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE versions (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent TEXT,
  branch_step INTEGER,
  archived INTEGER NOT NULL DEFAULT 0,
  archived_at REAL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  ended_at REAL,
  finished INTEGER NOT NULL DEFAULT 0,
  exit_code INTEGER,
  pid INTEGER,
  host TEXT,
  heartbeat REAL,
  last_seen REAL,
  last_step INTEGER,
  own_last_step INTEGER,
  config TEXT NOT NULL DEFAULT '{}',
  summary TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX versions_by_run ON versions (run_id);

CREATE TABLE keys (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);

-- A version's own steps and their wall times, in chunks of CHUNK_SIZE.
-- steps is NULL when the chunk's steps are first_step, first_step+1, ... (the common case).
CREATE TABLE step_chunks (
  version TEXT NOT NULL,
  chunk INTEGER NOT NULL,
  first_step INTEGER NOT NULL,
  last_step INTEGER NOT NULL,
  n INTEGER NOT NULL,
  steps BLOB,
  times BLOB NOT NULL
);
CREATE UNIQUE INDEX step_chunks_key ON step_chunks (version, chunk);

-- One numeric key's own points of a version, as little-endian Float64 blocks.
CREATE TABLE point_chunks (
  version TEXT NOT NULL,
  key INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  first_step INTEGER NOT NULL,
  last_step INTEGER NOT NULL,
  n INTEGER NOT NULL,
  steps BLOB,
  vals BLOB NOT NULL,
  vmin REAL,
  vmax REAL
);
CREATE UNIQUE INDEX point_chunks_key ON point_chunks (version, key, chunk);

-- String values (kept in the history table, not charted).
CREATE TABLE text_values (
  version TEXT NOT NULL,
  key INTEGER NOT NULL,
  step INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (version, key, step)
) WITHOUT ROWID;

-- Per version and key: how many own points, and the last one (for summaries and headlines).
-- kind: 0 number, 1 boolean, 2 string.
CREATE TABLE version_keys (
  version TEXT NOT NULL,
  key INTEGER NOT NULL,
  points INTEGER NOT NULL,
  last_step INTEGER NOT NULL,
  last_kind INTEGER NOT NULL,
  last_num REAL,
  last_text TEXT,
  last_nan INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (version, key)
) WITHOUT ROWID;

-- How far each log file has been read. Kept in the same database as the data it produced, so a
-- snapshot is always consistent with its offsets.
CREATE TABLE files (
  path TEXT PRIMARY KEY,
  offset INTEGER NOT NULL,
  line INTEGER NOT NULL,
  version TEXT,
  status TEXT NOT NULL DEFAULT 'active'
);

CREATE TABLE diagnostics (
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  severity TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX diagnostics_by_file ON diagnostics (file);
`;

/** Migrations from version N-1 to N, indexed by N: SQL, or a function when rows must be computed. */
const MIGRATIONS: Record<number, string | ((db: Db) => void)> = {
  1: SCHEMA_V1,
  // The run a file's first record applied to, so a file that arrives late (sorting before one already
  // applied to the same run) is noticed: see LogIngester.
  2: 'ALTER TABLE files ADD COLUMN run TEXT;',
  // Console lines, system samples and metadata (protocol 1.1). Console lines have their own table keyed
  // by version and sequence, so a million of them never touch the chunk tables metric queries read.
  3: `
CREATE TABLE console_lines (
  version TEXT NOT NULL,
  seq INTEGER NOT NULL,
  step INTEGER NOT NULL,
  time REAL NOT NULL,
  stream INTEGER NOT NULL, -- 0 stdout, 1 stderr
  text TEXT NOT NULL,
  PRIMARY KEY (version, seq)
) WITHOUT ROWID;
-- An inherited part of a console is the parent's lines up to the branch step: counted from this index.
CREATE INDEX console_by_step ON console_lines (version, step);

-- One system sample: its wall time and its system/… values as JSON (with bare NaN, as the logs).
CREATE TABLE system_samples (
  version TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time REAL NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (version, seq)
) WITHOUT ROWID;

-- The newest writer file's metadata record of a version, as JSON.
CREATE TABLE version_metadata (
  version TEXT PRIMARY KEY,
  metadata TEXT NOT NULL
) WITHOUT ROWID;
`,
  // A chunk's downsampling summary (chunks.ts `Summary`). Chunks stored before it have NULL and are
  // downsampled from their points, as before.
  4: 'ALTER TABLE point_chunks ADD COLUMN summary BLOB;',
  // Media records (protocol 1.2): one row per record, its items as JSON; the files stay in the log
  // directory. Found by key and step, for a slider over 10,000 images.
  5: `
CREATE TABLE media (
  version TEXT NOT NULL,
  seq INTEGER NOT NULL,
  step INTEGER NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  time REAL,
  items TEXT NOT NULL,
  PRIMARY KEY (version, seq)
) WITHOUT ROWID;
CREATE INDEX media_by_key ON media (version, key, step);

-- Artifact versions a run version logged, used or linked (step NULL: before its first row); the record as JSON.
CREATE TABLE artifacts (
  version TEXT NOT NULL,
  seq INTEGER NOT NULL,
  step INTEGER,
  action TEXT NOT NULL,
  name TEXT NOT NULL,
  artifact_version TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (version, seq)
) WITHOUT ROWID;
CREATE INDEX artifacts_by_name ON artifacts (name, artifact_version);
`,
  // A run's group (a start record's `group`, wandb's `group=`), for the runs table.
  6: 'ALTER TABLE runs ADD COLUMN run_group TEXT;',
  // Imported sources (src/core/importers): per imported run, the folder it is read from, the version its
  // records go to, and how far each of its files was read, as JSON. Kept beside the data it produced, as
  // `files` is, so a snapshot never disagrees with what it has imported.
  7: `
CREATE TABLE import_runs (
  dir TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  run TEXT NOT NULL,
  state TEXT NOT NULL
);
`,
  // The chunk summaries move out of point_chunks: a summary after an 8 KB value blob is read by walking
  // the row's overflow pages, and one row per chunk is 48,829 rows for a 50M-point key. A row of
  // point_summaries holds SUMMARY_BLOCK chunks' summaries (chunks.ts `Entry`); point_chunks.summary is
  // no longer read or written (dropping or clearing it would rewrite every chunk). The two indexes let a query find the
  // chunk holding a step with one lookup instead of a walk from the first chunk. Every full chunk gets
  // its summary computed from its points, so chunks stored before schema 4 are summarized too.
  8: (db) => {
    db.exec(`
CREATE TABLE point_summaries (
  version TEXT NOT NULL,
  key INTEGER NOT NULL,
  block INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX point_summaries_key ON point_summaries (version, key, block);
CREATE INDEX point_chunks_by_last ON point_chunks (version, key, last_step);
CREATE INDEX step_chunks_by_last ON step_chunks (version, last_step);
`);
    const writer = new SummaryWriter(db);
    db.each('SELECT version, key, chunk, first_step, n, steps, vals FROM point_chunks WHERE n=? ORDER BY version, key, chunk', [CHUNK_SIZE], (r) => {
      const n = r[4] as number;
      const steps = stepsOf(r[5] as Uint8Array | null, r[3] as number, n);
      writer.add(r[0] as string, r[1] as number, r[2] as number, { first: steps[0], last: steps[n - 1], n, summary: summarize(steps, float64Of(r[6] as Uint8Array)) });
    });
    writer.end();
  },
  // When a version's writer file last grew, by the file system's clock: what tells a writer on another
  // host alive (its own clock may be hours off; docs/PROTOCOL.md, "alive").
  9: 'ALTER TABLE versions ADD COLUMN last_modified REAL;',
  // A persisted store keeps its full chunks' bytes in files beside the snapshot (chunkFiles.ts), so the
  // database, and with it every save and open, stays small. The chunk tables become the rows
  // (file, file_at, file_steps say where the bytes are; steps and vals/times are in the row when file
  // is NULL: a partial chunk, or a store kept in memory); point_chunks and step_chunks are read through
  // the views READ_VIEWS makes, so queries do not care where a chunk's bytes live.
  10: `
CREATE TABLE chunk_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, length INTEGER NOT NULL);
ALTER TABLE point_chunks RENAME TO point_chunk_rows;
ALTER TABLE point_chunk_rows ADD COLUMN file INTEGER;
ALTER TABLE point_chunk_rows ADD COLUMN file_at INTEGER;
ALTER TABLE point_chunk_rows ADD COLUMN file_steps INTEGER;
ALTER TABLE step_chunks RENAME TO step_chunk_rows;
ALTER TABLE step_chunk_rows ADD COLUMN file INTEGER;
ALTER TABLE step_chunk_rows ADD COLUMN file_at INTEGER;
ALTER TABLE step_chunk_rows ADD COLUMN file_steps INTEGER;
`,
  // Per version, each numeric key's lowest and highest finite point of its visible history (inherited
  // rows included): the runs table's min and max, read in one pass at 10,000 runs instead of computed
  // from every version's chunk summaries when the table opens. One row per version (a blob of all its
  // keys): a row per key made that pass read 250,000 rows. extremes.ts keeps it. It is filled from the
  // stored chunks when the store opens (FILL_EXTREMES, RunStore.reload): a cut chunk's points may be in a
  // chunk file, which can be read only then.
  11: (db) => {
    db.exec(`
-- data: Float64 triples (key, lo, hi), one per key with a finite point (extremes.ts encodeExtremes).
CREATE TABLE key_extremes (
  version TEXT PRIMARY KEY,
  data BLOB NOT NULL
) WITHOUT ROWID;
`);
    db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [FILL_EXTREMES, '1']);
  },
  // A full point chunk's marks (chunks.ts `Mark`): where each block of 64 points has its first, last,
  // lowest and highest finite value, so downsampling reads one block of a chunk a bucket edge splits.
  // In `marks` for a chunk kept in its row; in the chunk file right after the values for one kept there
  // (`file_marks` is their length). Chunks stored before have none and are read from their points.
  12: `
ALTER TABLE point_chunk_rows ADD COLUMN marks BLOB;
ALTER TABLE point_chunk_rows ADD COLUMN file_marks INTEGER;
`,
};

/** The schema version from which chunks are read through the views below. */
const CHUNK_VIEWS_SINCE = 10;

/**
 * The chunk tables as every query reads them: a chunk's steps and values from its row, or from its
 * chunk file through rr_chunk(file, at, length). Temporary (per connection), so made again whenever
 * sql.js reopens the database; SQLite folds them into each query, so the tables' indexes are used.
 */
const READ_VIEWS = `
CREATE TEMP VIEW IF NOT EXISTS point_chunks AS SELECT version, key, chunk, first_step, last_step, n,
  CASE WHEN file IS NULL THEN steps WHEN file_steps > 0 THEN rr_chunk(file, file_at, file_steps) END AS steps,
  CASE WHEN file IS NULL THEN vals ELSE rr_chunk(file, file_at + file_steps, n * 8) END AS vals,
  vmin, vmax FROM main.point_chunk_rows;
CREATE TEMP VIEW IF NOT EXISTS step_chunks AS SELECT version, chunk, first_step, last_step, n,
  CASE WHEN file IS NULL THEN steps WHEN file_steps > 0 THEN rr_chunk(file, file_at, file_steps) END AS steps,
  CASE WHEN file IS NULL THEN times ELSE rr_chunk(file, file_at + file_steps, n * 8) END AS times
  FROM main.step_chunk_rows;
`;

function installChunkViews(db: Db): void {
  db.onConnect((connection) => {
    connection.createFunction('rr_chunk', (file, at, length) => {
      return chunkFilesOf(connection).read(file as number, at as number, length as number);
    });
    connection.exec(READ_VIEWS);
  });
}

export function schemaVersion(db: Db): number {
  const hasMeta = db.get("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'");
  if (!hasMeta) return 0;
  const row = db.get("SELECT value FROM meta WHERE key='schema'");
  return row ? Number(row[0]) : 0;
}

/**
 * Brings a database to SCHEMA_VERSION (or `target`, for tests that make an older store). Returns false
 * when it is newer than this code knows.
 */
export function migrate(db: Db, target = SCHEMA_VERSION): boolean {
  let version = schemaVersion(db);
  if (version > target) return false;
  db.transaction(() => {
    while (version < target) {
      version++;
      const step = MIGRATIONS[version];
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", [String(target)]);
  });
  if (target >= CHUNK_VIEWS_SINCE) installChunkViews(db);
  return true;
}

/** Empties every table but `meta`: the store as a fresh database has it, before any log is read. */
export function clearData(db: Db): void {
  for (const table of ['runs', 'versions', 'keys', 'step_chunk_rows', 'point_chunk_rows', 'chunk_files', 'point_summaries', 'text_values', 'version_keys', 'files', 'diagnostics', 'console_lines', 'system_samples', 'version_metadata', 'media', 'artifacts', 'import_runs', 'key_extremes']) {
    db.run(`DELETE FROM ${table}`);
  }
}
