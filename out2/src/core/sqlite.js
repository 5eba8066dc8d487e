"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.Db = exports.fastBlobs = void 0;
exports.defaultWasmPath = defaultWasmPath;
exports.loadSqlJs = loadSqlJs;
// A thin, typed layer over sql.js: one place that loads the WebAssembly, caches prepared statements
// (sql.js frees every statement on export(), so the cache is dropped then), and runs transactions.
const path = __importStar(require("node:path"));
const fs = __importStar(require("node:fs"));
const sql_js_1 = __importDefault(require("sql.js"));
let sqlJs;
/** Finds sql-wasm.wasm: beside the bundle (dist/), or in node_modules when running from out/. */
function defaultWasmPath() {
    const candidates = [
        path.join(__dirname, 'sql-wasm.wasm'),
        path.join(__dirname, '..', 'sql-wasm.wasm'),
        path.join(__dirname, '..', '..', 'dist', 'sql-wasm.wasm'),
        path.join(__dirname, '..', '..', '..', 'dist', 'sql-wasm.wasm'),
        path.join(__dirname, '..', '..', '..', 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm'),
    ];
    const found = candidates.find((candidate) => fs.existsSync(candidate));
    if (!found)
        throw new Error(`sql-wasm.wasm was not found beside ${__dirname}; run \`npm run build\``);
    return found;
}
function loadSqlJs(wasmPath = defaultWasmPath()) {
    sqlJs ??= (0, sql_js_1.default)({ wasmBinary: toArrayBuffer(fs.readFileSync(wasmPath)) }).then((SQL) => {
        exports.fastBlobs = installFastBlobReads(SQL);
        return SQL;
    });
    return sqlJs;
}
/** Whether blob columns are read with one copy out of WebAssembly memory (see below). */
exports.fastBlobs = false;
/**
 * sql.js copies a blob column out of WebAssembly memory one byte at a time in JavaScript, which made
 * reading a million points cost ~25 ms. This replaces Statement.getBlob with a single slice of the
 * heap. The statement's handle is found by asking SQLite for the SQL text each candidate property
 * points to (not by sql.js's minified property name), and the result is checked on a real blob before
 * it is kept; if anything does not match, sql.js's own getBlob stays.
 */
function installFastBlobReads(SQL) {
    const module = SQL;
    if (typeof module._sqlite3_column_blob !== 'function' || typeof module._sqlite3_column_bytes !== 'function' || typeof module._sqlite3_sql !== 'function')
        return false;
    const m = module;
    const db = new SQL.Database();
    try {
        const sql = 'SELECT ?1 AS probe';
        const statement = db.prepare(sql);
        const expected = Buffer.from(sql, 'utf8');
        const handleKey = Object.keys(statement).find((key) => {
            const value = statement[key];
            if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
                return false;
            const text = m._sqlite3_sql(value);
            return text > 0 && Buffer.from(m.HEAPU8.subarray(text, text + expected.length)).equals(expected) && m.HEAPU8[text + expected.length] === 0;
        });
        if (!handleKey)
            return false;
        const proto = Object.getPrototypeOf(statement);
        const original = proto.getBlob;
        proto.getBlob = function getBlob(column) {
            if (column === undefined || column === null)
                return original.call(this, column);
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
        if (back instanceof Uint8Array && Buffer.from(back).equals(Buffer.from(probe)))
            return true;
        proto.getBlob = original;
        return false;
    }
    finally {
        db.close();
    }
}
function toArrayBuffer(buffer) {
    return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
}
class Db {
    db;
    statements = new Map();
    depth = 0;
    constructor(db) {
        this.db = db;
        this.configure();
    }
    static async open(wasmPath, bytes) {
        const SQL = await loadSqlJs(wasmPath);
        return new Db(new SQL.Database(bytes));
    }
    configure() {
        // The database lives in WebAssembly memory and is persisted by snapshot, so SQLite's own
        // journal and syncs would only cost time.
        this.db.exec('PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;');
    }
    exec(sql) {
        this.db.exec(sql);
    }
    statement(sql) {
        let statement = this.statements.get(sql);
        if (!statement) {
            statement = this.db.prepare(sql);
            this.statements.set(sql, statement);
        }
        return statement;
    }
    run(sql, params = []) {
        const statement = this.statement(sql);
        statement.bind(params);
        statement.step();
        statement.reset();
    }
    /** All rows as arrays. */
    all(sql, params = []) {
        const statement = this.statement(sql);
        statement.bind(params);
        const rows = [];
        try {
            while (statement.step())
                rows.push(statement.get());
        }
        finally {
            statement.reset();
        }
        return rows;
    }
    /** Calls `each` per row without collecting them. */
    each(sql, params, each) {
        const statement = this.statement(sql);
        statement.bind(params);
        try {
            while (statement.step())
                each(statement.get());
        }
        finally {
            statement.reset();
        }
    }
    get(sql, params = []) {
        const statement = this.statement(sql);
        statement.bind(params);
        try {
            return statement.step() ? statement.get() : undefined;
        }
        finally {
            statement.reset();
        }
    }
    /** Runs `work` in a transaction; nested calls join the outer one. Rolls back on error. */
    transaction(work) {
        if (this.depth > 0)
            return work();
        this.db.exec('BEGIN');
        this.depth++;
        try {
            const result = work();
            this.depth--;
            this.db.exec('COMMIT');
            return result;
        }
        catch (error) {
            this.depth--;
            this.db.exec('ROLLBACK');
            throw error;
        }
    }
    /** The whole database as SQLite file bytes. Frees cached statements (sql.js reopens the db). */
    export() {
        this.statements.clear();
        const bytes = this.db.export();
        this.configure();
        return bytes;
    }
    close() {
        for (const statement of this.statements.values())
            statement.free();
        this.statements.clear();
        this.db.close();
    }
}
exports.Db = Db;
//# sourceMappingURL=sqlite.js.map