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
exports.run = run;
// The module the VS Code extension host loads as `extensionTestsPath`: it runs every compiled
// `out/test/integration/suite/**/*.test.js` with mocha (BDD: describe/it) inside the extension host,
// where `require('vscode')` is the real API. With RUNREWIND_TEST_DIR=multiroot it runs
// `out/test/integration/multiroot/**/*.test.js` instead (they need the multi-root window that
// `run-vscode-tests.js --multi-root` opens).
//
// Output: `console.log` cannot be redirected inside the extension host, so mocha's spec reporter is
// routed through `Base.consoleLog` to (a) the text file named by RUNREWIND_TEST_LOG, which the runner
// tails and prints live, and (b) the host's console (forwarded to the workbench). When
// RUNREWIND_TEST_RESULTS names a file, a JSON summary (stats, passes, failures, pending) is written
// there at the end: the runner trusts that file, because the extension host exits 0 even when tests
// fail.
//
// Env (set by scripts/run-vscode-tests.js, or by hand): RUNREWIND_TEST_DIR (a directory next to
// suite/, default suite), RUNREWIND_TEST_GREP (mocha --grep),
// RUNREWIND_TEST_TIMEOUT_MS (per-test timeout, default 60000), RUNREWIND_TEST_RESULTS,
// RUNREWIND_TEST_LOG.
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const util = __importStar(require("node:util"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha = require("mocha");
/** The test directory's name under test/integration/: RUNREWIND_TEST_DIR, else `suite`. */
function testDirName() {
    const name = process.env.RUNREWIND_TEST_DIR?.trim() || 'suite';
    if (!/^[\w-]+$/.test(name)) {
        throw new Error(`RUNREWIND_TEST_DIR must name a directory under test/integration/, not ${JSON.stringify(name)}`);
    }
    return name;
}
function findTestFiles(dir) {
    if (!fs.existsSync(dir)) {
        return [];
    }
    // out/ keeps compiled files of deleted tests: when the TypeScript sources are there, run only the
    // compiled files whose source still exists.
    const sourceDir = path.resolve(dir, '..', '..', '..', '..', 'test', 'integration', path.basename(dir));
    const haveSources = fs.existsSync(sourceDir);
    return fs.readdirSync(dir, { recursive: true })
        .filter((rel) => rel.endsWith('.test.js'))
        .filter((rel) => !haveSources || fs.existsSync(path.join(sourceDir, rel.replace(/\.js$/, '.ts'))))
        .map((rel) => path.join(dir, rel))
        .sort();
}
function routeReporterOutput() {
    const logFile = process.env.RUNREWIND_TEST_LOG;
    Mocha.reporters.Base.useColors = false;
    Mocha.reporters.Base.consoleLog = (...args) => {
        const line = util.format(...args);
        if (logFile) {
            fs.appendFileSync(logFile, line + '\n');
        }
        console.log(line);
    };
}
function record(test, err) {
    return {
        title: test.title,
        fullTitle: test.fullTitle(),
        file: test.file,
        duration: test.duration,
        err: err ? { message: String(err.message ?? err), stack: err.stack } : undefined,
    };
}
/** The spec reporter, plus a JSON summary written to RUNREWIND_TEST_RESULTS when the run ends. */
class HostReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        const results = {
            stats: { tests: 0, passes: 0, failures: 0, pending: 0, duration: 0 },
            passes: [],
            failures: [],
            pending: [],
        };
        const started = Date.now();
        const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
        runner.on(EVENT_TEST_PASS, (test) => results.passes.push(record(test)));
        runner.on(EVENT_TEST_FAIL, (test, err) => results.failures.push(record(test, err)));
        runner.on(EVENT_TEST_PENDING, (test) => results.pending.push(record(test)));
        runner.once(EVENT_RUN_END, () => {
            results.stats = {
                tests: results.passes.length + results.failures.length + results.pending.length,
                passes: results.passes.length,
                failures: results.failures.length,
                pending: results.pending.length,
                duration: Date.now() - started,
            };
            const out = process.env.RUNREWIND_TEST_RESULTS;
            if (out) {
                fs.writeFileSync(out, JSON.stringify(results, null, 2));
            }
        });
    }
}
function run() {
    routeReporterOutput();
    const mocha = new Mocha({
        ui: 'bdd',
        reporter: HostReporter,
        timeout: Number(process.env.RUNREWIND_TEST_TIMEOUT_MS) || 60_000,
        color: false,
    });
    const grep = process.env.RUNREWIND_TEST_GREP;
    if (grep) {
        mocha.grep(grep);
    }
    let testDir;
    try {
        testDir = path.join(__dirname, '..', testDirName());
    }
    catch (error) {
        return Promise.reject(error);
    }
    const files = findTestFiles(testDir);
    if (files.length === 0) {
        return Promise.reject(new Error(`no integration test files (*.test.js) under ${testDir}; run npm run compile-tests`));
    }
    for (const file of files) {
        mocha.addFile(file);
    }
    return new Promise((resolve, reject) => {
        try {
            mocha.run((failures) => {
                if (failures > 0) {
                    reject(new Error(`${failures} integration test(s) failed`));
                }
                else {
                    resolve();
                }
            });
        }
        catch (err) {
            // A test file that does not load (syntax error, failing import) lands here: report it as a
            // failure in the same places a failing test would be reported.
            const error = err instanceof Error ? err : new Error(String(err));
            const line = `integration suite failed to load: ${error.stack ?? error.message}`;
            if (process.env.RUNREWIND_TEST_LOG) {
                fs.appendFileSync(process.env.RUNREWIND_TEST_LOG, line + '\n');
            }
            console.error(line);
            if (process.env.RUNREWIND_TEST_RESULTS) {
                const failure = { title: 'load', fullTitle: 'integration suite failed to load', err: { message: error.message, stack: error.stack } };
                const results = {
                    stats: { tests: 1, passes: 0, failures: 1, pending: 0, duration: 0 },
                    passes: [],
                    failures: [failure],
                    pending: [],
                };
                fs.writeFileSync(process.env.RUNREWIND_TEST_RESULTS, JSON.stringify(results, null, 2));
            }
            reject(error);
        }
    });
}
//# sourceMappingURL=index.js.map