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
exports.registerRunCommands = registerRunCommands;
// Commands that act on runs and archived versions: rewind, fork, copy ids and snippets, rename,
// delete, history, charts. Each accepts a tree element (plus the multi-selection), a run or version id,
// or nothing (then it asks), so menus, the palette, other commands and tests share one path.
const vscode = __importStar(require("vscode"));
const errors_1 = require("../core/errors");
const ids_1 = require("../ids");
const userText_1 = require("../userText");
const nodes_1 = require("../views/nodes");
const context_1 = require("./context");
const lineage_1 = require("./lineage");
const openCharts_1 = require("./openCharts");
const snippet_1 = require("./snippet");
const stepPrompt_1 = require("./stepPrompt");
const stepInput_1 = require("./stepInput");
function registerRunCommands(ctx, history) {
    const lineage = (action) => async (arg, step, options) => {
        const target = await (0, context_1.resolveTarget)(ctx, arg);
        if (!target)
            return undefined;
        const chosen = typeof step === 'number' ? step : await (0, stepPrompt_1.promptStep)(target, action);
        if (chosen === undefined)
            return undefined;
        // A step picked in the prompt was the confirmation; a rewind with a step from elsewhere asks.
        return (0, lineage_1.rewindOrFork)(ctx, target, chosen, action, { confirm: typeof step === 'number', ...options });
    };
    return [
        vscode.commands.registerCommand(ids_1.CommandId.RewindToStep, lineage('rewind')),
        vscode.commands.registerCommand(ids_1.CommandId.ForkAtStep, lineage('fork')),
        vscode.commands.registerCommand(ids_1.CommandId.CopyRunId, async (arg, selected) => copy(await (0, context_1.resolveTargets)(ctx, arg, selected), (t) => t.run.id)),
        vscode.commands.registerCommand(ids_1.CommandId.CopyVersionId, async (arg, selected) => copy(await (0, context_1.resolveTargets)(ctx, arg, selected), (t) => t.version.id)),
        vscode.commands.registerCommand(ids_1.CommandId.CopyResumeSnippet, (arg, step, mode) => copyResumeSnippet(ctx, arg, step, mode)),
        vscode.commands.registerCommand(ids_1.CommandId.RenameRun, (arg, name) => renameRun(ctx, arg, name)),
        vscode.commands.registerCommand(ids_1.CommandId.DeleteRun, (arg, selected, options) => deleteRuns(ctx, arg, selected, options)),
        vscode.commands.registerCommand(ids_1.CommandId.OpenHistory, async (arg, selected) => {
            const targets = await (0, context_1.resolveTargets)(ctx, arg, selected);
            for (const t of targets)
                await history.open({ folder: t.folder, runId: t.run.id, versionId: t.version.id }, { preview: targets.length === 1 });
        }),
        vscode.commands.registerCommand(ids_1.CommandId.OpenCharts, async (arg, selected) => (0, openCharts_1.openCharts)(ctx, await (0, context_1.resolveTargets)(ctx, arg, selected))),
        vscode.commands.registerCommand(ids_1.CommandId.RevealSource, async (arg) => {
            if (!(0, nodes_1.isRunsNode)(arg) || arg.kind !== 'forkSource')
                return;
            const source = ctx.runs.model.find(arg.source.run, arg.folder);
            if (source)
                await ctx.runs.revealRun(source.folder, source.run.id, { focus: true });
        }),
    ];
}
async function copy(targets, pick) {
    if (targets.length === 0)
        return undefined;
    const text = targets.map(pick).join('\n');
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied: {0}', (0, userText_1.labelText)(text.replace(/\n/g, ', '), 300)), 3000);
    return text;
}
async function copyResumeSnippet(ctx, arg, step, mode) {
    const target = await (0, context_1.resolveTarget)(ctx, arg);
    if (!target)
        return undefined;
    let chosen = mode;
    if (!chosen) {
        const items = [];
        if (!target.version.archived) {
            items.push({
                mode: 'resume',
                label: vscode.l10n.t('Continue this run'),
                description: 'init(id=…, resume="must")',
                detail: vscode.l10n.t('Logs after step {0}. The line to use after a rewind or fork made here.', target.version.lastStep ?? '-'),
            });
            items.push({ mode: 'rewind', label: vscode.l10n.t('Rewind at a step'), description: 'init(resume_from="…?_step=N")', detail: vscode.l10n.t('The script rewinds the run itself, then logs from N+1.') });
        }
        items.push({ mode: 'fork', label: vscode.l10n.t('Fork at a step'), description: 'init(fork_from="…?_step=N")', detail: vscode.l10n.t('A new run that starts with this history up to N.') });
        chosen = (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Which snippet?') }))?.mode;
        if (!chosen)
            return undefined;
    }
    let snippetStep;
    if (chosen !== 'resume') {
        snippetStep = typeof step === 'number' ? step : await (0, stepPrompt_1.promptStep)(target, chosen);
        if (snippetStep === undefined)
            return undefined;
        const refusal = (0, stepInput_1.targetRefusal)(target.run, target.version, chosen);
        if (refusal) {
            void vscode.window.showErrorMessage((0, userText_1.messageText)(refusal, 500));
            return undefined;
        }
    }
    const snippet = (0, snippet_1.resumeSnippet)(target, chosen, snippetStep);
    await vscode.env.clipboard.writeText(snippet);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied: {0}', (0, userText_1.labelText)(snippet, 300)), 4000);
    ctx.log.debug(`copied snippet ${snippet}`);
    return snippet;
}
async function renameRun(ctx, arg, name) {
    const target = await (0, context_1.resolveTarget)(ctx, arg);
    if (!target)
        return undefined;
    const validate = (value) => value.trim() === '' ? vscode.l10n.t('A run name cannot be empty.') : value.length > 256 ? vscode.l10n.t('Keep the name under 256 characters.') : undefined;
    const newName = typeof name === 'string'
        ? name
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('Rename Run {0}', (0, userText_1.labelText)(target.run.id)),
            // Editable text, not rendered: only the bidi controls that would reorder it on screen go.
            value: (0, userText_1.stripBidi)(target.run.name),
            prompt: vscode.l10n.t('The display name; the run id {0} stays the same.', (0, userText_1.messageText)(target.run.id)),
            validateInput: validate,
        });
    if (newName === undefined)
        return undefined;
    const refusal = validate(newName);
    if (refusal) {
        void vscode.window.showErrorMessage(refusal);
        return { ok: false, reason: refusal };
    }
    try {
        await target.store.rename(target.run.id, newName.trim());
    }
    catch (error) {
        return failed(ctx, error);
    }
    await ctx.runs.revealRun(target.folder, target.run.id);
    return { ok: true };
}
async function deleteRuns(ctx, arg, selected, options) {
    // Menus pass (clicked, selection); programmatic callers may pass options second.
    const isOptions = typeof selected === 'object' && selected !== null && !Array.isArray(selected) && !(0, nodes_1.isRunsNode)(selected);
    const opts = isOptions ? selected : options;
    const all = await (0, context_1.resolveTargets)(ctx, arg, isOptions ? undefined : selected, vscode.l10n.t('Choose a run to delete'));
    // Deleting acts on whole runs; an archived version in the selection stands for nothing.
    const targets = all.filter((t, i) => !t.version.archived && all.findIndex((o) => o.run.id === t.run.id && o.folder === t.folder) === i);
    if (targets.length === 0)
        return undefined;
    if (opts?.confirm !== false) {
        const archived = targets.reduce((n, t) => n + t.run.versions.filter((v) => v.archived).length, 0);
        const del = vscode.l10n.t('Delete');
        const question = targets.length === 1
            ? vscode.l10n.t('Delete run {0} ({1})?', (0, userText_1.messageText)(targets[0]?.run.name ?? ''), targets[0]?.run.id ?? '')
            : vscode.l10n.t('Delete {0} runs?', targets.length);
        const detail = archived === 1
            ? vscode.l10n.t('Its 1 archived version is deleted too. Runs forked from it keep their history. The log files stay on disk.')
            : archived > 0
                ? vscode.l10n.t('Their {0} archived versions are deleted too. Runs forked from them keep their history. The log files stay on disk.', archived)
                : vscode.l10n.t('Archived versions are deleted too. Runs forked from them keep their history. The log files stay on disk.');
        if ((await vscode.window.showWarningMessage(question, { modal: true, detail }, del)) !== del) {
            return { ok: false, reason: vscode.l10n.t('Cancelled.') };
        }
    }
    try {
        for (const t of targets)
            await t.store.deleteRun(t.run.id);
    }
    catch (error) {
        return failed(ctx, error);
    }
    for (const folder of new Set(targets.map((t) => t.folder)))
        await ctx.runs.model.refresh(folder);
    ctx.log.info(`deleted ${targets.map((t) => t.run.id).join(', ')}`);
    return { ok: true };
}
function failed(ctx, error) {
    const message = error instanceof errors_1.RunRewindError ? error.message : String(error);
    if (!(error instanceof errors_1.RunRewindError))
        ctx.log.error(error instanceof Error ? error : message);
    void vscode.window.showErrorMessage((0, userText_1.messageText)(message, 500));
    return { ok: false, reason: message };
}
//# sourceMappingURL=runCommands.js.map