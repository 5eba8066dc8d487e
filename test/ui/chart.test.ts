// The chart panel in the real workbench, driven like a person: open it from a run's inline button,
// compare two runs, zoom by dragging, click a point (status bar, toolbar, editor title), rewind from the
// panel's toolbar and see the archived curve dashed and the tree updated, reload the window and get the
// panel back as it was. Screenshots: test-results/screenshots/chart-*.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { LogWriter } from '../../src/core/writer';
import { type Workbench, openWorkbench } from './harness';

// Page functions below run inside the webview; this file compiles for Node without DOM types, so the
// few browser globals they touch are declared loosely here.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare function getComputedStyle(element: unknown): any;

function treeItem(page: Page, name: RegExp): Locator {
  return page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: name }) }).first();
}

/** The frame holding the chart panel's own document (VS Code nests it two iframes deep). */
async function chartFrame(page: Page, timeoutMs = 30_000, showing?: string): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const probe = showing ? frame.locator('.legend-item', { hasText: showing }) : frame.locator('#root .toolbar');
      if (await probe.count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error('no chart panel webview');
    await page.waitForTimeout(200);
  }
}

/** The chart webview of the active editor tab titled `title` (hidden tabs' webviews may linger). */
async function activeChartFrame(page: Page, title: string, timeoutMs = 30_000): Promise<Frame> {
  await page.locator('.tab.active', { hasText: title }).waitFor({ timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (!(await frame.locator('#root .toolbar').count().catch(() => 0))) continue;
      const shown = await frame.evaluate(() => document.visibilityState === 'visible' && window.innerHeight > 0).catch(() => false);
      const element = await frame.frameElement().catch(() => null);
      const box = element ? await element.boundingBox().catch(() => null) : null;
      if (shown && box && box.width > 0 && box.height > 0) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no visible chart webview for ${title}`);
    await page.waitForTimeout(200);
  }
}

/** Waits until the chart of `key` has drawn (uPlot's canvas is there and the readout has values). */
async function chartDrawn(frame: Frame, key: string): Promise<Locator> {
  const card = frame.locator(`.card[data-key="${key}"]`);
  await card.locator('canvas').first().waitFor({ timeout: 30_000 });
  await card.locator('.readout-value').first().waitFor();
  return card;
}

/** Shows the Runs view (the activity bar icon toggles the side bar, so only when it is not shown). */
async function showRuns(page: Page): Promise<void> {
  if (await treeItem(page, /^baseline$/).isVisible()) return;
  await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
  await treeItem(page, /^baseline$/).waitFor({ timeout: 30_000 });
}

async function collapseOverview(frame: Frame): Promise<void> {
  const overview = frame.locator('details.section[data-section="#overview"]');
  if ((await overview.getAttribute('open')) !== null) await overview.locator('summary').first().click();
}

const T0 = 1_800_000_000;

/**
 * A run that sampled its machine every 10 s (docs/PROTOCOL.md, `system`) for 30 steps, was rewound to
 * step 15 and resumed on a bigger batch for 20 more: the System section's live and archived samples.
 */
function plantSystemRun(logDir: string): void {
  const sample = (t: number, i: number, gpuBase: number): string =>
    `${JSON.stringify({
      type: 'system',
      time: t,
      data: {
        'system/cpu_percent': 35 + 20 * Math.abs(Math.sin(i / 3)),
        'system/gpu.0.memory_used_mb': gpuBase + 40 * i,
        'system/gpu.0.utilization_percent': 80 + 15 * Math.sin(i / 2),
      },
    })}\n`;
  const first = new LogWriter({ dir: logDir, run: 'sysrun', version: 'vsysrun00001', name: 'gpu-sampled', project: 'vision', heartbeat: 0, stamp: '1800000000000-dddddddd', clock: () => T0 });
  for (let s = 0; s < 30; s++) {
    first.writeRaw(sample(T0 + 10 * s, s, 9000));
    first.log({ loss: 1 / (s + 1) });
  }
  first.finish();
  fs.mkdirSync(path.join(logDir, 'ops'), { recursive: true });
  fs.writeFileSync(path.join(logDir, 'ops', '1800000000400-eeeeeeee.jsonl'), `${JSON.stringify({ type: 'rewind', time: T0 + 400, run: 'sysrun', source: 'vsysrun00001', version: 'vsysrun00002', step: 15 })}\n`);
  const resumed = new LogWriter({ dir: logDir, run: 'sysrun', version: 'vsysrun00002', mode: 'resume', lastStep: 15, heartbeat: 0, stamp: '1800000000500-ffffffff', clock: () => T0 + 500 });
  for (let s = 16; s < 36; s++) {
    resumed.writeRaw(sample(T0 + 500 + 10 * (s - 16), s - 16, 14000));
    resumed.log({ loss: 0.8 / (s + 1) });
  }
  resumed.finish();
}

describe('Chart panel (UI)', function () {
  this.timeout(180_000);
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ viewport: { width: 1400, height: 900 } });
    await showRuns(wb.page);
  });

  after(async () => {
    await wb?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`chart-failed-${this.currentTest.title}`);
  });

  it('opens from the run\'s inline button with the overview and every chart', async () => {
    const page = wb.page;
    const row = treeItem(page, /^baseline$/);
    await row.hover();
    await row.locator('.action-label[aria-label="Open Charts"]').click();
    const frame = await chartFrame(page);
    await chartDrawn(frame, 'loss');
    await chartDrawn(frame, 'acc');
    const overview = (await frame.locator('.overview-cards').textContent()) ?? '';
    assert.match(overview, /Run idbase01/);
    assert.match(overview, /Forked From/);
    assert.equal(await frame.locator('.legend-item').count(), 3, 'live + two archived versions');
    await page.locator('.tab', { hasText: 'Charts: baseline' }).waitFor();
    // The overview uses the width: with it open, the first row of charts starts on the first screen.
    const layout = await frame.evaluate(() => {
      const card = document.querySelector('.card');
      const cells: any[] = [...document.querySelectorAll('.kv th, .kv td.num')];
      // A cell's text on more than one line box has wrapped.
      const lines = (cell: any): number => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map((r: any) => Math.round(r.top))).size;
      };
      const overview = document.querySelector('.run-card').getBoundingClientRect();
      const section = document.querySelector('.overview-cards').getBoundingClientRect();
      return {
        cardBottom: card.getBoundingClientRect().bottom,
        overviewShare: overview.width / section.width,
        viewport: window.innerHeight,
        wrapped: cells.filter((c) => lines(c) > 1).map((c) => c.textContent),
        cells: cells.length,
      };
    });
    assert.ok(layout.cardBottom <= layout.viewport, `the first row of charts ends at ${layout.cardBottom} px of ${layout.viewport}`);
    assert.ok(layout.overviewShare > 0.9, `one run's overview spans the width (${layout.overviewShare})`);
    assert.ok(layout.cells > 5);
    assert.deepEqual(layout.wrapped, [], 'keys and numbers stay on one line');
    // Nothing selected yet: Rewind (primary) and Fork disabled, and looking the same, in the theme's disabled colour.
    const look = (selector: string): Promise<{ color: string; background: string; disabled: boolean; expected: string }> =>
      frame.locator(selector).evaluate((b) => {
        const probe = document.createElement('span');
        probe.style.color = 'var(--vscode-disabledForeground)';
        document.body.append(probe);
        const expected = getComputedStyle(probe).color;
        probe.remove();
        const style = getComputedStyle(b);
        return { color: style.color, background: style.backgroundColor, disabled: (b as any).disabled, expected };
      });
    const rewind = await look('button.rewind');
    const fork = await look('button.fork');
    assert.equal(rewind.disabled, true);
    assert.equal(fork.disabled, true);
    assert.deepEqual({ color: rewind.color, background: rewind.background }, { color: fork.color, background: fork.background });
    assert.equal(rewind.color, rewind.expected, 'the theme\'s disabled foreground');
    await wb.screenshot('chart-overview');
  });

  it('copies ids from the overview and opens a Forked From version in its own panel', async () => {
    const page = wb.page;
    const frame = await chartFrame(page, 30_000, 'baseline');
    const overview = frame.locator('details.section[data-section="#overview"]');
    if ((await overview.getAttribute('open')) === null) await overview.locator('summary').first().click();
    await frame.locator('button[aria-label="Copy run id"]').first().click();
    await page.locator('.statusbar', { hasText: 'Copied run id' }).waitFor({ timeout: 10_000 });
    await frame.locator('button[aria-label="Copy version id"]').first().click();
    await page.locator('.statusbar', { hasText: 'Copied version id' }).waitFor({ timeout: 10_000 });

    const link = frame.locator('ol.lineage button.link').first();
    const label = (await link.getAttribute('aria-label')) ?? '';
    const version = /version (\S+)$/.exec(label)?.[1];
    assert.ok(version, `a Forked From link names its version: ${label}`);
    await link.click();
    // The source version opens in a panel of its own, titled with the run and the version.
    await page.locator('.tab', { hasText: `@ ${version}` }).waitFor({ timeout: 30_000 });
    // Its overview describes that exact, archived version.
    const deadline = Date.now() + 30_000;
    let facts = '';
    while (!/this version is archived/.test(facts) || !facts.includes(version)) {
      assert.ok(Date.now() < deadline, `no panel describes archived version ${version}`);
      await page.waitForTimeout(200);
      for (const frame of page.frames()) {
        const text = (await frame.locator('.overview-cards').textContent({ timeout: 500 }).catch(() => null)) ?? '';
        if (text.includes(`Version${version}`)) facts = text;
      }
    }
    await wb.screenshot('chart-forked-from-version');
    await page.locator('.tab', { hasText: `@ ${version}` }).locator('.codicon-close').click();
  });

  it('compares runs selected together in the tree in one panel', async () => {
    const page = wb.page;
    await showRuns(page);
    await treeItem(page, /^baseline$/).click();
    await treeItem(page, /^lr-halved$/).click({ modifiers: ['Control'] });
    await treeItem(page, /^lr-halved$/).click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item', { hasText: 'Open Charts' }).first();
    await item.waitFor({ state: 'visible' });
    await page.waitForTimeout(250);
    await item.hover();
    await item.click();
    await page.locator('.tab', { hasText: 'Charts: 2 runs' }).waitFor({ timeout: 20_000 });
    const frame = await chartFrame(page);
    await frame.locator('.legend-item', { hasText: 'lr-halved' }).waitFor();
    await collapseOverview(frame);
    await chartDrawn(frame, 'loss');
    await page.waitForTimeout(300);
    await wb.screenshot('chart-comparison');
  });

  it('keeps its scroll position when its tab is shown again', async () => {
    const page = wb.page;
    // A short window, so the panel (overview and two charts) has somewhere to scroll to.
    await page.setViewportSize({ width: 1400, height: 560 });
    try {
      await page.locator('.tab', { hasText: 'Charts: baseline' }).click();
      let frame = await activeChartFrame(page, 'Charts: baseline');
      await chartDrawn(frame, 'loss');
      await frame.evaluate(() => window.scrollTo(0, 100_000));
      const before = await frame.evaluate(() => window.scrollY);
      assert.ok(before > 100, `the panel scrolled (${before})`);
      await page.waitForTimeout(400);
      await page.locator('.tab', { hasText: 'Charts: 2 runs' }).click();
      await activeChartFrame(page, 'Charts: 2 runs');
      await page.locator('.tab', { hasText: 'Charts: baseline' }).click();
      frame = await activeChartFrame(page, 'Charts: baseline');
      await chartDrawn(frame, 'loss');
      const deadline = Date.now() + 10_000;
      let after = 0;
      while (Math.abs((after = await frame.evaluate(() => window.scrollY)) - before) > 2 && Date.now() < deadline) await page.waitForTimeout(100);
      assert.ok(Math.abs(after - before) <= 2, `scrolled to ${after} again (was ${before})`);
      await wb.screenshot('chart-scroll-kept');
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
    await page.locator('.tab', { hasText: 'Charts: 2 runs' }).click();
  });

  it('labels a log scale only where it has a value', async () => {
    const page = wb.page;
    const frame = await activeChartFrame(page, 'Charts: 2 runs');
    await frame.locator('input[aria-label="Log scale"]').check();
    await chartDrawn(frame, 'loss');
    await page.waitForTimeout(500);
    await wb.screenshot('chart-log-scale');
    await frame.locator('input[aria-label="Log scale"]').uncheck();
  });

  it('zooms by dragging and resets with a double-click', async () => {
    const page = wb.page;
    const frame = await chartFrame(page);
    const card = await chartDrawn(frame, 'loss');
    const over = card.locator('.u-over');
    const box = await over.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 8 });
    await page.mouse.up();
    await frame.locator('button.reset-zoom:not([disabled])').waitFor();
    await page.waitForTimeout(500);
    await wb.screenshot('chart-zoomed');
    await over.dblclick();
    await frame.locator('button.reset-zoom[disabled]').waitFor();
  });

  it('selects the step under a click: marker, status bar, toolbar and editor title actions', async () => {
    const page = wb.page;
    await showRuns(page);
    await treeItem(page, /^baseline$/).click();
    const row = treeItem(page, /^baseline$/);
    await row.hover();
    await row.locator('.action-label[aria-label="Open Charts"]').click();
    await page.locator('.tab.active', { hasText: 'Charts: baseline' }).waitFor();
    const frame = await chartFrame(page);
    await collapseOverview(frame);
    const card = await chartDrawn(frame, 'loss');
    const box = await card.locator('.u-over').boundingBox();
    assert.ok(box);
    // Left of the first rewind (step 150): every version shares these steps, the live line is nearest.
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.6);
    const label = frame.locator('.selection-label', { hasText: /^baseline@\d+$/ });
    await label.waitFor();
    const step = Number(((await label.textContent()) ?? '').split('@')[1]);
    assert.ok(step > 40 && step < 150, `a step left of the rewinds (${step})`);
    await page.locator('.statusbar-item', { hasText: `base01@${step}` }).waitFor();
    await frame.locator('button.rewind:not([disabled])').waitFor();
    await page.locator('.editor-actions .action-label[aria-label^="Rewind Run to Selected Step"]').waitFor();
    await page.locator('.editor-actions .action-label[aria-label^="Fork Run at Selected Step"]').waitFor();
    // Right moves to the next logged step.
    await card.locator('.u-over').focus().catch(() => undefined);
    await page.keyboard.press('ArrowRight');
    await page.locator('.statusbar-item', { hasText: `base01@${step + 1}` }).waitFor();
    await wb.screenshot('chart-selection');
  });

  it('rewinds from the panel toolbar: the same question, then the archived curve dashed and the tree updated', async () => {
    const page = wb.page;
    const frame = await chartFrame(page);
    const selected = Number(((await frame.locator('.selection-label').textContent()) ?? '').split('@')[1]);
    await frame.locator('button.rewind').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10_000 });
    assert.match((await dialog.textContent()) ?? '', new RegExp(`Rewind baseline \\(base01\\) to step ${selected}`));
    await dialog.locator('.monaco-button', { hasText: /^Rewind$/ }).click();
    await treeItem(page, /^baseline$/).locator('.label-description', { hasText: `step ${selected}` }).waitFor({ timeout: 20_000 });
    // The panel redraws with a third archived version, dashed beside the new live curve.
    await frame.locator('.legend-item').nth(3).waitFor({ timeout: 20_000 });
    assert.equal(await frame.locator('.legend-item .swatch.dashed').count(), 3);
    // Each archived version its own dash (the swatch draws it), named in full with its rewind step.
    const looks = await frame.locator('.legend-item .swatch.dashed').evaluateAll((swatches) =>
      swatches.map((s: any) => `${s.style.getPropertyValue('--line-dash')} ${s.style.opacity}`),
    );
    assert.equal(new Set(looks).size, 3, JSON.stringify(looks));
    const labels = await frame.locator('.legend-item').allTextContents();
    assert.ok(labels.slice(1).every((l) => /archived v\w+ · rewind \d+$/.test(l)), JSON.stringify(labels));
    assert.ok(labels.some((l) => l.endsWith(`rewind ${selected}`)), JSON.stringify(labels));
    await chartDrawn(frame, 'loss');
    await page.waitForTimeout(500);
    await wb.screenshot('chart-after-rewind');
  });

  it('comes back after a window reload with its filter and zoom', async () => {
    const page = wb.page;
    let frame = await chartFrame(page);
    await frame.locator('input.filter').fill('loss');
    await frame.locator('.card[data-key="acc"]').waitFor({ state: 'detached' });
    const card = await chartDrawn(frame, 'loss');
    const box = await card.locator('.u-over').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 8 });
    await page.mouse.up();
    await frame.locator('button.reset-zoom:not([disabled])').waitFor();
    await page.waitForTimeout(500);

    // Reload as a person does: the workbench saves the editors' state (the panel's setState) first.
    await wb.runCommand('Developer: Reload Window');
    await page.waitForTimeout(2000);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.tab', { hasText: 'Charts: baseline' }).first().click({ timeout: 60_000 });
    frame = await chartFrame(page, 60_000);
    await chartDrawn(frame, 'loss');
    assert.equal(await frame.locator('input.filter').inputValue(), 'loss');
    assert.equal(await frame.locator('.card[data-key="acc"]').count(), 0);
    await frame.locator('button.reset-zoom:not([disabled])').waitFor();
    await page.waitForTimeout(500);
    await wb.screenshot('chart-restored');
  });

  it('shows a hostile run name as text', async () => {
    const page = wb.page;
    await showRuns(page);
    const row = treeItem(page, /^<img src=x>/);
    await row.waitFor({ timeout: 20_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Open Charts"]').click();
    const name = '<img src=x> [click](command:runRewind.deleteRun) *bold* `code`';
    const frame = await chartFrame(page, 30_000, name);
    assert.equal(await frame.locator('img').count(), 0);
    await chartDrawn(frame, 'loss');
    await wb.screenshot('chart-hostile');
  });

  it('shows a System section against wall time, the archived version\'s samples dashed when asked', async () => {
    const page = wb.page;
    plantSystemRun(path.join(wb.workspace, '.runrewind'));
    await showRuns(page);
    const row = treeItem(page, /^gpu-sampled$/);
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Open Charts"]').click();
    await page.locator('.tab.active', { hasText: 'Charts: gpu-sampled' }).waitFor({ timeout: 30_000 });
    const frame = await activeChartFrame(page, 'Charts: gpu-sampled');
    await chartDrawn(frame, 'loss');
    await collapseOverview(frame);
    const system = frame.locator('details.section[data-section="#system"]');
    const cpu = system.locator('.card[data-system-key="system/cpu_percent"]');
    await cpu.locator('canvas').first().waitFor({ timeout: 30_000 });
    assert.deepEqual(
      await system.locator('.card-title').allTextContents(),
      ['system/cpu_percent', 'system/gpu.0.memory_used_mb', 'system/gpu.0.utilization_percent'],
    );
    assert.equal(await system.locator('.legend-item').count(), 1, 'the live version only');
    assert.match((await system.locator('.legend-item').textContent()) ?? '', /20 samples/);
    await system.scrollIntoViewIfNeeded();
    await wb.screenshot('chart-system-live');

    await system.locator('label.system-archived').click();
    await system.locator('.legend-item').nth(1).waitFor();
    assert.equal(await system.getAttribute('open'), '', 'ticking the box leaves the section open');
    assert.match((await system.locator('.legend-item').nth(1).textContent()) ?? '', /30 samples/);
    await system.scrollIntoViewIfNeeded();
    await wb.screenshot('chart-system-archived');
  });
});

