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
Object.defineProperty(exports, "__esModule", { value: true });
exports.PYTHON_DIR = void 0;
exports.tempDir = tempDir;
exports.openEngine = openEngine;
exports.writer = writer;
exports.linearRun = linearRun;
exports.snapshotTree = snapshotTree;
exports.engineView = engineView;
exports.pythonView = pythonView;
// Shared set-up for unit tests: temporary log directories and engines over them.
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const engine_1 = require("../../src/core/engine");
const writer_1 = require("../../src/core/writer");
function tempDir(prefix = 'rr-test-') {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
async function openEngine(logDir, options = {}) {
    return engine_1.Engine.open({ logDir, ...options });
}
/** A writer with no heartbeat timer, so tests end cleanly. */
function writer(dir, options = {}) {
    return new writer_1.LogWriter({ dir, heartbeat: 0, ...options });
}
/** Logs `metric = i` for steps 0..n-1 and finishes. */
function linearRun(dir, n, options = {}) {
    const w = writer(dir, options);
    for (let i = 0; i < n; i++)
        w.log({ metric: i });
    w.finish();
    return w;
}
/** Every file under a directory with its bytes, to show that a refused operation wrote nothing. */
function snapshotTree(dir) {
    const out = new Map();
    const walk = (d) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, entry.name);
            if (entry.isDirectory())
                walk(p);
            else
                out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
        }
    };
    if (fs.existsSync(dir))
        walk(dir);
    return out;
}
function engineView(engine) {
    const out = {};
    for (const run of engine.listRuns()) {
        const versions = {};
        for (const v of run.versions)
            versions[v.id] = { archived: v.archived, lastStep: v.lastStep, parent: v.parent, branchStep: v.branchStep };
        out[run.id] = { live: run.liveVersion, name: run.name, project: run.project, versions };
    }
    return out;
}
const PYTHON_VIEW = `
import json, sys
from runrewind import _logs
s = _logs.read_state(sys.argv[1])
out = {}
for rid, r in s.runs.items():
    if r.deleted:
        continue
    out[rid] = {"live": r.live, "name": r.name, "project": r.project, "versions": {
        vid: {"archived": s.versions[vid].archived, "lastStep": s.versions[vid].last_step,
              "parent": s.versions[vid].parent, "branchStep": s.versions[vid].branch_step}
        for vid in r.versions}}
print(json.dumps(out))
`;
/** The same view as the Python client's reader (python/runrewind/_logs.py) sees the directory. */
function pythonView(logDir) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { execFileSync } = require('node:child_process');
    const text = execFileSync('python3', ['-c', PYTHON_VIEW, logDir], { env: { ...process.env, PYTHONPATH: exports.PYTHON_DIR }, encoding: 'utf8', timeout: 30_000 });
    return JSON.parse(text);
}
exports.PYTHON_DIR = path.join(__dirname, '..', '..', '..', 'python');
//# sourceMappingURL=helpers.js.map