// The runs table in the real workbench, driven like a person: open it from the Runs view's title bar,
// type a filter (and a wrong one: the error under the box), sort by a summary column, open a rewound
// run's archived versions with the keyboard, select two rows and open their charts. Screenshots:
// test-results/screenshots/table-*.png.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { LogWriter } from '../../src/core/writer';
import { type Workbench, contextMenu, openWorkbench } from './harness';

function treeItem(page: Page, name: RegExp): Locator {
  return page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: name }) }).first();
}

async function tableFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator('#root .grid .grid-row').count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error('no runs table webview');
    await page.waitForTimeout(200);
  }
}

/** A small sweep: learning rates and batch sizes, a loss that ends lower for some, one crashed run. */
function plantSweep(logDir: string): void {
  const lrs = [0.1, 0.03, 0.01, 0.003, 0.001, 0.0003];
  let i = 0;
  for (const lr of lrs) {
    for (const batch of [32, 128]) {
      i++;
      const w = new LogWriter({ dir: logDir, run: `sweep${String(i).padStart(2, '0')}`, project: 'sweep', name: `sweep-${i}`, heartbeat: 0, config: { lr, batch_size: batch, optimizer: { name: i % 3 === 0 ? 'sgd' : 'adam' } }, tags: i % 4 === 0 ? ['baseline'] : ['sweep'], group: batch === 32 ? 'small-batch' : 'large-batch' });
      const floor = Math.abs(Math.log10(lr) + 2.5) / 4 + (batch === 32 ? 0.05 : 0);
      for (let s = 0; s < 120; s++) w.log({ loss: floor + 2 / (s + 1) + 0.05 * Math.sin(s + i), 'val/acc': 1 - floor - 1 / (s + 2) });
      if (i === 7) w.abandon();
      else w.finish(i === 11 ? 1 : 0);
    }
  }
}