describe('Checkpoint-aware rewind from the chart (UI)', function () {
  this.timeout(180_000);
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ viewport: { width: 1400, height: 900 } });
    // A run of 320 steps with a model checkpoint logged after steps 100, 200 and 300 (preempted after 319).
    const w = new LogWriter({ dir: path.join(wb.workspace, '.runrewind'), run: 'ckrun001', name: 'preempted', project: 'vision', heartbeat: 0 });
    for (let s = 0; s < 320; s++) {
      w.log({ loss: 1 / (s + 1) + 0.05 * Math.sin(s / 9) });
      if (s % 100 === 0 && s > 0) {
        w.writeRaw(`${JSON.stringify({ type: 'artifact', time: 1, action: 'log', step: s, name: 'model-ckrun001', version: `v${s / 100 - 1}`, artifact_type: 'model', aliases: ['latest'] })}\n`);
      }
    }
    w.finish();
    await showRuns(wb.page);
  });

  after(async () => {
    await wb?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`chart-failed-${this.currentTest.title}`);
  });

  it('marks the checkpoints and rewinds to the one before the clicked step in two clicks', async () => {
    const page = wb.page;
    const row = treeItem(page, /^preempted$/);
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Open Charts"]').click();
    const frame = await chartFrame(page, 30_000, 'preempted');
    await collapseOverview(frame);
    const card = await chartDrawn(frame, 'loss');
    await page.waitForTimeout(300);
    await wb.screenshot('chart-checkpoint-marks');
    // Click 1: a step between the checkpoints of steps 200 and 300.
    const box = await card.locator('.u-over').boundingBox();
    assert.ok(box);
    await page.mouse.click(box.x + box.width * (255 / 319), box.y + box.height * 0.5);
    await frame.locator('.selection-label', { hasText: /@2[3-7]\d$/ }).waitFor({ timeout: 10_000 });
    await frame.locator('button.rewind').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10_000 });
    assert.match((await dialog.textContent()) ?? '', /has no checkpoint\. The newest checkpoint before it is model-ckrun001:v1 at step 200/);
    await wb.screenshot('chart-checkpoint-offer');
    // Click 2: the checkpoint's step.
    await dialog.locator('.monaco-button', { hasText: 'Rewind to Checkpoint Step 200' }).click();
    await treeItem(page, /^preempted$/).locator('.label-description', { hasText: 'step 200' }).waitFor({ timeout: 20_000 });
    await frame.locator('.legend-item', { hasText: 'rewind 200' }).waitFor({ timeout: 20_000 });
    await page.waitForTimeout(500);
    await wb.screenshot('chart-rewound-to-checkpoint');
  });
});
