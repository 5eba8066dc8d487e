// The Run Console of a rewound run in the real workbench (issue 13): opened from the Runs view's context
// menu like a person would, inherited lines marked, stderr and warnings coloured. Screenshot:
// test-results/screenshots/console-rewound.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { LogWriter } from '../../src/core/writer';
import { type Workbench, contextMenu, openWorkbench } from './harness';

// The page's own function, run inside the browser by evaluate().
declare function getComputedStyle(element: unknown): { color: string };

const T0 = 1_800_000_000;

/** A console record as the Python client writes it (docs/PROTOCOL.md, `console`). */
function consoleLine(t: number, stream: 'stdout' | 'stderr', step: number, text: string): string {
  return `${JSON.stringify({ type: 'console', time: t, lines: [[t, stream, step, text]] })}\n`;
}

/** A run that printed its way to step 9, rewound to step 4 and resumed from there. */
function plant(logDir: string): void {
  const first = new LogWriter({ dir: logDir, run: 'trainer', version: 'vtrainer00001', name: 'resnet-warmup', project: 'vision', heartbeat: 0, stamp: '1800000000000-aaaaaaaa', clock: () => T0 });
  first.writeRaw(consoleLine(T0, 'stdout', 0, 'loading CIFAR-10: 50000 train / 10000 test'));
  for (let s = 0; s < 10; s++) {
    first.writeRaw(consoleLine(T0 + s + 0.5, 'stdout', s, `epoch ${s} | loss ${(1 / (s + 1)).toFixed(4)} | 100%|██████████| 391/391`));
    if (s === 6) first.writeRaw(consoleLine(T0 + s + 0.7, 'stderr', s + 1, 'UserWarning: loss went up; lr 0.1 may be too high'));
    first.log({ loss: s === 7 ? 3 : 1 / (s + 1) });
  }
  first.finish();
  fs.mkdirSync(path.join(logDir, 'ops'), { recursive: true });
  fs.writeFileSync(path.join(logDir, 'ops', '1800000000100-bbbbbbbb.jsonl'), `${JSON.stringify({ type: 'rewind', time: T0 + 100, run: 'trainer', source: 'vtrainer00001', version: 'vtrainer00002', step: 4 })}\n`);
  const resumed = new LogWriter({ dir: logDir, run: 'trainer', version: 'vtrainer00002', mode: 'resume', lastStep: 4, heartbeat: 0, stamp: '1800000000200-cccccccc', clock: () => T0 + 200 });
  resumed.writeRaw(consoleLine(T0 + 200, 'stdout', 5, 'resumed from checkpoint step 4 with lr 0.05'));
  for (let s = 5; s < 8; s++) {
    resumed.writeRaw(consoleLine(T0 + 200 + s, 'stdout', s, `epoch ${s} | loss ${(0.8 / (s + 1)).toFixed(4)}`));
    resumed.log({ loss: 0.8 / (s + 1) });
  }
  resumed.finish();
}

function treeItem(page: Page, name: string): Locator {
  return page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: name }) }).first();
}

describe('Run Console (UI)', function () {
  this.timeout(240_000);
  let wb: Workbench;
  let workspace: string;

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-console-'));
    plant(path.join(workspace, '.runrewind'));
    wb = await openWorkbench({ workspace, viewport: { width: 1400, height: 900 } });
    await wb.page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
    await treeItem(wb.page, 'resnet-warmup').waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await wb?.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`console-failed-${this.currentTest.title}`);
  });

  it("shows a rewound run's console with its inherited lines marked and stderr coloured", async () => {
    const page = wb.page;
    const colourOf = async (line: Locator, word: string): Promise<string> =>
      line.locator('span > span', { hasText: word }).last().evaluate((el) => getComputedStyle(el).color);
    await contextMenu(page, treeItem(page, 'resnet-warmup'), 'Open Run Console');
    const editor = page.locator('.monaco-editor .view-lines').first();
    await editor.locator('.view-line', { hasText: 'resumed from checkpoint' }).waitFor({ timeout: 30_000 });
    const text = (await editor.innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /Lines marked ┆ were printed by resnet-warmup up to step 4/);
    assert.match(text, /4 {2}\d\d:\d\d:\d\d {2}out ┆ epoch 4 \| loss 0\.2000/);
    assert.match(text, /5 {2}\d\d:\d\d:\d\d {2}out │ resumed from checkpoint step 4 with lr 0\.05/);
    assert.doesNotMatch(text, /epoch 9/, 'lines after the branch step belong to the archived version only');
    // The archived version's warning is not inherited (printed at step 7, after the branch step).
    assert.doesNotMatch(text, /UserWarning/);
    // The grammar loads with the first console: wait until the header is coloured as a comment.
    const header = editor.locator('.view-line', { hasText: 'Lines marked' }).first();
    const own = editor.locator('.view-line', { hasText: 'resumed from checkpoint' }).first();
    for (let i = 0; i < 50 && (await colourOf(header, 'Lines marked')) === (await colourOf(own, 'resumed from')); i++) await page.waitForTimeout(200);
    assert.notEqual(await colourOf(header, 'Lines marked'), await colourOf(own, 'resumed from'), 'the console is coloured');
    await wb.screenshot('console-rewound');

    // The archived version keeps its whole console, its stderr warning coloured unlike plain lines.
    await treeItem(page, 'resnet-warmup').locator('.monaco-tl-twistie').click();
    await page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-name', { hasText: 'Rewinds' }) }).first().click();
    const archived = treeItem(page, 'vtrainer00001');
    await archived.waitFor({ timeout: 15_000 });
    await contextMenu(page, archived, 'Open Run Console');
    const warning = page.locator('.monaco-editor .view-line', { hasText: 'UserWarning' }).first();
    await warning.waitFor({ timeout: 30_000 });
    const plain = page.locator('.monaco-editor .view-line', { hasText: 'epoch 9' }).first();
    assert.notEqual(await colourOf(warning, 'UserWarning'), await colourOf(plain, 'epoch 9'), 'stderr lines are coloured');
    await wb.screenshot('console-archived');
  });
});
