// The chart panel's Media section in the real workbench: a run that logged images, histograms and a
// table every few steps, opened from its inline button; the image card at the newest step, its slider
// moved with the keyboard (the toolbar's selected step follows), a step clicked on the loss chart (the
// slider follows); the image strip's thumbnails clicked and chosen from the keyboard.
// Screenshots: test-results/screenshots/media-*.png.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { LogWriter } from '../../src/core/writer';
import { mediaFile, mediaRecord, sampleImage } from '../support/media';
import { type Workbench, openWorkbench } from './harness';

// The page function below runs inside the webview; this file compiles for Node without DOM types.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

function treeItem(page: Page, name: RegExp): Locator {
  return page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: name }) }).first();
}

/** The chart webview's frame that shows a media card of `key`. */
async function mediaFrame(page: Page, key: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator(`.media-card[data-media-key="${key}"]`).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no chart webview with a media card of ${key}`);
    await page.waitForTimeout(200);
  }
}

const T0 = 1_800_000_000;

/** 60 steps of loss; at every 10th step two images and a histogram; a table of predictions at 50. */
function plantMediaRun(logDir: string): void {
  const w = new LogWriter({ dir: logDir, run: 'mediarun', version: 'vmediarun0001', name: 'mnist-samples', project: 'vision', heartbeat: 0, stamp: '1800000000000-mmmmmmmm', clock: () => T0 });
  for (let s = 0; s < 60; s++) {
    if (s % 10 === 0) {
      // Step 0's first caption is markup: the strip shows it as text.
      const caption = (i: number): string => (s === 0 && i === 0 ? '<b>pred 0</b>' : `pred ${(s / 10 + i) % 10}`);
      const items = [0, 1, 2].map((i) => ({ ...mediaFile(logDir, sampleImage(s / 10 + 3 * i), 'png'), width: 28, height: 28, caption: caption(i) }));
      w.writeRaw(mediaRecord(s, 'examples', 'image', items, T0 + s));
      const centre = 1 - s / 60;
      const edges = Array.from({ length: 33 }, (_, i) => -2 + i / 8);
      const counts = edges.slice(0, -1).map((e) => Math.round(200 * Math.exp(-((e - centre) ** 2) / 0.3)));
      w.writeRaw(mediaRecord(s, 'weights/fc1', 'histogram', [{ bins: edges, counts }], T0 + s));
    }
    if (s === 50) {
      const data = Array.from({ length: 6 }, (_, i) => [i, `<b>${i}</b>`, (0.9 - i / 20).toFixed(3)]);
      const table = { columns: ['id', 'label', 'score'], data };
      w.writeRaw(mediaRecord(s, 'predictions', 'table', [{ ...mediaFile(logDir, Buffer.from(JSON.stringify(table)), 'json'), columns: table.columns, rows: data.length }], T0 + s));
      // What wandb.plot.line(table, "epoch", "acc", stroke="split") logs: two series over 30 epochs.
      const curve = Array.from({ length: 60 }, (_, i) => [i % 30, Number((i < 30 ? 0.5 + 0.4 * (1 - Math.exp(-i / 8)) : 0.45 + 0.35 * (1 - Math.exp(-(i - 30) / 10))).toFixed(4)), i < 30 ? 'train' : 'val']);
      const plot = { columns: ['epoch', 'acc', 'split'], data: curve };
      w.writeRaw(mediaRecord(s, 'acc_curve', 'table', [{ ...mediaFile(logDir, Buffer.from(JSON.stringify(plot)), 'json'), columns: plot.columns, rows: curve.length, chart: { type: 'line', x: 'epoch', y: 'acc', stroke: 'split', title: 'Accuracy by epoch' } }], T0 + s));
    }
    w.log({ loss: 1 / (s + 1) + 0.05 * Math.sin(s) });
  }
  w.finish();
}

describe('Chart panel media (UI)', function () {
  this.timeout(180_000);
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ viewport: { width: 1400, height: 1000 } });
    plantMediaRun(path.join(wb.workspace, '.runrewind'));
  });

  after(async () => {
    await wb?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`media-failed-${this.currentTest.title}`);
  });

  it('shows image, histogram and table cards whose slider follows the selected step and selects with the keyboard', async () => {
    const page = wb.page;
    await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
    const row = treeItem(page, /^mnist-samples$/);
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.action-label[aria-label="Open Charts"]').click();
    const frame = await mediaFrame(page, 'examples');
    // The overview out of the way, so the cards are on the first screen.
    const overview = frame.locator('details.section[data-section="#overview"]');
    if ((await overview.getAttribute('open')) !== null) await overview.locator('summary').first().click();

    const examples = frame.locator('.media-card[data-media-key="examples"]');
    await examples.locator('img.media-image').first().waitFor({ timeout: 30_000 });
    await frame.waitForFunction(() => [...document.querySelectorAll('img.media-image')].every((i: any) => i.complete && i.naturalWidth > 0));
    assert.equal(await examples.locator('img.media-image').count(), 3, 'three images of the step in a row');
    assert.equal((await examples.locator('.media-step').textContent())?.trim(), 'step 50 (6 of 6)');
    assert.deepEqual(await examples.locator('figcaption').allTextContents(), ['pred 5', 'pred 6', 'pred 7']);
    const table = frame.locator('.media-card[data-media-key="predictions"] table.media-table');
    assert.equal(await table.locator('tbody tr').count(), 6);
    assert.equal(await table.locator('b').count(), 0, 'cells are text');
    assert.equal(await frame.locator('.media-card[data-media-key="weights/fc1"] .histogram-bar').count(), 32);
    const media = frame.locator('details.section[data-section="#media"]');
    await media.scrollIntoViewIfNeeded();
    await wb.screenshot('media-cards');

    // The keyboard moves the slider; the step it stops on is the panel's (and the window's) selected step.
    const slider = examples.locator('input.media-slider');
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await examples.locator('.media-step', { hasText: 'step 30' }).waitFor();
    await frame.locator('.selection-label', { hasText: '@30' }).waitFor();
    await frame.locator('.media-card[data-media-key="weights/fc1"] .media-step', { hasText: 'step 30' }).waitFor();
    assert.deepEqual(await examples.locator('figcaption').allTextContents(), ['pred 3', 'pred 4', 'pred 5']);
    await media.scrollIntoViewIfNeeded();
    await wb.screenshot('media-slider-keyboard');

    // A step clicked on the loss chart moves the slider to the images at or before it.
    const loss = frame.locator('.card[data-key="loss"]');
    await loss.scrollIntoViewIfNeeded();
    const over = loss.locator('.u-over');
    const box = await over.boundingBox();
    assert.ok(box);
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.7);
    const picked = frame.locator('.selection-label', { hasText: /^mnist-samples@(?!30$)\d+$/ });
    await picked.waitFor();
    const label = (await picked.textContent()) ?? '';
    const step = Number(label.split('@')[1]);
    assert.ok(Number.isInteger(step), label);
    const expected = Math.min(50, Math.floor(step / 10) * 10);
    await examples.locator('.media-step', { hasText: `step ${expected} ` }).waitFor();
    // The table was logged at 50 only: shown, and said to be after the selected step.
    if (step < 50) await frame.locator('.media-card[data-media-key="predictions"] .media-step', { hasText: `step 50 (after the selected step ${step})` }).waitFor();
    await media.scrollIntoViewIfNeeded();
    await wb.screenshot('media-after-chart-click');
  });

  it('draws a wandb.plot table as its chart, sorts by a column and pages through the rows', async () => {
    const page = wb.page;
    const frame = await mediaFrame(page, 'acc_curve');
    const card = frame.locator('.media-card[data-media-key="acc_curve"]');
    await card.scrollIntoViewIfNeeded();
    await card.locator('canvas.media-table-chart[data-points="60"]').waitFor({ timeout: 20_000 });
    assert.equal(await card.locator('tbody tr').count(), 20, 'a page of 20 rows');
    assert.match((await card.locator('.media-table-note').textContent()) ?? '', /^rows 1–20 of 60$/);
    // Sort by acc, then the other way: the best accuracy first.
    await card.locator('button.media-table-sort', { hasText: 'acc' }).click();
    await card.locator('button.media-table-sort', { hasText: 'acc' }).click();
    assert.equal(await card.locator('th[aria-sort="descending"]').count(), 1);
    const best = await card.locator('tbody tr').first().locator('td').allTextContents();
    assert.deepEqual(best, ['29', '0.8893', 'train']);
    await card.locator('button.media-table-page[aria-label="Next rows"]').click();
    assert.match((await card.locator('.media-table-note').textContent()) ?? '', /^rows 21–40 of 60$/);
    await card.evaluate((e: any) => e.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    await wb.screenshot('media-table-chart');
  });

  it('shows an image strip around the shown step: a thumbnail clicked or chosen from the keyboard selects its step', async () => {
    const page = wb.page;
    const frame = await mediaFrame(page, 'examples');
    const examples = frame.locator('.media-card[data-media-key="examples"]');
    await examples.scrollIntoViewIfNeeded();
    const strip = examples.locator('.media-strip');
    const thumbs = strip.locator('button.media-strip-thumb');
    // Six logged steps: all in the strip, each the step's first image, the shown step marked.
    await frame.waitForFunction(() => [...document.querySelectorAll('.media-strip img')].length === 6 && [...document.querySelectorAll('.media-strip img')].every((i: any) => i.complete && i.naturalWidth > 0));
    assert.deepEqual(await thumbs.locator('.media-strip-step').allTextContents(), ['0', '10', '20', '30', '40', '50']);
    const shown = Number(((await examples.locator('.media-step').textContent()) ?? '').match(/^step (\d+)/)?.[1]);
    assert.equal(await strip.locator('[aria-current="step"]').getAttribute('data-step'), String(shown));
    // Captions are text: the markup one is the label's text, and no element came of it.
    assert.equal(await thumbs.first().getAttribute('aria-label'), 'step 0: <b>pred 0</b> (the first of 3 images)');
    assert.equal(await strip.locator('b').count(), 0);

    // A click on step 20's thumbnail selects step 20: the slider, the toolbar and the other cards follow.
    await thumbs.nth(2).click();
    await examples.locator('.media-step', { hasText: 'step 20 ' }).waitFor();
    await frame.locator('.selection-label', { hasText: '@20' }).waitFor();
    await frame.locator('.media-card[data-media-key="weights/fc1"] .media-step', { hasText: 'step 20' }).waitFor();
    assert.equal(await strip.locator('[aria-current="step"]').getAttribute('data-step'), '20');
    assert.deepEqual(await examples.locator('figure.media-figure figcaption').allTextContents(), ['pred 2', 'pred 3', 'pred 4']);
    await frame.waitForFunction(() => [...document.querySelectorAll('.media-card[data-media-key="examples"] img')].every((i: any) => i.complete && i.naturalWidth > 0));
    await examples.evaluate((e: any) => e.scrollIntoView({ block: 'center' }));
    await wb.screenshot('media-strip-click');

    // From the keyboard: the arrow keys move between thumbnails, Enter selects; the focus stays on the
    // strip's new current thumbnail after the card redraws.
    await strip.locator('[aria-current="step"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    // The strip keeps its arrow keys: the panel's own (the selected step to the next logged one) do not fire.
    assert.equal(await frame.evaluate(() => (document.activeElement as any)?.dataset?.step), '40');
    assert.match((await frame.locator('.selection-label').textContent()) ?? '', /@20$/);
    await page.keyboard.press('Enter');
    await frame.locator('.selection-label', { hasText: '@40' }).waitFor();
    await examples.locator('.media-step', { hasText: 'step 40 ' }).waitFor();
    await frame.waitForFunction(() => (document.activeElement as any)?.dataset?.step === '40' && (document.activeElement as any)?.getAttribute('aria-current') === 'step');
    await page.keyboard.press('Home');
    await page.keyboard.press('Space');
    await frame.locator('.selection-label', { hasText: '@0' }).waitFor();
    await examples.locator('.media-step', { hasText: 'step 0 ' }).waitFor();
    assert.deepEqual(await examples.locator('figure.media-figure figcaption').allTextContents(), ['<b>pred 0</b>', 'pred 1', 'pred 2']);
    await frame.waitForFunction(() => [...document.querySelectorAll('.media-card[data-media-key="examples"] img')].every((i: any) => i.complete && i.naturalWidth > 0));
    await examples.evaluate((e: any) => e.scrollIntoView({ block: 'center' }));
    await wb.screenshot('media-strip-keyboard');
  });
});
