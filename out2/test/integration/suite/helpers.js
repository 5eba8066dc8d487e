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
exports.extensionApi = extensionApi;
exports.workspaceDir = workspaceDir;
exports.logDir = logDir;
exports.showRunsView = showRunsView;
exports.showRunsViewAndStore = showRunsViewAndStore;
exports.waitFor = waitFor;
exports.sleep = sleep;
exports.children = children;
exports.label = label;
exports.runRow = runRow;
exports.listedRun = listedRun;
exports.logRun = logRun;
exports.uniqueId = uniqueId;
// Shared by the integration tests: the extension's API, the fixture workspace, waiting for the
// tree, and writing logs the way a training process does.
const assert = __importStar(require("node:assert/strict"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const writer_1 = require("../../../src/core/writer");
const ids_1 = require("../../../src/ids");
async function extensionApi() {
    const ext = vscode.extensions.getExtension(ids_1.EXTENSION_ID);
    assert.ok(ext, `${ids_1.EXTENSION_ID} is not installed`);
    return ext.isActive ? ext.exports : ext.activate();
}
function workspaceDir() {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    return folder.uri.fsPath;
}
function logDir() {
    return path.join(workspaceDir(), '.runrewind');
}
async function showRunsView() {
    await vscode.commands.executeCommand(`workbench.view.extension.${ids_1.ViewContainerId.Runs}`);
}
/** Shows the Runs view (which starts the stores) and waits until the first folder's store answers. */
async function showRunsViewAndStore() {
    await showRunsView();
    const api = await extensionApi();
    await waitFor(() => api.folders.all[0]?.started, 'the store to start once the view is shown', 20_000);
    return api;
}
async function waitFor(probe, what, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined && value !== false)
                return value;
        }
        catch (error) {
            last = error;
        }
        if (Date.now() > deadline)
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
        await sleep(50);
    }
}
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
/** Children of a tree element as VS Code would show them. */
async function children(api, node) {
    const provider = api.runs.provider;
    const nodes = await provider.getChildren(node);
    return nodes.map((n) => ({ node: n, item: provider.getTreeItem(n) }));
}
function label(item) {
    return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}
/** The run's row, found through the tree the way a user would (root → project → run). */
async function runRow(api, runId) {
    for (const project of await children(api)) {
        for (const row of await children(api, project.node)) {
            if (row.node.kind === 'run' && row.node.runId === runId)
                return row;
        }
    }
    return undefined;
}
/** The run as the store lists it now. */
async function listedRun(api, runId) {
    const folder = api.folders.all[0];
    assert.ok(folder);
    const data = await api.runs.model.refresh(folder.key);
    return data.runs.get(runId);
}
/** A finished run with `steps` rows of a simple curve, logged as a training script would. */
function logRun(runId, steps, options = {}) {
    const writer = new writer_1.LogWriter({ dir: logDir(), run: runId, project: options.project ?? 'tests', name: options.name ?? runId, heartbeat: options.finish === false ? 1 : 0, config: { lr: 0.01 } });
    for (let s = 0; s < steps; s++)
        writer.log({ loss: 1 / (s + 1), acc: s / steps });
    if (options.finish !== false)
        writer.finish();
    return writer;
}
function uniqueId(prefix) {
    return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}
//# sourceMappingURL=helpers.js.map