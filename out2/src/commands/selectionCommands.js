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
exports.registerSelectionCommands = registerSelectionCommands;
// Commands on the selected step (picked on a chart or a history line): rewind or fork there, with the
// same refusals and confirmation as the step prompt, and the status bar item's quick menu.
const vscode = __importStar(require("vscode"));
const ids_1 = require("../ids");
const userText_1 = require("../userText");
const context_1 = require("./context");
const lineage_1 = require("./lineage");
function registerSelectionCommands(ctx) {
    const atSelected = (action) => async (options) => {
        const selected = ctx.services.selection.current;
        if (!selected) {
            const reason = vscode.l10n.t('No step is selected: click a point on a chart, or put the cursor on a row of a run history.');
            void vscode.window.showInformationMessage(reason);
            return { ok: false, reason };
        }
        const target = await (0, context_1.lookup)(ctx, selected.versionId, selected.folder);
        if (!target)
            return undefined;
        // Key bindings reach here with no argument or a non-options one; only a plain object is options.
        const opts = typeof options === 'object' && options !== null && !Array.isArray(options) ? options : {};
        return (0, lineage_1.rewindOrFork)(ctx, target, selected.step, action, opts);
    };
    return [
        vscode.commands.registerCommand(ids_1.CommandId.RewindToSelectedStep, atSelected('rewind')),
        vscode.commands.registerCommand(ids_1.CommandId.ForkAtSelectedStep, atSelected('fork')),
        vscode.commands.registerCommand(ids_1.CommandId.ClearSelectedStep, () => ctx.services.selection.set(undefined)),
        vscode.commands.registerCommand(ids_1.CommandId.SelectedStepActions, async () => {
            const selected = ctx.services.selection.current;
            if (!selected)
                return;
            // Run ids are [A-Za-z0-9_-] by protocol; labelText keeps a hand-written one inert in the quick pick.
            const at = (0, userText_1.labelText)(`${selected.runId}@${selected.step}`);
            const items = [
                { label: `$(discard) ${vscode.l10n.t('Rewind Run to Selected Step')}`, description: at, command: ids_1.CommandId.RewindToSelectedStep, args: [] },
                { label: `$(repo-forked) ${vscode.l10n.t('Fork Run at Selected Step')}`, description: at, command: ids_1.CommandId.ForkAtSelectedStep, args: [] },
                {
                    label: `$(clippy) ${vscode.l10n.t('Copy Resume Snippet')}`,
                    description: `resume_from="${at.replace('@', '?_step=')}"`,
                    command: ids_1.CommandId.CopyResumeSnippet,
                    args: [{ run: selected.versionId, folder: selected.folder }, selected.step, 'rewind'],
                },
                { label: `$(table) ${vscode.l10n.t('Open Run History')}`, command: ids_1.CommandId.OpenHistory, args: [{ run: selected.versionId, folder: selected.folder }] },
                { label: `$(close) ${vscode.l10n.t('Clear Selected Step')}`, command: ids_1.CommandId.ClearSelectedStep, args: [] },
            ];
            const picked = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Selected step {0}', at) });
            if (picked)
                await vscode.commands.executeCommand(picked.command, ...picked.args);
        }),
    ];
}
//# sourceMappingURL=selectionCommands.js.map