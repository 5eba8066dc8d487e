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
exports.run = run;
// Loaded by bench/extension.ts as the extension host's "tests" module: measures the extension from
// inside the host, writes the figures to RUNREWIND_BENCH_FIGURES, then waits for the driver's on-screen
// measurement (RUNREWIND_BENCH_DONE) before letting the window close.
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const writer_1 = require("../../src/core/writer");
const ids_1 = require("../../src/ids");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function run() {
    const ext = vscode.extensions.getExtension(ids_1.EXTENSION_ID);
    if (!ext)
        throw new Error('Run Rewind is not loaded');
    const api = ext.isActive ? ext.exports : await ext.activate();
    const provider = api.runs.provider;
    let t = performance.now();
    await vscode.commands.executeCommand(`workbench.view.extension.${ids_1.ViewContainerId.Runs}`);
    let roots = await provider.getChildren();
    while (roots.length === 0) {
        await sleep(10);
        roots = await provider.getChildren();
    }
    const firstListingMs = performance.now() - t;
    const key = api.folders.all[0]?.key ?? '';
    t = performance.now();
    await api.runs.model.refresh(key);
    const warmListingMs = performance.now() - t;
    // Every project expanded: all 1,000 run rows built.
    t = performance.now();
    let projectRuns = 0;
    for (const project of roots) {
        const runs = await provider.getChildren(project);
        for (const r of runs)
            provider.getTreeItem(r);
        projectRuns += runs.length;
    }
    const expandProjectMs = performance.now() - t;
    const deepProject = roots.find((n) => n.kind === 'project' && n.project === 'a-deep');
    if (!deepProject)
        throw new Error('no a-deep project');
    t = performance.now();
    const [deep] = await provider.getChildren(deepProject);
    if (!deep)
        throw new Error('no deep run');
    let level = (await provider.getChildren(deep)).filter((n) => n.kind === 'forkedFrom');
    let archived = 0;
    let deepest;
    while (level.length > 0) {
        const next = [];
        for (const n of level) {
            provider.getTreeItem(n);
            if (n.kind === 'version') {
                archived++;
                deepest = n;
            }
            next.push(...(await provider.getChildren(n)));
        }
        level = next;
    }
    const expandChainMs = performance.now() - t;
    t = performance.now();
    if (deepest)
        await api.runs.view.reveal(deepest, { select: true, expand: false });
    const revealDeepestMs = performance.now() - t;
    // A run that logs while the tree is open: time from the append to the item built with that step.
    const logDir = api.folders.all[0]?.logDir ?? path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', '.runrewind');
    const writer = new writer_1.LogWriter({ dir: logDir, run: 'live', project: '0-host', name: 'live', heartbeat: 5 });
    writer.log({ loss: 1 });
    const liveNode = () => provider.node({ kind: 'run', folder: key, runId: 'live' });
    while (!api.runs.model.run(key, 'live'))
        await sleep(10);
    const appendToTreeMs = [];
    for (let i = 0; i < 20; i++) {
        await sleep(200);
        const step = writer.step;
        const start = performance.now();
        writer.log({ loss: 1 / (step + 1) });
        while (!String(provider.getTreeItem(liveNode()).description).includes(`step ${step} `))
            await sleep(2);
        appendToTreeMs.push(performance.now() - start);
    }
    writer.finish();
    const figures = {
        activationMs: api.activationMs,
        firstListingMs,
        warmListingMs,
        projectRuns,
        expandProjectMs,
        archived,
        expandChainMs,
        revealDeepestMs,
        appendToTreeMs,
    };
    // Back to the top of the tree, showing the driver's run for its on-screen measurement.
    await vscode.commands.executeCommand(`workbench.actions.treeView.${ids_1.ViewId.Runs}.collapseAll`);
    const screen = provider.node({ kind: 'run', folder: key, runId: 'screen' });
    if (api.runs.model.run(key, 'screen'))
        await api.runs.view.reveal(screen, { select: false });
    const out = process.env.RUNREWIND_BENCH_FIGURES;
    if (out)
        fs.writeFileSync(out, JSON.stringify(figures));
    const done = process.env.RUNREWIND_BENCH_DONE;
    const deadline = Date.now() + 120_000;
    while (done && !fs.existsSync(done) && Date.now() < deadline)
        await sleep(100);
}
//# sourceMappingURL=host.js.map