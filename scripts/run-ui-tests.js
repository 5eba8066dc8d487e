#!/usr/bin/env node
// Runs the UI tests — out/test/ui/**/*.test.js, compiled from test/ui/**/*.test.ts by
// `npm run compile-tests` — with mocha (BDD, spec reporter) in plain Node. Each test file drives the
// real workbench through test/ui/harness.ts. Screenshots go to test-results/screenshots/.
//
//   node scripts/run-ui-tests.js [--grep PATTERN] [file.test.js ...]
//
// Env: RUNREWIND_UI_TIMEOUT_MS (per-test timeout, default 180000), RUNREWIND_UI_GREP (= --grep).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const UI_OUT = path.join(ROOT, 'out', 'test', 'ui');

function fail(message) {
  process.stderr.write(`run-ui-tests: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let grep = process.env.RUNREWIND_UI_GREP || '';
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--grep' || args[i] === '-g') {
    if (i + 1 >= args.length) fail('--grep needs a value');
    grep = args[++i];
  } else {
    files.push(path.resolve(args[i]));
  }
}
if (files.length === 0) {
  if (!fs.existsSync(UI_OUT)) fail('out/test/ui is missing: run `npm run compile-tests` first');
  for (const rel of fs.readdirSync(UI_OUT, { recursive: true })) {
    if (!rel.endsWith('.test.js')) continue;
    // Only files whose TypeScript source still exists (out/ may hold stale compiled files).
    const src = path.join(ROOT, 'test', 'ui', rel.replace(/\.js$/, '.ts'));
    if (fs.existsSync(src)) files.push(path.join(UI_OUT, rel));
  }
  files.sort();
}
if (files.length === 0) fail('no UI test files (test/ui/**/*.test.ts compiled to out/test/ui)');
if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run `npm run build` first');

const Mocha = require('mocha');
const mocha = new Mocha({
  ui: 'bdd',
  reporter: 'spec',
  timeout: Number(process.env.RUNREWIND_UI_TIMEOUT_MS) || 180_000,
  color: process.stdout.isTTY === true,
});
if (grep) mocha.grep(grep);
for (const file of files) mocha.addFile(file);

// Ctrl-C: exit (the harness's exit hook then stops code-server and Chromium, and removes temp dirs).
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => process.exit(code));
}

mocha.run((failures) => {
  process.exitCode = failures > 0 ? 1 : 0;
  // Tests should stop their workbenches in after(); whatever is left is killed on exit.
  setTimeout(() => process.exit(process.exitCode), 200).unref();
});
