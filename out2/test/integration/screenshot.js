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
exports.screenshot = screenshot;
// Screenshots of the workbench taken while an integration test runs, with the extension host alive
// (after the tests end the host goes away and the views show nothing). The test asks; the runner
// (scripts/run-vscode-tests.js), which drives the page, takes it:
//
//   await screenshot('multiroot-runs-view');   // -> test-results/screenshots/multiroot-runs-view.png
//
// Without the runner (RUNREWIND_TEST_SCREENSHOTS unset) it does nothing and returns false.
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
async function screenshot(name, timeoutMs = 20_000) {
    const dir = process.env.RUNREWIND_TEST_SCREENSHOTS;
    if (!dir)
        return false;
    if (!/^[\w.-]+$/.test(name))
        throw new Error(`screenshot name ${JSON.stringify(name)}: use letters, digits, . _ -`);
    const done = path.join(dir, `${name}.done`);
    fs.rmSync(done, { force: true });
    fs.writeFileSync(path.join(dir, `${name}.request`), '');
    const deadline = Date.now() + timeoutMs;
    while (!fs.existsSync(done)) {
        if (Date.now() > deadline)
            throw new Error(`no screenshot ${name} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const answer = fs.readFileSync(done, 'utf8');
    if (answer !== 'ok')
        throw new Error(`screenshot ${name} failed: ${answer}`);
    return true;
}
//# sourceMappingURL=screenshot.js.map