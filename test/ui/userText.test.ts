// Hostile run names, projects, config keys, tags and notes in the real workbench (issue 8 item 1):
// each payload is planted as a run, then the notification after a fork and a rewind, the tree's
// tooltip and the run quick pick are looked at and clicked like a person would. Nothing may run (a
// terminal is open, so a `workbench.action.terminal.sendSequence` link would write a file) and the
// text must show as typed. Screenshots: test-results/screenshots/usertext-*.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { LogWriter } from '../../src/core/writer';
import { type Workbench, contextMenu, openWorkbench } from './harness';

const PWNED = path.join(os.tmpdir(), `runrewind-pwned-${process.pid}`);
const PWNED_PROJECT = `${PWNED}-project`;
const SENTINEL = path.join(os.tmpdir(), `runrewind-sentinel-${process.pid}`);

/** A markdown link that, if rendered with command access and clicked, types `touch FILE` into the terminal. */
function commandLink(label: string, file: string): string {
  const args = encodeURIComponent(JSON.stringify({ text: `touch ${file}\n` }));
  return `[${label}](command:workbench.action.terminal.sendSequence?${args})`;
}

const LINK_NAME = commandLink('details', PWNED);
const LINK_PROJECT = commandLink('proj', PWNED_PROJECT);
const ICON_NAME = '$(alert) fake';
/** Shows as "safe-exe.txt" when the override is honoured; typed it is "safe-\u202Etxt.exe". */
const BIDI_NAME = 'safe-\u202Etxt.exe\u202C';
const BIDI_SHOWN = 'safe-txt.exe';
const IMG_NAME = '<img src=x onerror=alert(1)>';
const ICON_PROJECT = `$(alert) \u2066${IMG_NAME}\u2069`;

function plant(logDir: string): void {
  const runs: { id: string; name: string; project: string }[] = [
    { id: 'link01', name: LINK_NAME, project: LINK_PROJECT },
    { id: 'icon01', name: ICON_NAME, project: ICON_PROJECT },
    { id: 'bidi01', name: BIDI_NAME, project: ICON_PROJECT },
    { id: 'img01', name: IMG_NAME, project: ICON_PROJECT },
  ];
  for (const r of runs) {
    const w = new LogWriter({
      dir: logDir,
      run: r.id,
      name: r.name,
      project: r.project,
      heartbeat: 0,
      config: { [LINK_NAME]: ICON_NAME, note: `${IMG_NAME} ${LINK_PROJECT}` },
      tags: [ICON_NAME, LINK_NAME],
      notes: `${LINK_NAME} ${ICON_NAME}`,
    });
    // A user key named `step` beside W&B's `_step`: the step prompt must tell them apart (issue 11 item 12).
    for (let s = 0; s < 10; s++) w.log({ loss: 1 / (s + 1), [`$(alert)${r.id}`]: s, step: s * 10 });
    w.finish();
  }
}

function treeItem(page: Page, id: string): Locator {
  return page.locator('.monaco-list-row[role="treeitem"]', { has: page.locator('.label-description', { hasText: new RegExp(`^${id}\\b`) }) }).first();
}

/** Types `touch SENTINEL` into the terminal and waits for the file: whatever was sent to the terminal
 * before (a command link's sendSequence) has run by then, so a missing PWNED file proves nothing ran. */
async function drainTerminal(wb: Workbench): Promise<void> {
  fs.rmSync(SENTINEL, { force: true });
  const page = wb.page;
  // Keys typed while the terminal is still taking focus are lost: wait for it, and type again if the
  // line came out wrong (Ctrl+C clears it). A shell on a busy machine (load 70) took over 5 s to start.
  for (let attempt = 0; attempt < 3 && !fs.existsSync(SENTINEL); attempt++) {
    await wb.runCommand('Terminal: Focus Terminal');
    await page.locator('.xterm.focus').first().waitFor({ timeout: 10_000 });
    if (attempt > 0) await page.keyboard.press('Control+C');
    await page.keyboard.type(`touch ${SENTINEL}`);
    await page.keyboard.press('Enter');
    for (let i = 0; i < 200 && !fs.existsSync(SENTINEL); i++) await page.waitForTimeout(100);
  }
  assert.ok(fs.existsSync(SENTINEL), 'the terminal ran the sentinel command');
}

