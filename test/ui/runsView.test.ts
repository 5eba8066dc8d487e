// The Runs view driven like a person in the real workbench: open it from the activity bar, see the
// fixture's runs, refuse a bad step in the prompt, rewind a run from its context menu, and find the
// archived versions nested under Rewinds. Screenshots: test-results/screenshots/runs-*.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { type Workbench, contextMenu, openWorkbench } from './harness';

function treeItem(page: Page, name: RegExp): Locator {
  return page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: name }) }).first();
}

describe('Runs view (UI)', function () {
  this.timeout(180_000);
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await wb?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`runs-failed-${this.currentTest.title}`);
  });

  it('opens from the activity bar and shows runs grouped by project', async () => {
    const page = wb.page;
    await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
    await treeItem(page, /^baseline$/).waitFor({ timeout: 30_000 });
    await treeItem(page, /^mnist$/).waitFor();
    await treeItem(page, /^cifar$/).waitFor();
    const description = await treeItem(page, /^baseline$/).locator('.label-description').textContent();
    assert.match(description ?? '', /base01 · step 239 · loss/);
    await wb.screenshot('runs-view');
  });

  it('refuses a step that is not an integer, in the prompt itself', async () => {
    const page = wb.page;
    await contextMenu(page, treeItem(page, /^baseline$/), 'Rewind Run to Step…');
    const input = page.locator('.quick-input-widget input[type="text"]');
    await input.waitFor({ state: 'visible' });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'step 239' }).first().waitFor();
    await wb.screenshot('runs-step-prompt');
    await input.fill('abc');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'is not a step' }).waitFor();
    await input.press('Enter');
    // Still open: nothing happened.
    await page.waitForTimeout(300);
    assert.ok(await input.isVisible(), 'the prompt stays open on a refused step');
    await input.fill('100000');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'beyond the last step' }).waitFor();
    await wb.screenshot('runs-step-refused');
    await input.press('Escape');
  });

  it('rewinds a run from its context menu and nests the archived version under Rewinds', async () => {
    const page = wb.page;
    await contextMenu(page, treeItem(page, /^baseline$/), 'Rewind Run to Step…');
    const input = page.locator('.quick-input-widget input[type="text"]');
    await input.waitFor({ state: 'visible' });
    await input.fill('100');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Rewind to this step' }).waitFor();
    await input.press('Enter');
    // The notification offers the snippet and the charts.
    const toast = page.locator('.notification-toast', { hasText: 'Rewound baseline to step 100' });
    await toast.waitFor({ timeout: 20_000 });
    assert.match((await toast.textContent()) ?? '', /resume="must"/);
    await treeItem(page, /^baseline$/).locator('.label-description', { hasText: 'step 100' }).waitFor();

    // Expand Rewinds and the chain of archived versions.
    const forkedFrom = treeItem(page, /^Rewinds$/);
    await forkedFrom.waitFor();
    if ((await forkedFrom.getAttribute('aria-expanded')) !== 'true') await forkedFrom.click();
    for (let depth = 0; depth < 3; depth++) {
      const rows = page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: /^v[a-z0-9]{12}$/ }) });
      await rows.nth(depth).waitFor();
      const row = rows.nth(depth);
      if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
    }
    const archived = page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: /^v[a-z0-9]{12}$/ }) });
    await archived.nth(2).waitFor();
    assert.equal(await archived.count(), 3, 'three archived versions: two from the fixture, one from this rewind');
    const levels = await archived.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('aria-level'))));
    assert.deepEqual(levels, [levels[0], (levels[0] ?? 0) + 1, (levels[0] ?? 0) + 2], `nested one level each: ${levels.join(', ')}`);
    await wb.screenshot('runs-rewound-nested');
  });

  it('shows a fork\'s source and reveals it', async () => {
    const page = wb.page;
    const fork = treeItem(page, /^lr-halved$/);
    if ((await fork.getAttribute('aria-expanded')) === 'false') await fork.click();
    const source = treeItem(page, /^Forked From baseline@120$/);
    await source.waitFor();
    await source.click();
    await page.locator('.monaco-list-row[role="treeitem"].selected', { has: page.locator('.label-name', { hasText: /^baseline$/ }) }).waitFor();
    await source.hover();
    await wb.screenshot('runs-fork-source');
  });

  it('opens a run history; the row under the cursor is the selected step in the status bar', async () => {
    const page = wb.page;
    await contextMenu(page, treeItem(page, /^lr-halved$/), 'Open Run History');
    await page.locator('.monaco-editor .view-line', { hasText: /_step\s+_time\s+acc\s+loss/ }).first().waitFor({ timeout: 20_000 });
    // Line 33 is the row of step 29 (three header lines); Go to Line, as a keyboard user would.
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input[type="text"]');
    await input.waitFor({ state: 'visible' });
    await input.fill(':33');
    await input.press('Enter');
    const status = page.locator('.statusbar-item', { hasText: 'fork01@29' });
    await status.waitFor({ timeout: 10_000 });
    await wb.screenshot('runs-history-selected-step');
    await status.click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Fork Run at Selected Step' }).waitFor();
    await wb.screenshot('runs-selected-step-menu');
    await page.keyboard.press('Escape');
  });

  it('filters the runs with the runs table query language from its title bar, and clears it', async () => {
    const page = wb.page;
    if (!(await treeItem(page, /^mnist$/).isVisible())) await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
    await treeItem(page, /^mnist$/).hover({ timeout: 30_000 });
    await page.locator('a.action-label[aria-label^="Filter Runs"]').first().click();
    const input = page.locator('.quick-input-widget input[type="text"]');
    await input.waitFor({ state: 'visible' });
    // A mistake is shown in the prompt as it is typed, naming the column, and the view stays as it was.
    await input.fill("project = 'cifar' and summary.losss < 1");
    await page.locator('.quick-input-message', { hasText: /losss/ }).waitFor({ timeout: 15_000 });
    await wb.screenshot('runs-filter-error');
    await input.fill("project = 'cifar'");
    await page.locator('.quick-input-message', { hasText: /losss/ }).waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
    await input.press('Enter');
    await treeItem(page, /^mnist$/).waitFor({ state: 'detached', timeout: 15_000 });
    await treeItem(page, /^cifar$/).waitFor();
    await page.getByText(/2 of \d+ runs match the filter project = 'cifar'/).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('runs-filtered');
    await page.locator('a.action-label[aria-label^="Clear Runs Filter"]').first().click();
    await treeItem(page, /^mnist$/).waitFor({ timeout: 15_000 });
    await page.getByText(/runs match the filter/).first().waitFor({ state: 'detached', timeout: 10_000 });
    await wb.screenshot('runs-filter-cleared');
  });
});

describe('Runs view welcome (UI)', function () {
  this.timeout(180_000);
  let wb: Workbench;
  let empty: string;

  before(async () => {
    empty = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-empty-'));
    wb = await openWorkbench({ workspace: empty });
  });

  after(async () => {
    await wb?.stop();
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('explains how to log the first run, with a runnable example', async () => {
    const page = wb.page;
    await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
    const button = page.locator('.welcome-view-content a, .welcome-view-content .monaco-button', { hasText: 'Create Quickstart Example' }).first();
    await button.waitFor({ timeout: 30_000 });
    await wb.screenshot('runs-welcome');
    await button.click();
    await page.locator('.monaco-editor .view-line', { hasText: 'runrewind.init(project="quickstart"' }).first().waitFor({ timeout: 20_000 });
    await wb.screenshot('runs-quickstart-example');
  });
});
