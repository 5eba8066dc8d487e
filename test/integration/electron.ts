// Runs the integration suite in a desktop VS Code downloaded by @vscode/test-electron — for machines
// that can reach VS Code's download servers (a developer laptop). This machine and CI cannot; they use
// code-server instead: `npm run test:integration` (scripts/run-vscode-tests.js), same suite, same tests.
//
//   npm run compile-tests && npm run build && node out/test/integration/electron.js [workspace-folder]
//
// Env: VSCODE_VERSION (default 1.100.3, the version code-server 4.100.3 embeds), RUNREWIND_TEST_GREP.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
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
    } else {
      fs.mkdirSync(workspace, { recursive: true });
    }
  }
  const resultsFile = path.join(tmp, 'results.json');
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath,
      extensionTestsPath,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: {
        RUNREWIND_TEST_RESULTS: resultsFile,
        ...(process.env.RUNREWIND_TEST_GREP ? { RUNREWIND_TEST_GREP: process.env.RUNREWIND_TEST_GREP } : {}),
      },
    });
  } finally {
    if (fs.existsSync(resultsFile)) {
      const { stats } = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { stats: { passes: number; failures: number } };
      console.log(`${stats.passes} passed, ${stats.failures} failed`);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
