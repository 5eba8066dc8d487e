#!/usr/bin/env node
// Runs the integration suite (out/test/integration/suite/index.js and its *.test.js) inside the real
// VS Code extension host of code-server, driven by headless Chromium. Exits 0 only when every test
// passed, judged from the results file the suite writes (the extension host itself exits 0 anyway).
//
//   node scripts/run-vscode-tests.js [--grep PATTERN] [--workspace DIR] [--multi-root] [--timeout SECONDS]
//                                    [--json-out FILE] [--tests MODULE] [--keep] [--verbose]
//
// --multi-root opens a multi-root workspace (copies of test/fixtures/workspace and workspace-b in a
// .code-workspace file) and runs test/integration/multiroot/*.test.ts instead of suite/.
// A test can ask for a screenshot of the workbench while it runs (test/integration/screenshot.ts):
// saved as test-results/screenshots/NAME.png.
//
// Env: RUNREWIND_TEST_GREP (same as --grep), RUNREWIND_TEST_OVERALL_TIMEOUT (seconds, default 600),
// RUNREWIND_TEST_TIMEOUT_MS (per-test mocha timeout, default 60000), RUNREWIND_KEEP_TMP=1 (keep the
// temp user-data/workspace dirs), RUNREWIND_TEST_VERBOSE=1 (print the extension host's console and
// code-server's output). Needs `npm run build`, `npm run compile-tests` and
// `bash scripts/install-code-server.sh` first (`npm test` does all of it).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const harness = require('./lib/vscode-harness');

function parseArgs(argv) {
  const opts = {
    grep: process.env.RUNREWIND_TEST_GREP || '',
    workspace: '',
    timeoutSec: Number(process.env.RUNREWIND_TEST_OVERALL_TIMEOUT) || 600,
    jsonOut: '',
    tests: path.join(harness.REPO_ROOT, 'out', 'test', 'integration', 'suite', 'index'),
    keep: process.env.RUNREWIND_KEEP_TMP === '1',
    multiRoot: false,
    verbose: process.env.RUNREWIND_TEST_VERBOSE === '1',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--grep' || a === '-g') opts.grep = value();
    else if (a === '--workspace') opts.workspace = value();
    else if (a === '--multi-root') opts.multiRoot = true;
    else if (a === '--timeout') opts.timeoutSec = Number(value());
    else if (a === '--json-out') opts.jsonOut = path.resolve(value());
    else if (a === '--tests') opts.tests = path.resolve(value()).replace(/\.js$/, '');
    else if (a === '--keep') opts.keep = true;
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 17).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
      process.exit(0);
    } else fail(`unknown argument ${a} (see --help)`);
  }
  if (!(opts.timeoutSec > 0)) fail('--timeout must be a positive number of seconds');
  if (opts.multiRoot && opts.workspace) fail('--multi-root and --workspace cannot be combined');
  return opts;
}

