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
exports.historyTitle = historyTitle;
exports.historyUri = historyUri;
exports.parseHistoryUri = parseHistoryUri;
// Addresses of run history documents: runrewind-history:/<title>.history?folder=…&run=…&version=…
// The path is only what the editor tab shows (the run's name, so a tab says whose history it is); the
// query carries what the provider reads.
const vscode = __importStar(require("vscode"));
const ids_1 = require("../ids");
const userText_1 = require("../userText");
function historyTitle(address, title) {
    if (!title)
        return `${address.runId}@${address.versionId}`;
    const name = (0, userText_1.fileNameText)(title.runName, 60);
    return title.archived ? `${name} (${address.runId}@${address.versionId})` : `${name} (${address.runId})`;
}
function historyUri(address, title) {
    const query = new URLSearchParams({ folder: address.folder, run: address.runId, version: address.versionId }).toString();
    return vscode.Uri.from({ scheme: ids_1.HISTORY_SCHEME, path: `/${historyTitle(address, title)}.history`, query });
}
function parseHistoryUri(uri) {
    if (uri.scheme !== ids_1.HISTORY_SCHEME)
        return undefined;
    const params = new URLSearchParams(uri.query);
    const folder = params.get('folder');
    const runId = params.get('run');
    const versionId = params.get('version');
    return folder && runId && versionId ? { folder, runId, versionId } : undefined;
}
//# sourceMappingURL=historyUri.js.map