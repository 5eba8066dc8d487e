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
exports.rewindOrFork = rewindOrFork;
// Rewinding and forking, whichever way they were asked for (step prompt, selected step, caller with
// arguments): the same refusals, the same confirmation, then reveal the result and offer the snippet.
const vscode = __importStar(require("vscode"));
const errors_1 = require("../core/errors");
const ids_1 = require("../ids");
const userText_1 = require("../userText");
const snippet_1 = require("./snippet");
const stepInput_1 = require("./stepInput");
async function rewindOrFork(ctx, target, step, action, options = {}) {
    const { run, version, store, folder } = target;
    const refusal = (0, stepInput_1.stepRefusal)(step, run, version, action);
    if (refusal) {
        void vscode.window.showErrorMessage((0, userText_1.messageText)(refusal, 500));
        return { ok: false, reason: refusal };
    }
    if (action === 'rewind' && options.confirm !== false) {
        const rewind = vscode.l10n.t('Rewind');
        const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Rewind {0} ({1}) to step {2}?', (0, userText_1.messageText)(run.name), run.id, step), {
            modal: true,
            detail: vscode.l10n.t('Steps after {0} leave the run. Its current version {1} is archived and stays browsable under Rewinds.', step, version.id),
        }, rewind);
        if (answer !== rewind)
            return { ok: false, reason: vscode.l10n.t('Cancelled.') };
    }
    let outcome;
    try {
        if (action === 'rewind') {
            const result = await store.rewind(run.id, step);
            outcome = { ok: true, action, folder, runId: result.run.id, version: result.version, archived: result.archived };
        }
        else {
            const source = version.archived ? version.id : run.id;
            const result = await store.fork(source, step, { id: options.id, name: options.name });
            outcome = { ok: true, action, folder, runId: result.run.id, version: result.version };
        }
    }
    catch (error) {
        // The store's errors name the run and step; they are the message the user needs.
        const message = error instanceof errors_1.RunRewindError ? error.message : vscode.l10n.t('{0} failed: {1}', action, String(error));
        if (!(error instanceof errors_1.RunRewindError))
            ctx.log.error(error instanceof Error ? error : message);
        // Store errors quote run names: they are user text like any other.
        void vscode.window.showErrorMessage((0, userText_1.messageText)(message, 500));
        return { ok: false, reason: message };
    }
    ctx.log.info(`${action} ${run.id}@${step} → run ${outcome.runId}, version ${outcome.version}`);
    await ctx.runs.revealRun(folder, outcome.runId, { expand: action === 'rewind' });
    void offerNext(ctx, outcome, run.name, step);
    return outcome;
}
/**
 * The notification after a rewind or fork; not awaited, so the command finishes at once. Non-modal
 * messages render `[label](command:…)` as links with command access: every name goes through messageText.
 */
async function offerNext(ctx, outcome, sourceName, step) {
    const found = ctx.runs.model.run(outcome.folder, outcome.runId);
    if (!found)
        return;
    const snippet = (0, snippet_1.resumeSnippet)({ run: found }, 'resume');
    const message = outcome.action === 'rewind'
        ? vscode.l10n.t('Rewound {0} to step {1}; the previous version is archived under Rewinds. To keep training this run, start your script with init(id="{2}", resume="must") — it continues from step {3}.', (0, userText_1.messageText)(sourceName), step, found.id, step + 1)
        : vscode.l10n.t('Forked {0}@{1} into the new run {2} ({3}). To train it, start your script with init(id="{3}", resume="must").', (0, userText_1.messageText)(sourceName), step, (0, userText_1.messageText)(found.name), found.id);
    const copy = vscode.l10n.t('Copy Resume Snippet');
    const charts = vscode.l10n.t('Open Charts');
    const answer = await vscode.window.showInformationMessage(message, copy, charts);
    if (answer === copy) {
        await vscode.env.clipboard.writeText(snippet);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied: {0}', (0, userText_1.labelText)(snippet, 300)), 4000);
    }
    else if (answer === charts) {
        await vscode.commands.executeCommand(ids_1.CommandId.OpenCharts, { run: found.id, folder: outcome.folder });
    }
}
//# sourceMappingURL=lineage.js.map