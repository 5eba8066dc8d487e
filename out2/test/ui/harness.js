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
exports.SCREENSHOT_DIR = exports.REPO_ROOT = void 0;
exports.screenshotPath = screenshotPath;
exports.openWorkbench = openWorkbench;
exports.installVsix = installVsix;
// UI-test harness: the real VS Code workbench (code-server) with Run Rewind loaded from the repository,
// driven in headless Chromium by Playwright, the way a person would use it.
//
// A UI test is `test/ui/<name>.test.ts` (mocha BDD, plain Node; compiled to out/ by
// `npm run compile-tests`, run by `npm run test:ui` and by `npm test`):
//
//   import { openWorkbench, Workbench } from './harness';
//   describe('runs view', function () {
//     this.timeout(120_000);
//     let wb: Workbench;
//     before(async () => { wb = await openWorkbench({ workspace: '/abs/folder' /* optional */ }); });
//     after(async () => { await wb?.stop(); });
//     afterEach(async function () { if (this.currentTest?.state === 'failed') await wb?.screenshot(`failed-${this.currentTest.title}`); });
//     it('shows the view', async () => {
//       await wb.runCommand('Run Rewind: Refresh');
//       await wb.page.getByRole('treeitem', { name: /my-run/ }).waitFor();
//       await wb.screenshot('runs-view');   // -> test-results/screenshots/runs-view.png
//     });
//   });
//
// Without `workspace`, a fresh temp copy of test/fixtures/workspace is opened (or an empty temp dir).
// `stop()` ends code-server and Chromium and removes the temp dirs (RUNREWIND_KEEP_TMP=1 keeps them).
// Needs `npm run build` and `bash scripts/install-code-server.sh` first.
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
exports.REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
exports.SCREENSHOT_DIR = path.join(exports.REPO_ROOT, 'test-results', 'screenshots');
// The implementation is plain JavaScript shared with scripts/run-vscode-tests.js (no build step there).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const js = require(path.join(exports.REPO_ROOT, 'scripts', 'lib', 'vscode-harness.js'));
function screenshotPath(name) {
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'screenshot';
    return path.join(exports.SCREENSHOT_DIR, safe.endsWith('.png') ? safe : `${safe}.png`);
}
async function openWorkbench(options = {}) {
    const { waitForReady = true, ...rest } = options;
    const base = await js.openWorkbench(rest);
    const wb = {
        ...base,
        async screenshot(name) {
            const file = screenshotPath(name);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            await base.page.screenshot({ path: file });
            return file;
        },
        async runCommand(title) {
            const page = base.page;
            await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => { });
            await page.keyboard.press('F1');
            const input = page.locator('.quick-input-widget input[type="text"]');
            await input.waitFor({ state: 'visible', timeout: 10_000 });
            await input.fill(`>${title}`);
            const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
            await row.waitFor({ state: 'visible', timeout: 10_000 });
            await row.click();
        },
    };
    if (waitForReady) {
        try {
            await js.waitForWorkbench(base.page);
        }
        catch (err) {
            await wb.screenshot('workbench-did-not-load').catch(() => undefined);
            await base.stop();
            throw err;
        }
    }
    return wb;
}
/** Installs a VSIX with code-server's CLI into `extensionsDir` (for tests of the shipped package). */
function installVsix(vsixPath, extensionsDir, userDataDir) {
    return js.installVsix(vsixPath, extensionsDir, userDataDir);
}
//# sourceMappingURL=harness.js.map