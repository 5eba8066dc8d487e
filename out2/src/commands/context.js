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
exports.resolveTargets = resolveTargets;
exports.resolveTarget = resolveTarget;
exports.lookup = lookup;
// What command handlers work with, and how their first argument — a tree element, a run or version
// id, or nothing (then a quick pick) — becomes the run and version they act on.
const vscode = __importStar(require("vscode"));
const nodes_1 = require("../views/nodes");
const userText_1 = require("../userText");
function isRunRef(value) {
    return typeof value === 'object' && value !== null && typeof value.run === 'string';
}
/**
 * The targets of a command. Menus on a multi-selection pass (clicked, selected[]); a palette call passes
 * nothing and gets a run quick pick; programmatic callers pass an id. Unknown ids are refused with a
 * message, returning [].
 */
async function resolveTargets(ctx, arg, selected, placeHolder) {
    const args = Array.isArray(selected) && selected.length > 0 ? selected : [arg];
    const targets = [];
    for (const a of args) {
        const t = await resolveTarget(ctx, a, placeHolder);
        if (t)
            targets.push(t);
    }
    return targets;
}
async function resolveTarget(ctx, arg, placeHolder) {
    if (arg === undefined)
        return pickRun(ctx, placeHolder);
    if ((0, nodes_1.isRunsNode)(arg)) {
        switch (arg.kind) {
            case 'run':
            case 'forkedFrom':
                return lookup(ctx, arg.runId, arg.folder);
            case 'version':
                return lookup(ctx, arg.versionId, arg.folder);
            case 'forkSource':
                return lookup(ctx, arg.source.version, arg.folder);
            default:
                return undefined;
        }
    }
    if (typeof arg === 'string')
        return lookup(ctx, arg);
    if (isRunRef(arg))
        return lookup(ctx, arg.run, arg.folder);
    return undefined;
}
/** Finds a run or version id, listing the folders first if they were never listed. */
async function lookup(ctx, runOrVersion, folder) {
    const stores = folder ? [ctx.services.stores.get(folder)].filter((s) => s !== undefined) : ctx.services.stores.all;
    for (const s of stores) {
        const data = await ctx.runs.model.refresh(s.key);
        const runId = data.runs.has(runOrVersion) ? runOrVersion : data.versionToRun.get(runOrVersion);
        const run = runId ? data.runs.get(runId) : undefined;
        if (!run)
            continue;
        const version = run.versions.find((v) => v.id === runOrVersion) ?? (0, nodes_1.liveVersion)(run);
        if (!version)
            continue;
        return { folder: s.key, run, version, store: await s.store() };
    }
    void vscode.window.showErrorMessage(vscode.l10n.t('There is no run or version "{0}" in this workspace.', (0, userText_1.messageText)(runOrVersion)));
    return undefined;
}
async function pickRun(ctx, placeHolder) {
    // A palette call while runs are selected in the tree acts on the first selected run.
    const selected = ctx.runs.selection.find((n) => n.kind === 'run' || n.kind === 'version');
    if (selected && ctx.runs.view.visible)
        return resolveTarget(ctx, selected);
    const items = [];
    const multi = ctx.services.stores.all.length > 1;
    for (const s of ctx.services.stores.all) {
        const data = await ctx.runs.model.load(s.key);
        const runs = [...data.runs.values()].sort((a, b) => b.updatedAt - a.updatedAt);
        for (const run of runs) {
            items.push({
                // Label, description and detail all render $(icon): the project and folder name too.
                label: (0, userText_1.labelText)(run.name, 120),
                description: (0, userText_1.labelText)([run.id, run.project, multi ? s.name : undefined].filter(Boolean).join(' · '), 200),
                detail: run.lastStep !== null ? vscode.l10n.t('{0} · last step {1}', run.state, run.lastStep) : run.state,
                folder: s.key,
                runId: run.id,
            });
        }
    }
    if (items.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('There are no runs yet. Log one with the Run Rewind Python client.'));
        return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, {
        placeHolder: placeHolder ?? vscode.l10n.t('Choose a run'),
        matchOnDescription: true,
    });
    return picked ? lookup(ctx, picked.runId, picked.folder) : undefined;
}
//# sourceMappingURL=context.js.map