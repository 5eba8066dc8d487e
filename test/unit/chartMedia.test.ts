// The chart panel's media plumbing without a webview: file paths built only from a checked sha256 and
// format, table cells as text, which version a media card shows, and where its slider stands.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MediaEntry } from '../../src/core/api';
import type { StoreApi } from '../../src/core/api';
import { cellText, chartHint, histogramDistribution, MEDIA_STRIP_STEPS, mediaPath, queryMedia, readTable, stripWindow, TABLE_ROWS } from '../../src/panels/chartData';
import { compareCells, shownVersions, stopIndex } from '../../media/chart/mediaSteps';
import type { LineSpec } from '../../media/chart/lines';
import { tempDir } from './helpers';

const SHA = 'ab'.repeat(32);

function line(version: string, runId: string, archived: boolean, entry = runId): LineSpec {
  return { version, runId, runName: runId, entry, archived, color: '#000', from: undefined, inheritsFrom: undefined, dash: [], alpha: 1, label: runId, shortLabel: runId };
}

describe('chart panel media', () => {
  it('builds a media path only from 64 hex digits and a plain format', () => {
    assert.equal(mediaPath('/logs', { sha256: SHA, format: 'png' }), path.join('/logs', 'media', 'ab', `${SHA}.png`));
    for (const bad of [{ sha256: '../../etc/passwd', format: 'png' }, { sha256: SHA, format: 'png/../x' }, { sha256: SHA.toUpperCase(), format: 'png' }, { sha256: SHA }, { format: 'png' }, { sha256: SHA, format: '' }]) {
      assert.equal(mediaPath('/logs', bad), undefined, JSON.stringify(bad));
    }
  });

  it('reads a table file into text cells, cut at TABLE_ROWS, and names what is wrong with a bad one', async () => {
    const dir = tempDir();
    const file = path.join(dir, 't.json');
    const data = Array.from({ length: TABLE_ROWS + 5 }, (_, i) => [i, `<b>${i}</b>`, { _type: 'image-file', path: 'x' }, null, [1, 2]]);
    fs.writeFileSync(file, JSON.stringify({ columns: ['n', 'html', 'img', 'none', 'list'], data }));
    const t = await readTable(file);
    assert.deepEqual([t.columns, t.rows.length, t.total, t.error], [['n', 'html', 'img', 'none', 'list'], TABLE_ROWS, TABLE_ROWS + 5, '']);
    assert.deepEqual(t.rows[3], ['3', '<b>3</b>', '[image-file]', '', '[1,2]']);
    fs.writeFileSync(file, '{"columns": [');
    assert.match((await readTable(file)).error, /not JSON/);
    assert.match((await readTable(path.join(dir, 'missing.json'))).error, /could not be read: ENOENT/);
    assert.equal(cellText('x'.repeat(600)).length, 501);
  });

  it('shows each entry\'s live version, or the archived version the selection is on', () => {
    const lines = [line('vlive1', 'a', false), line('varch1', 'a', true), line('vlive2', 'b', false)];
    assert.deepEqual(shownVersions(lines, null).map((l) => l.version), ['vlive1', 'vlive2']);
    assert.deepEqual(shownVersions(lines, { runId: 'a', versionId: 'varch1', step: 3 }).map((l) => l.version), ['varch1', 'vlive2']);
    // A panel of one archived version (opened on its own) shows it.
    assert.deepEqual(shownVersions([line('varch1', 'a', true, 'varch1')], null).map((l) => l.version), ['varch1']);
  });

  it('puts the slider on the last stop at or before the step, else the first, and the newest with none', () => {
    const stops = [0, 10, 20, 30];
    assert.deepEqual([25, 30, 31, 0, 9].map((s) => stopIndex(stops, s)), [2, 3, 3, 0, 0]);
    assert.equal(stopIndex([5, 9], 2), 0);
    assert.equal(stopIndex(stops, null), 3);
    assert.equal(stopIndex([], 4), 0);
  });

  it('draws histograms over steps as a grid: counts spread by overlap, each column scaled to its largest cell, sampled evenly', () => {
    const entry = (step: number, bins: number[], counts: number[]): MediaEntry => ({ key: 'w', step, kind: 'histogram', time: step, items: [{ bins, counts }], version: 'v1', inherited: false });
    const d = histogramDistribution([entry(0, [0, 1, 2], [10, 0]), entry(5, [1, 2, 4], [2, 6]), entry(9, [3, 3], [7])], 10, 4)!;
    assert.deepEqual(d.steps, [0, 5, 9]);
    assert.deepEqual([d.lo, d.hi, d.bins], [0, 4, 4]);
    // Column 0: all in [0,1); column 1: 2 in [1,2), 6 over [2,4) = 3 + 3; column 2: a zero-width bin at 3.
    assert.deepEqual(d.density, [1, 0, 0, 0, 0, 0.667, 1, 1, 0, 0, 0, 1], 'to three decimals');
    const many = Array.from({ length: 1000 }, (_, i) => entry(i * 2, [-1, 0, 1], [i, 1000 - i]));
    const sampled = histogramDistribution(many, 240)!;
    assert.equal(sampled.steps.length, 240);
    assert.deepEqual([sampled.steps[0], sampled.steps[239]], [0, 1998], 'the first and last entries are kept');
    assert.equal(histogramDistribution([{ key: 'w', step: 0, kind: 'histogram', time: 0, items: [{ caption: 'no bins' }], version: 'v1', inherited: false }]), undefined);
  });

  it('sorts table cells as numbers when both are, else in natural order', () => {
    const cells = ['10', 'run10', '2', '', 'run2', '-1.5', 'NaN', 'b', '1e3'];
    assert.deepEqual([...cells].sort(compareCells), ['-1.5', '2', '10', '1e3', '', 'b', 'NaN', 'run2', 'run10']);
  });

  it('takes a chart hint only when its columns are the table\'s; a custom spec is drawn as a line of its fields', () => {
    const columns = ['epoch', 'acc', 'split'];
    assert.deepEqual(chartHint({ type: 'line', x: 'epoch', y: 'acc', stroke: 'split', title: 'Accuracy' }, columns), { type: 'line', x: 'epoch', y: 'acc', stroke: 'split', title: 'Accuracy' });
    assert.deepEqual(chartHint({ type: 'scatter', x: 'epoch', y: 'acc', stroke: 'nope' }, columns), { type: 'scatter', x: 'epoch', y: 'acc' });
    assert.deepEqual(chartHint({ type: 'histogram', x: 'acc' }, columns), { type: 'histogram', x: 'acc' });
    assert.deepEqual(chartHint({ type: 'custom', spec: 'wandb/line/v0', fields: { x: 'epoch', y: 'acc' } }, columns), { type: 'line', x: 'epoch', y: 'acc' });
    assert.deepEqual(chartHint({ type: 'custom', spec: 'my/spec', fields: { a: 'acc', b: 'epoch' } }, columns), { type: 'line', x: 'acc', y: 'epoch' });
    // Ultralytics' curves: wandb's area-under-curve spec, one line per class.
    assert.deepEqual(chartHint({ type: 'custom', spec: 'wandb/area-under-curve/v0', fields: { x: 'epoch', y: 'acc', class: 'split' }, title: 'PR' }, columns), { type: 'line', x: 'epoch', y: 'acc', stroke: 'split', title: 'PR' });
    for (const bad of [null, 'line', { type: 'line', x: 'epoch', y: 'missing' }, { type: 'pie', x: 'epoch', y: 'acc' }, { type: 'bar', x: 'epoch' }]) {
      assert.equal(chartHint(bad, columns), undefined, JSON.stringify(bad));
    }
  });

  it('gives an image key a strip of the first image of each step around the shown one, nine at most', async () => {
    assert.deepEqual(stripWindow([0, 10, 20], 10), { from: 0, to: 2 }, 'fewer steps than the strip: all of them');
    const steps = Array.from({ length: 100 }, (_, i) => i * 10);
    assert.deepEqual(stripWindow(steps, 500), { from: 46, to: 54 }, 'four on each side');
    assert.deepEqual(stripWindow(steps, 0), { from: 0, to: 8 }, 'at the start: the next eight');
    assert.deepEqual(stripWindow(steps, 990), { from: 91, to: 99 }, 'at the end: the eight before');
    assert.deepEqual(stripWindow(steps, 555), { from: 91, to: 99 }, 'a step that is not a stop: the newest');

    const image = (step: number, caption: string): MediaEntry => ({
      key: 'examples', step, kind: 'image', time: 0, version: 'v1', inherited: false,
      items: [{ sha256: SHA, format: 'png', caption, width: 28, height: 28 }, { sha256: 'cd'.repeat(32), format: 'png' }],
    });
    const entries = steps.map((s) => image(s, `<b>${s}</b>`));
    const asked: unknown[] = [];
    const store = {
      mediaSteps: async () => steps,
      mediaAt: async (_v: string, _k: string, at: number) => [...entries].reverse().find((e) => e.step <= at) ?? null,
      mediaEntries: async (_v: string, _k: string, range: { from: number; to: number }, limit: number) => {
        asked.push({ range, limit });
        return entries.filter((e) => e.step >= range.from && e.step <= range.to).slice(0, limit);
      },
    } as unknown as StoreApi;
    const [row] = await queryMedia(store, '/logs', (f) => `uri:${path.basename(f)}`, ['v1'], 'examples', 505);
    assert.equal(row.entry?.step, 500);
    assert.deepEqual(asked, [{ range: { from: 460, to: 540 }, limit: MEDIA_STRIP_STEPS }]);
    assert.deepEqual(row.strip?.map((t) => t.step), [460, 470, 480, 490, 500, 510, 520, 530, 540]);
    assert.deepEqual(row.strip?.[4], { step: 500, src: `uri:${SHA}.png`, count: 2, caption: '<b>500</b>', width: 28, height: 28 });
    // One step has nothing to strip through.
    const one = { ...store, mediaSteps: async () => [0] } as unknown as StoreApi;
    assert.equal((await queryMedia(one, '/logs', (f) => f, ['v1'], 'examples', null))[0].strip, undefined);
  });
});
