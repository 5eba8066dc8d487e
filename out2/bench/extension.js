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
// Benchmarks of the extension in a real VS Code (code-server + headless Chromium): activation, the
// Runs tree with 1,000 runs and a run rewound 100 times (time to list and expand), and the time from a
// line appended to a log to the tree showing it — inside the extension host and on screen. Prints
// figures; asserts nothing.
//
//   npm run build && npm run compile-tests && node out/bench/extension.js [runs=1000] [rewinds=100]
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const engine_1 = require("../src/core/engine");
const writer_1 = require("../src/core/writer");
const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.argv[2] ?? 1000);
const REWINDS = Number(process.argv[3] ?? 100);
const DOM_SAMPLES = 10;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require(path.join(ROOT, 'scripts', 'lib', 'vscode-harness.js'));
async function makeWorkspace(dir) {
    const logDir = path.join(dir, '.runrewind');
    const started = performance.now();
    for (let r = 0; r < RUNS; r++) {
        const w = new writer_1.LogWriter({ dir: logDir, run: `run${String(r).padStart(5, '0')}`, project: `project-${r % 10}`, heartbeat: 0, buffered: true });
        for (let s = 0; s < 50; s++)
            w.log({ loss: 1 / (s + 1), acc: s / 50 });
        w.finish();
    }
    const deep = new writer_1.LogWriter({ dir: logDir, run: 'deep', project: 'a-deep', name: 'rewound 100 times', heartbeat: 0, buffered: true });
    for (let s = 0; s < 1000; s++)
        deep.log({ loss: 1 / (s + 1) });
    deep.finish();
    // Rewinds through the engine: each writes an ops record, as the UI would.
    const engine = await engine_1.Engine.open({ logDir, wasmPath: path.join(ROOT, 'dist', 'sql-wasm.wasm') });
    await engine.ingest();
    for (let i = 0; i < REWINDS; i++)
        await engine.rewind('deep', 999 - i);
    engine.close();
    process.stdout.write(`  workspace: ${RUNS} runs × 50 steps in 10 projects, one run rewound ${REWINDS} times (made in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
function ms(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    return `median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(0)} ms (n=${sorted.length})`;
}
async function waitForFile(file, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (!fs.existsSync(file)) {
        if (Date.now() > deadline)
            throw new Error(`timed out waiting for ${file}`);
        await new Promise((r) => setTimeout(r, 50));
    }
    return fs.readFileSync(file, 'utf8');
}
async function main() {
    harness.codeServerDir();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-bench-ext-'));
    const workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace);
    await makeWorkspace(workspace);
    // Written from this process (alive, so the run stays running) once the host has measured.
    const live = new writer_1.LogWriter({ dir: path.join(workspace, '.runrewind'), run: 'screen', project: '0-live', name: 'on screen', heartbeat: 5 });
    live.log({ loss: 1 });
    const figuresFile = path.join(tmp, 'figures.json');
    const doneFile = path.join(tmp, 'driver-done');
    const wb = await harness.openWorkbench({
        workspace,
        extensionTestsPath: path.join(ROOT, 'out', 'bench', 'extension', 'host'),
        env: { RUNREWIND_BENCH_FIGURES: figuresFile, RUNREWIND_BENCH_DONE: doneFile },
    });
    try {
        const figures = JSON.parse(await waitForFile(figuresFile, 300_000));
        // On screen: the writer appends; the row's description shows the new step.
        const page = wb.page;
        const row = page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: /^on screen$/ }) }).first();
        await row.waitFor({ timeout: 30_000 });
        const dom = [];
        for (let i = 0; i < DOM_SAMPLES; i++) {
            await new Promise((r) => setTimeout(r, 300));
            const step = live.step;
            const t0 = performance.now();
            live.log({ loss: 1 / (step + 1) });
            await row.locator('.label-description', { hasText: `step ${step} ` }).waitFor({ timeout: 10_000 });
            dom.push(performance.now() - t0);
        }
        live.finish();
        fs.writeFileSync(doneFile, 'done');
        await Promise.race([wb.exit, new Promise((r) => setTimeout(r, 30_000))]);
        process.stdout.write(`  activation: activate() ${figures.activationMs.toFixed(1)} ms\n`);
        process.stdout.write(`  view shown → ${RUNS + 1} runs listed (cold: store start + first ingest of every log): ${figures.firstListingMs.toFixed(0)} ms\n`);
        process.stdout.write(`  listing again (warm, no change): ${figures.warmListingMs.toFixed(1)} ms\n`);
        process.stdout.write(`  expand every project: ${figures.projectRuns} run rows (children + tree items): ${figures.expandProjectMs.toFixed(1)} ms\n`);
        process.stdout.write(`  expand Forked From and all ${figures.archived} nested archived versions: ${figures.expandChainMs.toFixed(1)} ms\n`);
        process.stdout.write(`  reveal the deepest archived version (getParent × ${figures.archived}): ${figures.revealDeepestMs.toFixed(1)} ms\n`);
        process.stdout.write(`  line appended → tree item shows it (extension host): ${ms(figures.appendToTreeMs)}\n`);
        process.stdout.write(`  line appended → row on screen shows it (Chromium DOM): ${ms(dom)}\n`);
    }
    finally {
        await wb.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
});
//# sourceMappingURL=extension.js.map