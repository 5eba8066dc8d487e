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
exports.TerminalEnvironment = exports.RUNREWIND_DIR = void 0;
// Terminals opened in VS Code log to this workspace with no install step: RUNREWIND_DIR points at the
// log directory of the terminal's folder (the first folder's when it has none) and the bundled Python
// client is on PYTHONPATH.
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const config_1 = require("./config");
const ids_1 = require("./ids");
exports.RUNREWIND_DIR = 'RUNREWIND_DIR';
const PYTHONPATH = 'PYTHONPATH';
class TerminalEnvironment {
    collection;
    pythonDir;
    log;
    disposables = [];
    /** Folders given a scoped RUNREWIND_DIR: scoped collections are not cleared with the global one. */
    scopedFolders = [];
    constructor(collection, pythonDir, log) {
        this.collection = collection;
        this.pythonDir = pythonDir;
        this.log = log;
        this.update();
        this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.update()), vscode.workspace.onDidChangeConfiguration((e) => {
            if ((0, config_1.affects)(e, ids_1.Setting.LogDirectory) || (0, config_1.affects)(e, ids_1.Setting.InjectTerminalEnvironment))
                this.update();
        }));
    }
    update() {
        this.collection.clear();
        for (const folder of this.scopedFolders)
            this.collection.getScoped({ workspaceFolder: folder }).clear();
        this.scopedFolders = [];
        if (!(0, config_1.injectTerminalEnvironment)()) {
            this.log.info('terminal environment off');
            return;
        }
        const logDir = (0, config_1.logDirectoryFor)(vscode.workspace.workspaceFolders?.[0]);
        this.collection.description = new vscode.MarkdownString(vscode.l10n.t('Run Rewind: `RUNREWIND_DIR` is this workspace\'s log directory and its Python client is on `PYTHONPATH`, so `import runrewind` works with no install. Turn off with the setting `runRewind.terminal.injectEnvironment`.'));
        this.collection.replace(exports.RUNREWIND_DIR, logDir);
        // Prepending keeps the user's PYTHONPATH; an installed runrewind still loses to ours, the version
        // that matches this extension's protocol.
        this.collection.prepend(PYTHONPATH, `${this.pythonDir}${path.delimiter}`);
        this.log.info(`terminals: ${exports.RUNREWIND_DIR}=${logDir}, ${PYTHONPATH} += ${this.pythonDir}`);
        // In a multi-root window, a terminal opened in a folder logs to that folder's directory.
        const folders = vscode.workspace.workspaceFolders ?? [];
        if (folders.length > 1) {
            for (const folder of folders) {
                const folderDir = (0, config_1.logDirectoryFor)(folder);
                this.collection.getScoped({ workspaceFolder: folder }).replace(exports.RUNREWIND_DIR, folderDir);
                this.log.info(`terminals in ${folder.name}: ${exports.RUNREWIND_DIR}=${folderDir}`);
            }
            this.scopedFolders = folders;
        }
    }
    dispose() {
        for (const d of this.disposables)
            d.dispose();
    }
}
exports.TerminalEnvironment = TerminalEnvironment;
//# sourceMappingURL=terminalEnvironment.js.map