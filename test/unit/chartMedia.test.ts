// The chart panel's media plumbing without a webview: file paths built only from a checked sha256 and
// format, table cells as text, which version a media card shows, and where its slider stands.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cellText, mediaPath, readTable, TABLE_ROWS } from '../../src/panels/chartData';
import { shownVersions, stopIndex } from '../../media/chart/mediaSteps';
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
});
