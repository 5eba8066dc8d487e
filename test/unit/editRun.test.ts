// Editing a run's tags, notes and group after the fact (an `edit` op record, docs/PROTOCOL.md): what the
// store shows after the edit, after a rebuild and to a second reader, the record written, refusals of bad
// input and of malformed records, and the Python client's reader agreeing on the runs and their lineage.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunRewindError } from '../../src/core/errors';
import { engineView, linearRun, openEngine, pythonView, tempDir, writer } from './helpers';

function opFiles(dir: string): string[] {
  const ops = path.join(dir, 'ops');
  return fs.existsSync(ops) ? fs.readdirSync(ops).sort().map((f) => fs.readFileSync(path.join(ops, f), 'utf8')) : [];
}

describe('editing tags, notes and group', () => {
  it('replaces what an edit gives, keeps the rest, and reads the same after a rebuild and in another reader', async () => {
    const dir = tempDir();
    const w = writer(dir, { name: 'baseline', tags: ['sweep'], notes: 'first try', group: 'g1' });
    w.log({ loss: 1 });
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();

    engine.editRun(w.run, { tags: [' best ', 'sweep', 'best', ''] });
    let run = engine.listRuns()[0];
    assert.deepEqual(run.tags, ['best', 'sweep'], 'trimmed, empty ones dropped, each once');
    assert.equal(run.notes, 'first try', 'notes not given: kept');
    engine.editRun(w.run, { notes: 'lr too high\nsee step 40', group: '' });
    run = engine.listRuns()[0];
    assert.equal(run.notes, 'lr too high\nsee step 40');
    assert.equal(engine.runsTable().rows[0].group, null, 'an empty group clears it');
    engine.editRun(w.run, { group: 'final' });
    assert.equal(engine.runsTable().rows[0].group, 'final');
    assert.deepEqual(engine.runsTable({ filter: 'tags has "best" and group = final' }).rows.map((r) => r.id), [w.run], 'the filter sees the edit');

    const records = opFiles(dir).map((t) => JSON.parse(t) as Record<string, unknown>);
    assert.deepEqual(records.map(({ time: _t, ...r }) => r), [
      { type: 'edit', run: w.run, tags: ['best', 'sweep'] },
      { type: 'edit', run: w.run, notes: 'lr too high\nsee step 40', group: null },
      { type: 'edit', run: w.run, group: 'final' },
    ]);

    const again = await openEngine(dir);
    again.ingest();
    const row = again.runsTable().rows[0];
    assert.deepEqual([row.tags, row.notes, row.group], [['best', 'sweep'], 'lr too high\nsee step 40', 'final']);
    await engine.rebuild();
    assert.deepEqual(engine.listRuns()[0].tags, ['best', 'sweep']);
    assert.deepEqual(pythonView(dir), engineView(engine), 'the Python reader sees the same runs');
  });

  it('keeps an edited group in the saved store (read back without reading the logs again)', async () => {
    const dir = tempDir();
    const snapshotPath = path.join(tempDir('rr-snap-'), 'store.sqlite');
    const w = writer(dir, { name: 'grouped', group: 'g1', tags: ['a'] });
    w.log({ loss: 1 });
    w.finish();
    const engine = await openEngine(dir, { snapshotPath });
    engine.ingest();
    engine.editRun(w.run, { group: 'g2', tags: ['b'] });
    engine.save();
    const reopened = await openEngine(dir, { snapshotPath });
    const row = reopened.runsTable().rows[0];
    assert.deepEqual([row.group, row.tags], ['g2', ['b']]);
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 3);
    const engine = await openEngine(dir);
    engine.ingest();
    const refused = (change: unknown, pattern: RegExp): void =>
      assert.throws(() => engine.editRun(w.run, change as never), (e: unknown) => e instanceof RunRewindError && e.code === 'bad-argument' && pattern.test(e.message));
    refused({}, /must give tags, notes or group/);
    refused({ tags: 'a,b' }, /list of strings/);
    refused({ tags: [1] }, /list of strings/);
    refused({ tags: ['x'.repeat(300)] }, /at most 256 characters/);
    refused({ notes: 5 }, /Notes must be text/);
    refused({ group: 7 }, /A group must be/);
    assert.throws(() => engine.editRun('nosuchrun', { tags: [] }), (e: unknown) => e instanceof RunRewindError && e.code === 'unknown-run');
    assert.deepEqual(opFiles(dir), []);
  });

  it('skips a malformed edit record with a diagnostic, and applies one written before its run once the run exists', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'ops'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'ops', '20260101T000000000Z-aaaa.jsonl'), `${JSON.stringify({ type: 'edit', time: 1, run: 'later01', tags: ['early'] })}\n`);
    fs.writeFileSync(path.join(dir, 'ops', '20260101T000000001Z-bbbb.jsonl'), `${JSON.stringify({ type: 'edit', time: 1, run: 'later01' })}\n`);
    fs.writeFileSync(path.join(dir, 'ops', '20260101T000000002Z-cccc.jsonl'), `${JSON.stringify({ type: 'edit', time: 1, run: 'later01', group: '' })}\n`);
    linearRun(dir, 3, { run: 'later01' });
    const engine = await openEngine(dir);
    engine.ingest();
    engine.ingest();
    assert.deepEqual(engine.listRuns().find((r) => r.id === 'later01')?.tags, ['early']);
    const problems = engine.diagnostics().filter((d) => d.file.includes(`${path.sep}ops${path.sep}`)).map((d) => d.message);
    assert.ok(problems.some((m) => /an edit must give "tags", "notes" or "group"/.test(m)), problems.join('\n'));
    assert.ok(problems.some((m) => /"group" must be null or a non-empty string/.test(m)), problems.join('\n'));
    assert.deepEqual(pythonView(dir), engineView(engine));
  });
});
