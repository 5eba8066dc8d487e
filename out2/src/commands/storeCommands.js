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
exports.registerStoreCommands = registerStoreCommands;
// Commands on the stores themselves: refresh, rebuild from the logs, the log, the first-run example.
const vscode = __importStar(require("vscode"));
const ids_1 = require("../ids");
const folderStore_1 = require("../workspace/folderStore");
const userText_1 = require("../userText");
const example_1 = require("./example");
function registerStoreCommands(ctx, folders) {
    return [
        vscode.commands.registerCommand(ids_1.CommandId.Refresh, async () => {
            await Promise.all(folders.all.map(async (f) => {
                await f.store().catch(() => undefined);
                await f.ingestNow();
                await ctx.runs.model.refresh(f.key);
            }));
        }),
        vscode.commands.registerCommand(ids_1.CommandId.RebuildStore, () => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Run Rewind: rebuilding the store from the logs') }, async (progress) => {
            for (const f of folders.all) {
                progress.report({ message: (0, userText_1.labelText)(f.name) });
                try {
                    const result = await f.rebuild((p) => progress.report({ message: (0, userText_1.labelText)(`${f.name}: ${p.message}`, 300) }));
                    ctx.log.info(`rebuilt ${f.name}: ${result.rows} rows from ${result.bytes} bytes`);
                }
                catch (error) {
                    ctx.log.error(`rebuild of ${f.name} failed: ${(0, folderStore_1.describe)(error)}`);
                    void vscode.window.showErrorMessage(vscode.l10n.t('Rebuilding the store of {0} failed: {1}', (0, userText_1.messageText)(f.name), (0, userText_1.messageText)((0, folderStore_1.describe)(error), 500)));
                }
                await ctx.runs.model.refresh(f.key);
            }
        })),
        vscode.commands.registerCommand(ids_1.CommandId.ShowLog, () => ctx.services.logger.show()),
        vscode.commands.registerCommand(ids_1.CommandId.OpenSettings, () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${ids_1.EXTENSION_ID}`)),
        vscode.commands.registerCommand(ids_1.CommandId.CreateExample, async () => {
            const folder = vscode.workspace.workspaceFolders?.[0];
            const content = (0, example_1.exampleScript)();
            if (!folder) {
                const doc = await vscode.workspace.openTextDocument({ language: 'python', content });
                await vscode.window.showTextDocument(doc);
                return;
            }
            const uri = vscode.Uri.joinPath(folder.uri, example_1.EXAMPLE_FILE);
            try {
                await vscode.workspace.fs.stat(uri);
            }
            catch {
                await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
            }
            await vscode.window.showTextDocument(uri);
            const run = vscode.l10n.t('Run in Terminal');
            const answer = await vscode.window.showInformationMessage(vscode.l10n.t('{0} logs a run to this workspace. Run it in a VS Code terminal — the Run Rewind client is already on its PYTHONPATH.', example_1.EXAMPLE_FILE), run);
            if (answer === run) {
                const terminal = vscode.window.createTerminal({ name: 'Run Rewind', cwd: folder.uri });
                terminal.show();
                terminal.sendText(`python3 ${example_1.EXAMPLE_FILE}`);
            }
        }),
    ];
}
//# sourceMappingURL=storeCommands.js.map