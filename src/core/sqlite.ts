// A thin, typed layer over sql.js: one place that loads the WebAssembly, caches prepared statements
// (sql.js frees every statement on export(), so the cache is dropped then), and runs transactions.
import * as path from 'node:path';
import * as fs from 'node:fs';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import type { ChunkFiles } from './chunkFiles';

export type Params = readonly SqlValue[];
export type Row = SqlValue[];

let sqlJs: Promise<SqlJsStatic> | undefined;
/** sql.js once loadSqlJs has finished (every Engine loads it before anything reads). */
let loadedSqlJs: SqlJsStatic | undefined;

/** Finds sql-wasm.wasm: beside the bundle (dist/), or in node_modules when running from out/. */
export function defaultWasmPath(): string {
  const candidates = [
    path.join(__dirname, 'sql-wasm.wasm'),
    path.join(__dirname, '..', 'sql-wasm.wasm'),
    path.join(__dirname, '..', '..', 'dist', 'sql-wasm.wasm'),
    path.join(__dirname, '..', '..', '..', 'dist', 'sql-wasm.wasm'),
    path.join(__dirname, '..', '..', '..', 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm'),
  ];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`sql-wasm.wasm was not found beside ${__dirname}; run \`npm run build\``);
  return found;
}

export function loadSqlJs(wasmPath = defaultWasmPath()): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs({ wasmBinary: toArrayBuffer(fs.readFileSync(wasmPath)) }).then((SQL) => {
    fastBlobs = installFastBlobReads(SQL);
    loadedSqlJs = SQL;
    return SQL;
  });
  return sqlJs;
}

/** Whether blob columns are read with one copy out of WebAssembly memory (see below). */
export let fastBlobs = false;

interface SqlModule {
  readonly HEAPU8: Uint8Array;
  _sqlite3_column_blob(statement: number, column: number): number;
  _sqlite3_column_bytes(statement: number, column: number): number;
  _sqlite3_sql(statement: number): number;
}

/**
 * sql.js copies a blob column out of WebAssembly memory one byte at a time in JavaScript, which made
 * reading a million points cost ~25 ms. This replaces Statement.getBlob with a single slice of the
 * heap. The statement's handle is found by asking SQLite for the SQL text each candidate property
 * points to (not by sql.js's minified property name), and the result is checked on a real blob before
 * it is kept; if anything does not match, sql.js's own getBlob stays.
 */
function installFastBlobReads(SQL: SqlJsStatic): boolean {
  const module = SQL as unknown as Partial<SqlModule>;
  if (typeof module._sqlite3_column_blob !== 'function' || typeof module._sqlite3_column_bytes !== 'function' || typeof module._sqlite3_sql !== 'function') return false;
  const m = module as SqlModule;
  const db = new SQL.Database();
  try {
    const sql = 'SELECT ?1 AS probe';
    const statement = db.prepare(sql);
    const expected = Buffer.from(sql, 'utf8');
    const handleKey = Object.keys(statement).find((key) => {
      const value = (statement as unknown as Record<string, unknown>)[key];
      if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) return false;
      const text = m._sqlite3_sql(value);
      return text > 0 && Buffer.from(m.HEAPU8.subarray(text, text + expected.length)).equals(expected) && m.HEAPU8[text + expected.length] === 0;
    });
    if (!handleKey) return false;
    const proto = Object.getPrototypeOf(statement) as { getBlob(column?: number): Uint8Array };
    const original = proto.getBlob;
    proto.getBlob = function getBlob(this: Record<string, number>, column?: number): Uint8Array {
      if (column === undefined || column === null) return original.call(this, column);
      const handle = this[handleKey];
      const size = m._sqlite3_column_bytes(handle, column);
      const at = m._sqlite3_column_blob(handle, column);
      return m.HEAPU8.slice(at, at + size);
    };
    const probe = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) & 255);
    statement.bind([probe]);
    statement.step();
    const back = statement.get()[0];
    statement.free();
    if (back instanceof Uint8Array && Buffer.from(back).equals(Buffer.from(probe))) return true;
    proto.getBlob = original;
    return false;
  } finally {
    db.close();
  }
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

