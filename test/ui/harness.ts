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
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

export interface OpenWorkbenchOptions {
  /** Folder to open. Default: a temp copy of test/fixtures/workspace, or an empty temp dir. */
  workspace?: string;
  /** Extension folder loaded as the development extension. Default: the repository; null for none. */
  extensionDevelopmentPath?: string | null;
  /** Extensions dir (e.g. one a VSIX was installed into). Default: an empty temp dir. */
  extensionsDir?: string;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** Receives the workbench's and the extension host's console output. */
  onLog?: (level: string, text: string) => void;
  viewport?: { width: number; height: number };
  /** User settings merged over the harness's quiet defaults (no welcome page, git off, ...). */
  settings?: Record<string, unknown>;
  /** Keep the temp dirs after stop() (also RUNREWIND_KEEP_TMP=1). */
  keepTemp?: boolean;
  /** Wait until the workbench has rendered before resolving. Default true. */
  waitForReady?: boolean;
}

export interface Workbench {
  page: Page;
  browser: Browser;
  url: string;
  port: number;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  tmpRoot: string;
  /** code-server's recent output lines. */
  serverOutput: string[];
  /** The last lines of the extension host log (read it when something did not happen). */
  exthostLog(lines?: number): string;
  /** Saves a PNG of the page under test-results/screenshots/<name>.png; returns its path. */
  screenshot(name: string): Promise<string>;
  /** Runs a command from the command palette (F1) by its title, e.g. 'Run Rewind: Refresh'. */
  runCommand(title: string): Promise<void>;
  stop(): Promise<void>;
}

interface JsHarness {
  openWorkbench(opts: Record<string, unknown>): Promise<Omit<Workbench, 'screenshot' | 'runCommand'>>;
  waitForWorkbench(page: Page, timeoutMs?: number): Promise<void>;
  installVsix(vsix: string, extensionsDir: string, userDataDir: string): string;
  codeServerDir(): string;
}

// The implementation is plain JavaScript shared with scripts/run-vscode-tests.js (no build step there).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const js = require(path.join(REPO_ROOT, 'scripts', 'lib', 'vscode-harness.js')) as JsHarness;

export function screenshotPath(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'screenshot';
  return path.join(SCREENSHOT_DIR, safe.endsWith('.png') ? safe : `${safe}.png`);
}

export async function openWorkbench(options: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const { waitForReady = true, ...rest } = options;
  const base = await js.openWorkbench(rest as Record<string, unknown>);
  const wb: Workbench = {
    ...base,
    async screenshot(name: string): Promise<string> {
      const file = screenshotPath(name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await base.page.screenshot({ path: file });
      return file;
    },
    async runCommand(title: string): Promise<void> {
      const page = base.page;
      await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => {});
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
    } catch (err) {
      await wb.screenshot('workbench-did-not-load').catch(() => undefined);
      await base.stop();
      throw err;
    }
  }
  return wb;
}

/** Installs a VSIX with code-server's CLI into `extensionsDir` (for tests of the shipped package). */
export function installVsix(vsixPath: string, extensionsDir: string, userDataDir: string): string {
  return js.installVsix(vsixPath, extensionsDir, userDataDir);
}

/** Right-clicks a row and picks a context menu entry, as a person does (hover first: a click that
 * arrives while the menu is still opening is ignored by the workbench). */
export async function contextMenu(page: Page, row: Locator, entry: string): Promise<void> {
  await row.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-item', { hasText: entry }).first();
  await item.waitFor({ state: 'visible' });
  await page.waitForTimeout(250);
  await item.hover();
  await item.click();
  await page.locator('.monaco-menu').waitFor({ state: 'detached', timeout: 5_000 }).catch(() => page.keyboard.press('Escape'));
}
