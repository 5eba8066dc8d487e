// A thin, typed layer over sql.js: one place that loads the WebAssembly, caches prepared statements
// (sql.js frees every statement on export(), so the cache is dropped then), and runs transactions.
import * as path from 'node:path';
import * as fs from 'node:fs';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';

export type Params = readonly SqlValue[];
export type Row = SqlValue[];

let sqlJs: Promise<SqlJsStatic> | undefined;

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
  sqlJs ??= initSqlJs({ wasmBinary: toArrayBuffer(fs.readFileSync(wasmPath)) });
  return sqlJs;
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

export class Db {
  private readonly statements = new Map<string, Statement>();
  private depth = 0;

  constructor(private readonly db: Database) {
    this.configure();
  }

  static async open(wasmPath?: string, bytes?: Uint8Array): Promise<Db> {
    const SQL = await loadSqlJs(wasmPath);
    return new Db(new SQL.Database(bytes));
  }

  private configure(): void {
    // The database lives in WebAssembly memory and is persisted by snapshot, so SQLite's own
    // journal and syncs would only cost time.
    this.db.exec('PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;');
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
    return bytes;
  }

  close(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
    this.db.close();
  }
}
