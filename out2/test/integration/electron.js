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
// Runs the integration suite in a desktop VS Code downloaded by @vscode/test-electron — for machines
// that can reach VS Code's download servers (a developer laptop). This machine and CI cannot; they use
// code-server instead: `npm run test:integration` (scripts/run-vscode-tests.js), same suite, same tests.
//
//   npm run compile-tests && npm run build && node out/test/integration/electron.js [workspace-folder]
//
// Env: VSCODE_VERSION (default 1.100.3, the version code-server 4.100.3 embeds), RUNREWIND_TEST_GREP.
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const test_electron_1 = require("@vscode/test-electron");
async function main() {
    const extensionDevelopmentPath = path.resolve(__dirname, '..', '..', '..');
    const extensionTestsPath = path.resolve(__dirname, 'suite', 'index');
    if (!fs.existsSync(path.join(extensionDevelopmentPath, 'dist', 'extension.js'))) {
        throw new Error('dist/extension.js is missing: run `npm run build` first');
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-electron-'));
    let workspace = process.argv[2] ? path.resolve(process.argv[2]) : path.join(tmp, 'workspace');
    if (!process.argv[2]) {
        const fixture = path.join(extensionDevelopmentPath, 'test', 'fixtures', 'workspace');
        if (fs.existsSync(fixture)) {
            fs.cpSync(fixture, workspace, { recursive: true });
        }
        else {
            fs.mkdirSync(workspace, { recursive: true });
        }
    }
    const resultsFile = path.join(tmp, 'results.json');
    try {
        await (0, test_electron_1.runTests)({
            version: process.env.VSCODE_VERSION ?? '1.100.3',
            extensionDevelopmentPath,
            extensionTestsPath,
            launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
            extensionTestsEnv: {
                RUNREWIND_TEST_RESULTS: resultsFile,
                ...(process.env.RUNREWIND_TEST_GREP ? { RUNREWIND_TEST_GREP: process.env.RUNREWIND_TEST_GREP } : {}),
            },
        });
    }
    finally {
        if (fs.existsSync(resultsFile)) {
            const { stats } = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
            console.log(`${stats.passes} passed, ${stats.failures} failed`);
        }
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
//# sourceMappingURL=electron.js.map