describe('Runs table (UI)', function () {
  this.timeout(240_000);
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ viewport: { width: 1500, height: 900 } });
    plantSweep(path.join(wb.workspace, '.runrewind'));
  });
  after(async () => {
    await wb?.stop();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`table-failed-${this.currentTest.title}`);
  });

  it('opens from the Runs view title bar, filters as typed and shows a wrong filter\'s error in place', async () => {
    const page = wb.page;
    await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
    await treeItem(page, /^baseline$/).waitFor({ timeout: 30_000 });
    await page.locator('a[aria-label="Open Runs Table"] >> visible=true').first().click();
    const frame = await tableFrame(page);
    await frame.locator('.grid-row[data-key="sweep12"]').waitFor({ timeout: 30_000 });
    const filter = frame.locator('input.filter');
    await filter.click();
    await filter.fill('');
    await filter.pressSequentially('project = sweep and config.lr <= 0.01 and summary.loss.min < 0.5', { delay: 5 });
    await page.waitForTimeout(400);
    const count = (await frame.locator('.count').textContent()) ?? '';
    assert.match(count, /^\d+ of \d+ runs/);
    const keys = await frame.locator('.grid-row').evaluateAll((rows) => rows.map((r) => (r as unknown as { getAttribute(n: string): string }).getAttribute('data-key')));
    assert.ok(keys.length > 0 && keys.every((k) => k.startsWith('sweep')), `only sweep runs: ${keys.join(', ')}`);
    await wb.screenshot('table-filtered');

    await filter.fill('project = sweep and config.lrr > 1');
    await filter.press('Enter');
    const error = frame.locator('.filter-error .filter-message');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /No run has the config key "lrr" \(at column 21\); did you mean "lr"\?$/);
    assert.equal(await frame.locator('.filter-error mark').textContent(), 'config.lrr');
    await wb.screenshot('table-filter-error');
  });

  it('sorts by a column, opens archived versions with the keyboard, and opens charts of two rows', async () => {
    const page = wb.page;
    const frame = await tableFrame(page);
    const filter = frame.locator('input.filter');
    await filter.fill('');
    await filter.press('Enter');
    await frame.locator('.grid-row[data-key="base01"]').waitFor();
    // Sort by the loss column (descending on the second click): scrolled into view first, as a person would.
    await frame.locator('.grid').evaluate((grid) => {
      (grid as unknown as { scrollLeft: number; scrollWidth: number }).scrollLeft = (grid as unknown as { scrollWidth: number }).scrollWidth;
    });
    const loss = frame.locator('.grid-hcell[data-column="summary.loss.last"] button.grid-sort');
    await loss.click();
    await loss.click();
    assert.equal(await frame.locator('.grid-hcell[data-column="summary.loss.last"]').getAttribute('aria-sort'), 'descending');
    // base01 was rewound twice: Right shows its archived versions under it.
    await frame.locator('.grid-row[data-key="base01"] .grid-name').click();
    await frame.locator('.grid').press('ArrowRight');
    await frame.locator('.grid-row.child').first().waitFor();
    assert.equal(await frame.locator('.grid-row.child').count(), 2);
    await frame.locator('.grid').press('ArrowDown');
    assert.match((await frame.locator('.grid-row.focused .grid-name').textContent()) ?? '', /^archived v/);
    await wb.screenshot('table-sorted-expanded');

    await frame.locator('.grid-row[data-key="base01"] .grid-name').click();
    await frame.locator('.grid-row[data-key="fork01"] .grid-name').click({ modifiers: ['Control'] });
    assert.equal(await frame.locator('.grid-row.selected').count(), 2);
    await frame.locator('button', { hasText: 'Open Charts' }).click();
    await page.locator('.tab', { hasText: 'Charts: 2 runs' }).waitFor({ timeout: 30_000 });
  });

  it('groups the runs by a column with counts and each metric column\'s range, and closes a group', async () => {
    const page = wb.page;
    // Run alone, the Runs view is not shown yet; after the other tests it is (a click would hide it).
    if (!(await treeItem(page, /^baseline$/).isVisible())) await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
    await treeItem(page, /^baseline$/).waitFor({ timeout: 30_000 });
    await page.locator('a[aria-label="Open Runs Table"] >> visible=true').first().click();
    const frame = await tableFrame(page);
    const filter = frame.locator('input.filter');
    await filter.fill('project = sweep');
    await filter.press('Enter');
    await frame.locator('select.group-by').selectOption('group');
    const headers = frame.locator('.grid-row.group');
    await headers.first().waitFor();
    assert.ok((await headers.count()) >= 1);
    assert.match((await frame.locator('.grid-row.group .grid-group-count').first().textContent()) ?? '', /^ \(\d+\)$/);
    await wb.screenshot('table-grouped');
    const first = headers.first();
    const key = (await first.getAttribute('data-key')) ?? '';
    await first.locator('.grid-name').click();
    assert.equal(await frame.locator(`.grid-row[data-key="${key}"]`).getAttribute('aria-expanded'), 'false');
    await frame.locator('select.group-by').selectOption('');
    await frame.locator('.grid-row.group').first().waitFor({ state: 'detached' });
  });

  it('pins and resizes columns with the mouse and the keyboard, and keeps them across a reload', async () => {
    const page = wb.page;
    const frame = await openTable(page);
    const filter = frame.locator('input.filter');
    await filter.fill('project = sweep');
    await filter.press('Enter');
    const header = (id: string): Locator => frame.locator(`.grid-hcell[data-column="${id}"]`);
    await frame.locator('.grid-row').first().waitFor();
    // The config columns follow the run's facts: scrolled into view first, as a person would.
    await frame.locator('.grid').evaluate((grid) => {
      (grid as unknown as { scrollLeft: number }).scrollLeft = 900;
    });
    await header('config.lr').waitFor();
    const order = async (): Promise<string[]> => frame.locator('.grid-hcell').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-column') ?? ''));

    // Pin config.lr with the mouse: it moves beside the name and stays there while the rest scrolls.
    await header('config.lr').hover();
    await header('config.lr').locator('.grid-pin').click();
    await frame.locator('.grid-hcell.pinned[data-column="config.lr"]').waitFor();
    assert.deepEqual((await order()).slice(0, 2), ['name', 'config.lr']);
    assert.equal(await header('config.lr').locator('.grid-pin').getAttribute('aria-pressed'), 'true');
    await frame.locator('.grid').evaluate((grid) => {
      (grid as unknown as { scrollLeft: number; scrollWidth: number }).scrollLeft = (grid as unknown as { scrollWidth: number }).scrollWidth;
    });
    await frame.locator('.grid-hcell[data-column="summary.loss.last"]').waitFor();
    const gridBox = (await frame.locator('.grid').boundingBox())!;
    const lrBox = (await header('config.lr').boundingBox())!;
    assert.ok(Math.abs(lrBox.x - (gridBox.x + 240)) <= 2, `config.lr is drawn right after the 240 px name while scrolled (at ${lrBox.x - gridBox.x})`);
    assert.ok(!(await order()).includes('state'), 'the unpinned State column scrolled out of view');

    // Drag config.lr's resize handle 80 px to the right: 120 → 200.
    const handle = header('config.lr').locator('.grid-resize');
    const h = (await handle.boundingBox())!;
    await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await page.mouse.down();
    await page.mouse.move(h.x + h.width / 2 + 40, h.y + h.height / 2, { steps: 4 });
    await page.mouse.move(h.x + h.width / 2 + 80, h.y + h.height / 2, { steps: 4 });
    await page.mouse.up();
    assert.equal((await header('config.lr').boundingBox())!.width, 200);
    // The keyboard: the handle keeps the focus while → widens and Shift+← narrows.
    await header('config.lr').locator('.grid-resize').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowLeft');
    assert.equal((await header('config.lr').boundingBox())!.width, 170);
    assert.equal(await frame.locator(':focus').getAttribute('data-control'), 'resize');
    assert.equal(await header('config.lr').locator('.grid-resize').getAttribute('aria-valuenow'), '170');
    // Pin the loss column from the keyboard.
    await frame.locator('.grid-hcell[data-column="summary.loss.last"] .grid-pin').focus();
    await page.keyboard.press('Enter');
    await frame.locator('.grid-hcell.pinned[data-column="summary.loss.last"]').waitFor();
    assert.deepEqual((await order()).slice(0, 3), ['name', 'config.lr', 'summary.loss.last']);
    await frame.locator('.grid').evaluate((grid) => {
      (grid as unknown as { scrollLeft: number }).scrollLeft = 0;
    });
    await wb.screenshot('table-pinned-resized');

    // Reloaded (Developer: Reload Webviews) and closed then opened again, the table shows the same pinned
    // columns and widths: the first from the webview's own state, the second from the folder's memory.
    let shown = frame;
    const kept = async (what: string): Promise<void> => {
      const frame2 = await pinnedFrame(page, shown);
      shown = frame2;
      const cells = await frame2.locator('.grid-hcell').evaluateAll((list) => list.map((c) => c.getAttribute('data-column') ?? ''));
      assert.deepEqual(cells.slice(0, 3), ['name', 'config.lr', 'summary.loss.last'], what);
      assert.equal((await frame2.locator('.grid-hcell[data-column="config.lr"]').boundingBox())!.width, 170, what);
    };
    await wb.runCommand('Developer: Reload Webviews');
    await kept('after a reload of the webview');
    await wb.runCommand('View: Close All Editors');
    await page.locator('a[aria-label="Open Runs Table"] >> visible=true').first().click();
    await kept('opened again');
  });

  it('brushes parallel coordinates to filter the table, and names a run on the scatter', async () => {
    const page = wb.page;
    const frame = await openTable(page);
    const filter = frame.locator('input.filter');
    await filter.fill('project = sweep');
    await filter.press('Enter');
    await frame.locator('.grid-row').first().waitFor();
    await frame.locator('button', { hasText: 'Plots' }).click();
    await frame.locator('.plots .pc-axis').first().waitFor();
    const axes = await frame.locator('.pc-axis').evaluateAll((list) => list.map((a) => a.getAttribute('data-column') ?? ''));
    assert.deepEqual(axes, ['config.batch_size', 'config.lr', 'summary.loss.last'], 'numeric config keys, then the loss');
    assert.equal(await frame.locator('.pc-line').count(), 12, 'one line per run the filter lets through');

    // Brush the top of the lr axis (the highest learning rates, on a log scale): the table keeps those runs.
    const hit = frame.locator('.pc-axis[data-column="config.lr"] .pc-hit');
    const box = (await hit.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2, { steps: 3 });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.4, { steps: 3 });
    await page.mouse.up();
    const range = (await frame.locator('.pc-axis[data-column="config.lr"] .pc-hit').getAttribute('aria-valuetext')) ?? '';
    const [lo, hi] = range.split(' – ').map(Number);
    assert.ok(lo > 0 && hi >= 0.1 && lo < hi, `a brushed range on lr: ${range}`);
    const lrs = [0.1, 0.03, 0.01, 0.003, 0.001, 0.0003];
    const expected = lrs.flatMap((lr, i) => (lr >= lo && lr <= hi ? [`sweep${String(2 * i + 1).padStart(2, '0')}`, `sweep${String(2 * i + 2).padStart(2, '0')}`] : []));
    assert.ok(expected.length > 0 && expected.length < 12, `the brush keeps some runs: ${expected.join(', ')}`);
    const rowKeys = async (): Promise<string[]> => frame.locator('.grid-row').evaluateAll((list) => list.map((r) => r.getAttribute('data-key') ?? '').sort());
    await frame.locator(`.grid-row[data-key="${expected[0]}"]`).waitFor();
    assert.deepEqual(await rowKeys(), expected.sort());
    assert.equal(await frame.locator('.pc-line.out').count(), 12 - expected.length, 'the other runs are drawn faded');
    assert.match((await frame.locator('.count').textContent()) ?? '', new RegExp(`^${expected.length} of \\d+ runs`));
    await wb.screenshot('table-parallel-brushed');
    // A click on the axis without a drag clears its brush.
    await hit.click();
    await frame.locator('.grid-row[data-key="sweep12"]').waitFor();
    assert.equal((await rowKeys()).length, 12);
    // The keyboard: on a focused axis ↓ makes a brush over the middle fifth, then moves it down a tenth a
    // press, to the bottom (batch size 32); Delete clears it.
    const batch = frame.locator('.pc-axis[data-column="config.batch_size"] .pc-hit');
    await batch.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
    assert.match((await frame.locator('.pc-axis[data-column="config.batch_size"] .pc-hit').getAttribute('aria-valuetext')) ?? '', /^32 – 51\.2$/, 'the brush moved down onto 32');
    assert.equal((await rowKeys()).length, 6, 'the six runs of batch size 32');
    assert.equal(await frame.locator(':focus').getAttribute('class'), 'pc-hit', 'the axis keeps the focus');
    await page.keyboard.press('Delete');
    await frame.locator('.grid-row[data-key="sweep12"]').waitFor();
    assert.equal((await rowKeys()).length, 12);

    // The scatter: the loss against lr, one point per run; hovering a point names its run.
    await frame.locator('select.plot-mode').selectOption('scatter');
    await frame.locator('select.plot-x').selectOption('config.lr');
    await frame.locator('select.plot-y').selectOption('summary.loss.last');
    const points = frame.locator('.sc-point');
    await points.first().waitFor();
    assert.equal(await points.count(), 12);
    const point = frame.locator('.sc-point[data-run="sweep05"]');
    await point.hover();
    const tooltip = frame.locator('.plot-tooltip');
    await tooltip.waitFor();
    assert.equal(await tooltip.locator('.plot-tooltip-name').textContent(), 'sweep-5');
    assert.match((await tooltip.textContent()) ?? '', /lr 0\.01 · loss /);
    await point.click();
    assert.equal(await frame.locator('.grid-row.selected').getAttribute('data-key'), 'sweep05', 'a click on a point selects its row');
    await wb.screenshot('table-scatter');
    await frame.locator('button', { hasText: 'Plots' }).click();
    await frame.locator('.plots').waitFor({ state: 'hidden' });
  });

  it('sets the group of the selected rows from a row\'s context menu', async () => {
    const page = wb.page;
    const frame = await openTable(page);
    const filter = frame.locator('input.filter');
    await filter.fill('project = sweep');
    await filter.press('Enter');
    await frame.locator('.grid-row[data-key="sweep03"] .grid-name').click();
    await frame.locator('.grid-row[data-key="sweep04"] .grid-name').click({ modifiers: ['Control'] });
    await contextMenu(page, frame.locator('.grid-row[data-key="sweep04"] .grid-name'), 'Set Group…');
    const input = page.locator('.quick-input-widget input[type="text"]');
    await input.waitFor({ state: 'visible' });
    await input.fill('picked by hand');
    await wb.screenshot('table-set-group');
    await input.press('Enter');
    await frame.locator('select.group-by').selectOption('group');
    const header = frame.locator('.grid-row.group[data-key="group:string:picked by hand"]');
    await header.waitFor({ timeout: 30_000 });
    assert.equal(await header.locator('.grid-group-count').textContent(), ' (2)');
    await frame.locator('select.group-by').selectOption('');
  });

  it('opens Compare with Source from a rewound run\'s chart overview, as a read-only document', async () => {
    const page = wb.page;
    if (!(await treeItem(page, /^baseline$/).isVisible())) await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
    const row = treeItem(page, /^baseline$/);
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Open Charts"]').click();
    let chart: Frame | undefined;
    for (let i = 0; i < 150 && !chart; i++) {
      for (const frame of page.frames()) {
        if (await frame.locator('.overview-cards button.compare-source').count().catch(() => 0)) chart = frame;
      }
      if (!chart) await page.waitForTimeout(200);
    }
    assert.ok(chart, 'a chart panel with the overview of a rewound run');
    await chart.locator('.overview-cards button.compare-source').first().click();
    await page.locator('.tab', { hasText: 'baseline vs source' }).waitFor({ timeout: 30_000 });
    // The editor draws spaces as no-break spaces: \s matches both.
    const text = page.locator('.editor-instance .view-lines', { hasText: /is\srewound\sfrom\sbaseline/ }).first();
    await text.waitFor({ timeout: 30_000 });
    assert.match((await text.textContent()) ?? '', /config\skeys?\sdiffer/);
    assert.match((await text.textContent()) ?? '', /loss\s+min\s/);
    await wb.screenshot('branch-diff-document');
  });
});

/** A runs table frame showing summary.loss.last pinned (the old frame of a reloaded webview is left behind). */
async function pinnedFrame(page: Page, old: Frame): Promise<Frame> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === old || frame.isDetached()) continue;
      if (await frame.locator('.grid-hcell.pinned[data-column="summary.loss.last"]').count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error('no runs table with summary.loss.last pinned');
    await page.waitForTimeout(200);
  }
}

/** The runs table's frame, opening it from the Runs view's title bar when none is open. */
async function openTable(page: Page): Promise<Frame> {
  for (const frame of page.frames()) {
    if (await frame.locator('#root .grid .grid-row').count().catch(() => 0)) return frame;
  }
  if (!(await treeItem(page, /^baseline$/).isVisible())) await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
  await treeItem(page, /^baseline$/).waitFor({ timeout: 30_000 });
  await page.locator('a[aria-label="Open Runs Table"] >> visible=true').first().click();
  return tableFrame(page);
}
