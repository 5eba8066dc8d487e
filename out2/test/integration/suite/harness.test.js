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
// Proves the harness itself: these tests run inside a real VS Code extension host (code-server), with
// Run Rewind loaded from the repository as the extension under development.
const assert = __importStar(require("node:assert/strict"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const EXTENSION_ID = 'runrewind.run-rewind';
describe('integration harness', () => {
    it('runs inside a VS Code 1.100 extension host', () => {
        assert.match(vscode.version, /^1\.100\./);
        assert.equal(typeof vscode.commands.executeCommand, 'function');
    });
    it('loads Run Rewind from the repository as the development extension', () => {
        const ext = vscode.extensions.getExtension(EXTENSION_ID);
        assert.ok(ext, `${EXTENSION_ID} is not among ${vscode.extensions.all.length} extensions`);
        const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
        assert.equal(path.resolve(ext.extensionPath), repoRoot);
        assert.equal(ext.packageJSON.name, 'run-rewind');
    });
    it('opens the workspace folder given by the runner', () => {
        const folders = vscode.workspace.workspaceFolders ?? [];
        assert.equal(folders.length, 1, 'exactly one workspace folder');
        assert.equal(folders[0].uri.scheme, 'file');
    });
});
//# sourceMappingURL=harness.test.js.map