// Screenshots of the workbench taken while an integration test runs, with the extension host alive
// (after the tests end the host goes away and the views show nothing). The test asks; the runner
// (scripts/run-vscode-tests.js), which drives the page, takes it:
//
//   await screenshot('multiroot-runs-view');   // -> test-results/screenshots/multiroot-runs-view.png
//
// Without the runner (RUNREWIND_TEST_SCREENSHOTS unset) it does nothing and returns false.
import * as fs from 'node:fs';
import * as path from 'node:path';

export async function screenshot(name: string, timeoutMs = 20_000): Promise<boolean> {
  const dir = process.env.RUNREWIND_TEST_SCREENSHOTS;
  if (!dir) return false;
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: use letters, digits, . _ -`);
  const done = path.join(dir, `${name}.done`);
  fs.rmSync(done, { force: true });
  fs.writeFileSync(path.join(dir, `${name}.request`), '');
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`no screenshot ${name} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const answer = fs.readFileSync(done, 'utf8');
  if (answer !== 'ok') throw new Error(`screenshot ${name} failed: ${answer}`);
  return true;
}