export class Db {
  private readonly statements = new Map<string, Statement>();
  private depth = 0;
  /** Run on this connection now and again whenever sql.js reopens it (export): functions, temporary views. */
  private readonly connectHooks: ((db: Db) => void)[] = [];
  /** Where this store's sealed chunks live when not in their rows (a persisted store; chunkFiles.ts). */
  chunkFiles: ChunkFiles | undefined;

  constructor(private readonly db: Database) {
    this.configure();
  }

  static async open(wasmPath?: string, bytes?: Uint8Array): Promise<Db> {
    const SQL = await loadSqlJs(wasmPath);
    return new Db(new SQL.Database(bytes));
  }

  /**
   * Opens another program's SQLite file from its bytes (an importer reading MLflow's mlflow.db), once
   * sql.js is loaded. A file in WAL mode is read as a rollback-journal one (header bytes 18–19), which
   * in memory holds what was checkpointed into the file.
   */
  static fromBytes(bytes: Uint8Array): Db {
    if (!loadedSqlJs) throw new Error('sql.js is not loaded yet');
    if (bytes.length > 19 && bytes[18] === 2 && bytes[19] === 2) {
      bytes[18] = 1;
      bytes[19] = 1;
    }
    return new Db(new loadedSqlJs.Database(bytes));
  }

  private configure(): void {
    // The database lives in WebAssembly memory and is persisted by snapshot, so SQLite's own
    // journal and syncs would only cost time. One connection owns it, so an exclusive lock is taken
    // once and kept: otherwise every statement checks for a hot journal through sql.js's in-memory
    // file system, which was half the time of reading a run.
    this.db.exec('PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;');
  }

  /** Runs `hook` now and after every reopening of the connection (see `export`). */
  onConnect(hook: (db: Db) => void): void {
    this.connectHooks.push(hook);
    hook(this);
  }

  /** A scalar SQL function, for this connection (onConnect keeps it across reopenings). */
  createFunction(name: string, fn: (...args: SqlValue[]) => SqlValue | Uint8Array): void {
    this.db.create_function(name, fn as (...args: SqlValue[]) => SqlValue);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, params: Params = []): void {
    const statement = this.statement(sql);
    statement.bind(params as SqlValue[]);
    statement.step();
    statement.reset();
  }

  /** All rows as arrays. */
  all(sql: string, params: Params = []): Row[] {
    const statement = this.statement(sql);
    statement.bind(params as SqlValue[]);
    const rows: Row[] = [];
    try {
      while (statement.step()) rows.push(statement.get());
    } finally {
      statement.reset();
    }
    return rows;
  }

  /** Calls `each` per row without collecting them. */
  each(sql: string, params: Params, each: (row: Row) => void): void {
    const statement = this.statement(sql);
    statement.bind(params as SqlValue[]);
    try {
      while (statement.step()) each(statement.get());
    } finally {
      statement.reset();
    }
  }

  get(sql: string, params: Params = []): Row | undefined {
    const statement = this.statement(sql);
    statement.bind(params as SqlValue[]);
    try {
      return statement.step() ? statement.get() : undefined;
    } finally {
      statement.reset();
    }
  }

  /** Runs `work` in a transaction; nested calls join the outer one. Rolls back on error. */
  transaction<T>(work: () => T): T {
    if (this.depth > 0) return work();
    this.db.exec('BEGIN');
    this.depth++;
    try {
      const result = work();
      this.depth--;
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.depth--;
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** The whole database as SQLite file bytes. Frees cached statements (sql.js reopens the db). */
  export(): Uint8Array {
    this.statements.clear();
    const bytes = this.db.export();
    this.configure();
    for (const hook of this.connectHooks) hook(this);
    return bytes;
  }

  close(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
    this.db.close();
  }
}
