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
// `npm run bench`: every benchmark of the project, one after another (they share two cores, so never in
// parallel). Prints figures and ratios against baselines measured in the same run; asserts nothing.
const node_child_process_1 = require("node:child_process");
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const core_1 = require("./core");
const ROOT = path.resolve(__dirname, '..', '..');
function runScript(title, command, args) {
    process.stdout.write(`\n${title}\n`);
    const result = (0, node_child_process_1.spawnSync)(command, args, { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0)
        process.stdout.write(`  (${title} did not finish: exit ${result.status ?? result.signal})\n`);
}
async function main() {
    const only = process.argv[2];
    if (!only || only === 'core')
        await (0, core_1.runCoreBenchmarks)();
    if (!only || only === 'python')
        runScript('Python client: log() overhead', 'python3', ['python/bench_log.py', '300000']);
    // The other suites are standalone scripts compiled beside this one (bench/<name>.ts).
    for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.js') && !['run.js', 'core.js'].includes(f)).sort()) {
        const name = file.replace(/\.js$/, '');
        if (!only || only === name)
            runScript(`${name} benchmark`, process.execPath, [path.join(__dirname, file)]);
    }
}
main().catch((error) => {
    process.stderr.write(`${error.stack ?? String(error)}\n`);
    process.exitCode = 1;
});
//# sourceMappingURL=run.js.map