function fail(message) {
  process.stderr.write(`run-vscode-tests: ${message}\n`);
  process.exit(2);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  try {
    harness.ensureBuilt();
    harness.codeServerDir();
  } catch (err) {
    fail(err.message);
  }
  if (!fs.existsSync(opts.tests + '.js')) {
    fail(`${path.relative(process.cwd(), opts.tests)}.js is missing: run \`npm run compile-tests\` first`);
  }

  const io = harness.makeTempRoot('runrewind-results-');
  const resultsFile = path.join(io, 'results.json');
  const logFile = path.join(io, 'mocha.log');
  fs.writeFileSync(logFile, '');
  // Screenshot requests from the tests: NAME.request appears in this dir; NAME.done answers it.
  const shotRequests = path.join(io, 'screenshots');
  fs.mkdirSync(shotRequests);
  const env = { RUNREWIND_TEST_RESULTS: resultsFile, RUNREWIND_TEST_LOG: logFile, RUNREWIND_TEST_SCREENSHOTS: shotRequests };
  if (opts.grep) env.RUNREWIND_TEST_GREP = opts.grep;
  // The suite index runs test/integration/<dir>/*.test.ts; multi-root tests need the multi-root window.
  if (opts.multiRoot) env.RUNREWIND_TEST_DIR = 'multiroot';
  if (process.env.RUNREWIND_TEST_TIMEOUT_MS) env.RUNREWIND_TEST_TIMEOUT_MS = process.env.RUNREWIND_TEST_TIMEOUT_MS;

  const hostLogs = [];
  let wb;
  let printed = 0;
  const flushLog = () => {
    let text;
    try {
      text = fs.readFileSync(logFile, 'utf8');
    } catch {
      return;
    }
    if (text.length > printed) {
      process.stdout.write(text.slice(printed));
      printed = text.length;
    }
  };

  let interrupted = null;
  let interrupt;
  const interruptPromise = new Promise((resolve) => (interrupt = resolve));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (interrupted) return;
      interrupted = sig;
      interrupt({ interrupted: sig });
    });
  }

  let code = 1;
  let reason = '';
  let tail = null;
  try {
    wb = await harness.openWorkbench({
      workspace: opts.workspace || undefined,
      multiRoot: opts.multiRoot,
      extensionTestsPath: opts.tests,
      env,
      keepTemp: opts.keep,
      onLog: (level, text) => {
        hostLogs.push(`[${level}] ${text}`);
        if (hostLogs.length > 500) hostLogs.shift();
        if (opts.verbose) process.stderr.write(`[exthost ${level}] ${text}\n`);
      },
    });
    if (opts.verbose) process.stderr.write(`run-vscode-tests: ${wb.url}\n`);
    let shooting = false;
    tail = setInterval(() => {
      flushLog();
      if (!shooting) {
        shooting = true;
        serveScreenshots(wb.page, shotRequests).finally(() => (shooting = false));
      }
    }, 250);
    let timer;
    const outcome = await Promise.race([
      wb.exit,
      interruptPromise,
      new Promise((resolve) => (timer = setTimeout(() => resolve({ timeout: true }), opts.timeoutSec * 1000))),
      wb.serverExited.then((c) => ({ serverExited: c })),
    ]);
    clearTimeout(timer);
    clearInterval(tail);
    flushLog();

    let results = null;
    if (fs.existsSync(resultsFile)) {
      results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    }
    if (outcome.interrupted) reason = `interrupted by ${outcome.interrupted}`;
    else if (outcome.timeout) reason = `timed out after ${opts.timeoutSec}s`;
    else if (outcome.serverExited !== undefined) reason = `code-server exited (code ${outcome.serverExited}) before the tests finished`;
    else if (!results) reason = `the test module reported exit code ${outcome.code} but wrote no results (it failed to load or crashed; see the extension host log below)`;
    else if (results.stats.failures > 0) reason = `${results.stats.failures} test(s) failed`;
    else if (results.stats.passes === 0) reason = opts.grep ? `no test matched --grep ${JSON.stringify(opts.grep)}` : 'no test ran';
    else if (outcome.code !== 0) reason = `the test module exited with code ${outcome.code}`;
    else code = 0;

    if (opts.jsonOut) {
      fs.mkdirSync(path.dirname(opts.jsonOut), { recursive: true });
      fs.writeFileSync(
        opts.jsonOut,
        JSON.stringify(results || { stats: { tests: 0, passes: 0, failures: 1, pending: 0 }, error: reason }, null, 2),
      );
    }
    if (code !== 0) {
      process.stderr.write(`\nrun-vscode-tests: FAILED: ${reason}\n`);
      const shotDir = path.join(harness.REPO_ROOT, 'test-results', 'screenshots');
      try {
        fs.mkdirSync(shotDir, { recursive: true });
        const shot = path.join(shotDir, 'integration-failure.png');
        await Promise.race([wb.page.screenshot({ path: shot }), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 5000))]);
        process.stderr.write(`screenshot of the workbench: ${path.relative(process.cwd(), shot)}\n`);
      } catch {
        // the page may be gone
      }
      const exthost = wb.exthostLog(80);
      if (exthost) process.stderr.write(exthost + '\n');
      const problems = hostLogs.filter((l) => /^\[(error|warn)/.test(l) && !/open-vsx\.org/.test(l));
      if (problems.length && !opts.verbose) process.stderr.write(`--- workbench errors and warnings (last 20) ---\n${problems.slice(-20).join('\n')}\n`);
      process.stderr.write(`--- code-server output (last 20) ---\n${wb.serverOutput.slice(-20).join('\n')}\n`);
      if (opts.keep) process.stderr.write(`temp dirs kept under ${wb.tmpRoot}\n`);
    } else {
      process.stdout.write(`run-vscode-tests: ${results.stats.passes} passed in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    }
  } catch (err) {
    if (tail) clearInterval(tail);
    process.stderr.write(`run-vscode-tests: ${err instanceof harness.HarnessError ? '' : 'error: '}${err && err.stack && !(err instanceof harness.HarnessError) ? err.stack : err.message}\n`);
    if (wb) {
      const exthost = wb.exthostLog(80);
      if (exthost) process.stderr.write(exthost + '\n');
    }
    code = 1;
  } finally {
    if (wb) await wb.stop();
  }
  return interrupted ? 130 : code;
}

/** Takes the screenshots the tests asked for (NAME.request → test-results/screenshots/NAME.png, then NAME.done). */
async function serveScreenshots(page, dir) {
  let names;
  try {
    names = fs.readdirSync(dir).filter((f) => f.endsWith('.request')).map((f) => f.slice(0, -'.request'.length));
  } catch {
    return;
  }
  for (const name of names) {
    let answer = 'ok';
    if (!/^[\w.-]+$/.test(name)) {
      answer = 'bad name';
    } else {
      const shot = path.join(harness.REPO_ROOT, 'test-results', 'screenshots', `${name}.png`);
      try {
        fs.mkdirSync(path.dirname(shot), { recursive: true });
        await Promise.race([page.screenshot({ path: shot }), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out')), 10_000))]);
        process.stdout.write(`      (screenshot: ${path.relative(process.cwd(), shot)})\n`);
      } catch (err) {
        answer = err.message;
      }
    }
    fs.rmSync(path.join(dir, `${name}.request`), { force: true });
    fs.writeFileSync(path.join(dir, `${name}.done`), answer);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`run-vscode-tests: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