function assertNothingRan(): void {
  assert.ok(!fs.existsSync(PWNED), `a run name's command link ran: ${PWNED} was written`);
  assert.ok(!fs.existsSync(PWNED_PROJECT), `a project's command link ran: ${PWNED_PROJECT} was written`);
}

async function showRuns(page: Page): Promise<void> {
  if (await treeItem(page, 'link01').isVisible()) return;
  await page.locator('.activitybar .action-item a[aria-label^="Run Rewind"]').click();
  await treeItem(page, 'link01').waitFor({ timeout: 30_000 });
}

describe('User text is text (UI)', function () {
  this.timeout(240_000);
  let wb: Workbench;
  let workspace: string;

  before(async () => {
    for (const f of [PWNED, PWNED_PROJECT, SENTINEL]) fs.rmSync(f, { force: true });
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-usertext-'));
    plant(path.join(workspace, '.runrewind'));
    wb = await openWorkbench({ workspace, viewport: { width: 1400, height: 900 } });
    // A terminal for a sendSequence link to type into: without one the payload would do nothing anyway.
    await wb.runCommand('Terminal: Create New Terminal');
    await wb.page.locator('.xterm').first().waitFor({ timeout: 30_000 });
    await drainTerminal(wb);
    await showRuns(wb.page);
  });

  after(async () => {
    await wb?.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
    for (const f of [PWNED, PWNED_PROJECT, SENTINEL]) fs.rmSync(f, { force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`usertext-failed-${this.currentTest.title}`);
  });

  it('shows every name and project in the tree as typed, bidi overrides removed', async () => {
    const page = wb.page;
    // Zero-width spaces are how $(…) is kept from rendering: invisible, so not part of what is "shown".
    const label = async (id: string): Promise<string> => ((await treeItem(page, id).locator('.label-name').textContent()) ?? '').replace(/\u200b/g, '');
    assert.equal(await label('link01'), LINK_NAME);
    assert.equal(await label('icon01'), ICON_NAME);
    assert.equal(await label('img01'), IMG_NAME);
    assert.equal(await label('bidi01'), BIDI_SHOWN);
    const projects = (await page.locator('.monaco-list-row[role="treeitem"][aria-level="1"] .label-name').allTextContents()).map((t) => t.replace(/\u200b/g, ''));
    assert.ok(projects.includes(LINK_PROJECT), `projects: ${projects.join(' | ')}`);
    assert.ok(projects.includes(`$(alert) ${IMG_NAME}`), `projects: ${projects.join(' | ')}`);
    assert.equal(await page.locator('.monaco-list-row[role="treeitem"] img').count(), 0);
    await wb.screenshot('usertext-tree');
  });

  it('the tooltip shows the payloads as text: no link, no icon', async () => {
    const page = wb.page;
    await treeItem(page, 'icon01').hover();
    const hover = page.locator('.monaco-hover.workbench-hover, .monaco-hover').filter({ hasText: 'icon01' }).first();
    await hover.waitFor({ timeout: 15_000 });
    const text = ((await hover.textContent()) ?? '').replace(/\u200b/g, '');
    assert.ok(text.includes(ICON_NAME), `tooltip shows "${ICON_NAME}": ${text.slice(0, 300)}`);
    assert.ok(text.includes('[details](command:'), 'config key shown as typed');
    assert.equal(await hover.locator('.codicon-alert').count(), 0, 'no icon rendered from user text');
    assert.equal(await hover.locator('a').count(), 0, 'no link in the tooltip');
    assert.equal(await hover.locator('img').count(), 0, 'no image in the tooltip');
    await wb.screenshot('usertext-tooltip');
    // Click the text where the link would be.
    await hover.getByText('details', { exact: false }).first().click().catch(() => undefined);
    await page.mouse.move(900, 600);
    await drainTerminal(wb);
    assertNothingRan();
  });

  it('the notification after a fork names the run as typed and has no link to click', async () => {
    const page = wb.page;
    await showRuns(page);
    await contextMenu(page, treeItem(page, 'link01'), 'Fork Run at Step…');
    const input = page.locator('.quick-input-widget input[type="text"]');
    await input.waitFor({ state: 'visible' });
    await input.fill('5');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Fork at this step' }).waitFor();
    await input.press('Enter');
    const toast = page.locator('.notification-toast', { hasText: /Forked/ }).first();
    await toast.waitFor({ timeout: 20_000 });
    await wb.screenshot('usertext-fork-notification');
    const message = toast.locator('.notification-list-item-message');
    const links = await message.locator('a').count();
    // Click what a person would click: the link if there is one, else the words.
    if (links > 0) await message.locator('a').first().click();
    else await message.click();
    await drainTerminal(wb);
    assertNothingRan();
    assert.equal(links, 0, 'the run name became a link in the notification');
    const text = ((await message.textContent()) ?? '').replace(/\u200b/g, '');
    assert.ok(text.includes(`Forked ${LINK_NAME}@5`), `the name shows as typed: ${text}`);
    await toast.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => page.keyboard.press('Escape'));
  });

  it('the notification after a rewind shows markup, icons and bidi names as typed', async () => {
    const page = wb.page;
    for (const [id, shown] of [
      ['img01', IMG_NAME],
      ['icon01', ICON_NAME],
      ['bidi01', BIDI_SHOWN],
    ] as const) {
      await showRuns(page);
      await contextMenu(page, treeItem(page, id), 'Rewind Run to Step…');
      const input = page.locator('.quick-input-widget input[type="text"]');
      await input.waitFor({ state: 'visible' });
      if (id === 'icon01') {
        // `_step` labels the row; the user's own `step` key is a value beside it.
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: '_step 9' }).first();
        await row.waitFor();
        assert.match(((await row.textContent()) ?? '').replace(/\u200b/g, ''), /_step 9.*step=90/);
        assert.equal(await page.locator('.quick-input-list .codicon-alert').count(), 0, 'a key like $(alert)icon01 renders no icon');
        await wb.screenshot('usertext-step-prompt');
      }
      await input.fill('3');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Rewind to this step' }).waitFor();
      await input.press('Enter');
      const toast = page.locator('.notification-toast', { hasText: /Rewound/ }).first();
      await toast.waitFor({ timeout: 20_000 });
      const message = toast.locator('.notification-list-item-message');
      const text = ((await message.textContent()) ?? '').replace(/\u200b/g, '');
      assert.ok(text.includes(`Rewound ${shown} to step 3`), `the name shows as typed: ${text}`);
      assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(text), 'no bidi override reaches the screen');
      assert.equal(await message.locator('a, img, .codicon-alert').count(), 0, 'no link, image or icon from the name');
      await wb.screenshot(`usertext-rewind-notification-${id}`);
      await message.click();
      await toast.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => page.keyboard.press('Escape'));
    }
    await drainTerminal(wb);
    assertNothingRan();
  });

  it('the run quick pick shows names and projects as typed', async () => {
    const page = wb.page;
    // With the tree hidden, the palette asks which run.
    await page.keyboard.press('Escape');
    await wb.runCommand('View: Close Primary Side Bar');
    await wb.runCommand('Run Rewind: Open Run History');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'icon01' }).first().waitFor({ timeout: 15_000 });
    const all = (await rows.allTextContents()).map((t) => t.replace(/\u200b/g, ''));
    assert.ok(all.some((t) => t.includes(ICON_NAME) && t.includes(`$(alert) ${IMG_NAME}`)), `icon name and project as typed: ${all.join(' | ')}`);
    // The name is longer than a quick pick label keeps (120 characters): its start, as typed.
    assert.ok(all.some((t) => t.includes(LINK_NAME.slice(0, 100)) && t.includes(LINK_PROJECT)), `link name and project as typed: ${all.join(' | ')}`);
    assert.ok(all.some((t) => t.includes(BIDI_SHOWN)), `bidi name without the override: ${all.join(' | ')}`);
    assert.ok(all.every((t) => !/[\u202a-\u202e\u2066-\u2069]/.test(t)), 'no bidi override reaches the screen');
    assert.equal(await page.locator('.quick-input-list .codicon-alert').count(), 0, 'no icon rendered from user text');
    await wb.screenshot('usertext-quick-pick');
    await rows.filter({ hasText: 'link01' }).first().locator('.label-description').first().click();
    await page.locator('.monaco-editor .view-line', { hasText: '_step' }).first().waitFor({ timeout: 20_000 });
    await wb.screenshot('usertext-history');
    await drainTerminal(wb);
    assertNothingRan();
  });
});
