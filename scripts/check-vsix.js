#!/usr/bin/env node
// Checks the packaged extension the way a user gets it: installs the VSIX into a fresh code-server
// extensions dir with `code-server --install-extension`, checks the installed folder holds what the
// extension needs at run time (and nothing of the sources), then starts the workbench with only that
// installed copy of Run Rewind and activates it in the real extension host.
//
//   node scripts/check-vsix.js [dist/run-rewind.vsix]
//
// Prints spec-style lines and "N passing / N failing / N pending"; exits non-zero on any failure.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const harness = require('./lib/vscode-harness');

const ROOT = harness.REPO_ROOT;
const vsix = path.resolve(process.argv[2] || path.join(ROOT, 'dist', 'run-rewind.vsix'));
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const extensionId = `${manifest.publisher}.${manifest.name}`;

const results = { passes: 0, failures: [], pending: 0 };
function check(title, fn) {
  try {
    const outcome = fn();
    if (outcome === 'pending') {
      results.pending++;
      console.log(`    - ${title}`);
      return;
    }
    results.passes++;
    console.log(`    ✔ ${title}`);
  } catch (err) {
    results.failures.push({ title, err });
    console.log(`    ${results.failures.length}) ${title}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// A throwaway extension whose only job is to host the tests module: code-server runs extension tests
// only beside a development extension, and Run Rewind itself must come from the installed VSIX.
function writeProbe(dir) {
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'vsix-probe', publisher: 'runrewind-test', version: '0.0.0', engines: { vscode: '^1.90.0' }, main: './dist/extension.js' }),
  );
  fs.writeFileSync(path.join(dir, 'dist', 'extension.js'), 'exports.activate = () => {};\n');
  fs.writeFileSync(
    path.join(dir, 'tests.js'),
    `const fs = require('fs');
exports.run = async () => {
  const vscode = require('vscode');
  const out = { found: false };
  try {
    const ext = vscode.extensions.getExtension(${JSON.stringify(extensionId)});
    if (ext) {
      out.found = true;
      out.extensionPath = ext.extensionPath;
      await Promise.race([ext.activate(), new Promise((_, rej) => setTimeout(() => rej(new Error('activate() did not settle in 60s')), 60000))]);
      out.active = ext.isActive;
    }
  } catch (err) {
    out.error = String(err && err.stack || err);
  }
  fs.writeFileSync(process.env.RUNREWIND_TEST_RESULTS, JSON.stringify(out));
};
`,
  );
}

async function main() {
  console.log(`\n  VSIX ${path.relative(process.cwd(), vsix)}`);
  if (!fs.existsSync(vsix)) {
    console.error(`check-vsix: ${vsix} is missing: run \`npm run package\` first`);
    return 1;
  }
  harness.codeServerDir();
  const tmp = harness.makeTempRoot('runrewind-vsix-');
  const extensionsDir = path.join(tmp, 'extensions');
  let installed = '';

  check(`installs into code-server with --install-extension (${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB)`, () => {
    harness.installVsix(vsix, extensionsDir, path.join(tmp, 'install-user-data'));
    const dirs = fs.readdirSync(extensionsDir).filter((d) => d.toLowerCase().startsWith(extensionId.toLowerCase() + '-'));
    assert(dirs.length === 1, `expected one ${extensionId}-* folder in ${extensionsDir}, found: ${fs.readdirSync(extensionsDir).join(', ')}`);
    installed = path.join(extensionsDir, dirs[0]);
  });
  const has = (rel) => installed && fs.existsSync(path.join(installed, rel));

  check('contains dist/extension.js (the manifest main)', () => {
    assert(has(manifest.main.replace(/^\.\//, '')), `${manifest.main} is not in the package`);
  });
  check('contains dist/sql-wasm.wasm, a real WebAssembly module', () => {
    assert(has('dist/sql-wasm.wasm'), 'dist/sql-wasm.wasm is not in the package (check .vscodeignore)');
    const head = fs.readFileSync(path.join(installed, 'dist', 'sql-wasm.wasm')).subarray(0, 4);
    assert(head.equals(Buffer.from([0, 0x61, 0x73, 0x6d])), 'dist/sql-wasm.wasm does not start with \\0asm');
  });
  if (fs.existsSync(path.join(ROOT, 'dist', 'worker.js'))) {
    check('contains dist/worker.js (the store worker)', () => assert(has('dist/worker.js'), 'dist/worker.js is not in the package'));
  }
  if (fs.existsSync(path.join(ROOT, 'dist', 'webview'))) {
    check('contains dist/webview/ (chart scripts)', () => assert(has('dist/webview'), 'dist/webview is not in the package'));
  }
  if (fs.existsSync(path.join(ROOT, 'python', 'runrewind', '__init__.py'))) {
    check('contains the Python client python/runrewind/__init__.py', () => {
      assert(has('python/runrewind/__init__.py'), 'python/runrewind/__init__.py is not in the package (check .vscodeignore)');
    });
    check('ships no Python tests or caches', () => {
      assert(!has('python/tests'), 'python/tests is in the package');
      const pycache = fs.readdirSync(installed, { recursive: true }).filter((rel) => /__pycache__|\.pyc$/.test(rel));
      assert(pycache.length === 0, `compiled Python in the package: ${pycache.slice(0, 3).join(', ')}`);
    });
  } else {
    console.error('\n  !!! python/runrewind/__init__.py does not exist in the repository yet: the Python client check is SKIPPED !!!\n');
    check('contains the Python client python/runrewind/__init__.py (no python/runrewind in the repo yet)', () => 'pending');
  }
  check('ships no sources, tests, build output or dependencies', () => {
    const bad = ['src', 'test', 'out', 'node_modules', 'scripts', '.ci', 'bench', 'demo', 'test-results'].filter(has);
    assert(bad.length === 0, `in the package but should not be: ${bad.join(', ')}`);
    const maps = fs.readdirSync(installed, { recursive: true }).filter((rel) => rel.endsWith('.map') || rel.endsWith('.vsix'));
    assert(maps.length === 0, `in the package but should not be: ${maps.slice(0, 5).join(', ')}`);
  });

  if (installed) {
    const probe = path.join(tmp, 'probe');
    writeProbe(probe);
    const resultsFile = path.join(tmp, 'activation.json');
    let wb;
    let outcome = null;
    try {
      wb = await harness.openWorkbench({
        extensionDevelopmentPath: probe,
        extensionTestsPath: path.join(probe, 'tests'),
        extensionsDir,
        env: { RUNREWIND_TEST_RESULTS: resultsFile },
      });
      let timer;
      await Promise.race([wb.exit, new Promise((r) => (timer = setTimeout(r, 180_000)))]);
      clearTimeout(timer);
      if (fs.existsSync(resultsFile)) outcome = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    } catch (err) {
      outcome = { error: String(err && err.message) };
    }
    check('the installed extension activates in the code-server extension host', () => {
      assert(outcome, 'the activation probe reported nothing (timed out?)');
      assert(outcome.found, `${extensionId} is not among the installed extensions${outcome.error ? ': ' + outcome.error : ''}`);
      assert(path.resolve(outcome.extensionPath) === path.resolve(installed), `loaded from ${outcome.extensionPath}, not from the installed VSIX`);
      assert(!outcome.error, `activation failed: ${outcome.error}`);
      assert(outcome.active, 'activate() resolved but the extension is not active');
    });
    if (results.failures.length && wb) {
      const log = wb.exthostLog(40);
      if (log) console.error(log);
    }
    if (wb) await wb.stop();
  }

  console.log(`\n  ${results.passes} passing`);
  if (results.pending) console.log(`  ${results.pending} pending`);
  if (results.failures.length) {
    console.log(`  ${results.failures.length} failing\n`);
    results.failures.forEach(({ title, err }, i) => console.log(`  ${i + 1}) ${title}:\n     ${err.message}\n`));
  }
  console.log('');
  return results.failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`check-vsix: ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
