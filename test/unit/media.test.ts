// Media records (protocol 1.2) in the store: the Python client's real log files and media files read
// back; a rewind keeps the media up to its branch step while the archived version keeps all of it; a
// fork shares the source's; the same image logged twice is one file; every bad field has a diagnostic.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeRecord } from '../../src/core/protocol';
import { RecordProblem, parseRecord } from '../../src/core/records';
import { openEngine, runPython, tempDir } from './helpers';


const SCRIPT = `
import runrewind as wandb
run = wandb.init(project="media", id="base")
for step in range(6):
    # Steps 0 and 3 log the same pixels: one file.
    run.log({"loss": 1.0 / (step + 1), "sample": wandb.Image([[step % 3 * 40]], caption="step %d" % step),
             "weights": wandb.Histogram([step, step + 1, step + 2], num_bins=2)})
run.log({"preds": wandb.Table(columns=["x", "y"], data=[[1, 2]])})
run.finish()
rewound = wandb.init(project="media", resume_from="base?_step=2")
rewound.log({"loss": 0.1, "sample": wandb.Image([[250]], caption="after the rewind")})
rewound.finish()
fork = wandb.init(project="media", id="forked", fork_from="base?_step=1")
fork.log({"loss": 0.2})
fork.finish()
print(run.version_id, rewound.version_id)
`;

describe('media records', () => {
  it('a rewind keeps the media up to its branch step, the archived version keeps all of it, a fork shares them', async () => {
    const dir = tempDir();
    const [archived, live] = runPython(dir, SCRIPT).split(' ');
    const engine = await openEngine(dir);
    const result = engine.ingest();
    assert.deepEqual(result.diagnostics, []);

    assert.deepEqual(engine.mediaKeys(archived).map((k) => [k.key, k.kind, k.steps, k.firstStep, k.lastStep]), [
      ['preds', 'table', 1, 6, 6], ['sample', 'image', 6, 0, 5], ['weights', 'histogram', 6, 0, 5],
    ]);
    assert.deepEqual(engine.mediaSteps(archived, 'sample'), [0, 1, 2, 3, 4, 5]);
    // The live version (rewound at 2): steps 0..2 inherited, then its own step 3.
    assert.deepEqual(engine.mediaKeys('base').map((k) => [k.key, k.steps, k.lastStep]), [['sample', 4, 3], ['weights', 3, 2]]);
    assert.deepEqual(engine.mediaSteps('base', 'sample'), [0, 1, 2, 3]);
    const own = engine.mediaAt('base', 'sample', 3)!;
    assert.equal(own.version, live);
    assert.equal(own.inherited, false);
    assert.equal(own.items[0].caption, 'after the rewind');
    const inherited = engine.mediaAt('base', 'sample', 1)!;
    assert.deepEqual([inherited.step, inherited.version, inherited.inherited, inherited.items[0].caption], [1, archived, true, 'step 1']);
    // Nearest at or before, else the first after.
    assert.equal(engine.mediaAt(archived, 'preds', 100)!.step, 6);
    assert.equal(engine.mediaAt(archived, 'preds', 2)!.step, 6);
    assert.equal(engine.mediaAt(archived, 'nothing', 2), null);
    assert.equal(engine.mediaAt(archived, 'sample', 99)!.items[0].caption, 'step 5');
    // The archived version keeps its step 3 (the live one replaced it).
    assert.equal(engine.mediaAt(archived, 'sample', 3)!.items[0].caption, 'step 3');
    // A fork at 1 shares steps 0 and 1.
    assert.deepEqual(engine.mediaSteps('forked', 'weights'), [0, 1]);
    assert.deepEqual(engine.mediaEntries('forked', 'weights').map((e) => [e.step, e.inherited, e.items[0].counts]), [[0, true, [1, 2]], [1, true, [1, 2]]]);
    assert.deepEqual(engine.mediaEntries(archived, 'weights', { from: 2, to: 3 }).map((e) => e.step), [2, 3]);
    assert.equal(engine.mediaEntries(archived, 'weights', {}, 2).length, 2);

    // Files: content-addressed, the same pixels at steps 0 and 3 are one file, the bytes match the hash.
    const e0 = engine.mediaAt(archived, 'sample', 0)!.items[0];
    const e3 = engine.mediaAt(archived, 'sample', 3)!.items[0];
    assert.equal(e0.sha256, e3.sha256);
    assert.equal(e0.file, path.join(dir, 'media', e0.sha256!.slice(0, 2), `${e0.sha256}.png`));
    const bytes = fs.readFileSync(e0.file!);
    assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), e0.sha256);
    assert.equal(bytes.length, e0.size);
    const pngs = fs.readdirSync(path.join(dir, 'media'), { recursive: true }).filter((f) => String(f).endsWith('.png'));
    assert.equal(pngs.length, 4, 'pixels 0, 40, 80 and the rewind\'s 250: four files for seven images');
    // Media keys never become metrics.
    assert.deepEqual(engine.metricKeys(archived).map((k) => k.key), ['loss']);

    // Survives a rebuild from the logs (the schema has the table; clearData empties it).
    await engine.rebuild();
    assert.deepEqual(engine.mediaSteps('base', 'sample'), [0, 1, 2, 3]);
  });

  it('an artifact stays with the version that logged it; a rewind keeps the checkpoints logged up to its step', async () => {
    const dir = tempDir();
    const [archived, live] = runPython(dir, `
import os, runrewind as wandb
run = wandb.init(project="ckpt", id="pre")
for step in range(6):
    run.log({"loss": step})
    if step in (1, 4):
        path = os.path.join(os.environ["RUNREWIND_DIR"], "c%d.pt" % step)
        open(path, "w").write("weights %d" % step)
        art = wandb.Artifact("ckpt-pre", type="checkpoint", metadata={"step": step})
        art.add_file(path)
        run.log_artifact(art, aliases=["step-%d" % step])
run.finish()
rewound = wandb.init(project="ckpt", resume_from="pre?_step=3")
used = rewound.use_artifact("ckpt-pre:step-1")
rewound.finish()
print(run.version_id, rewound.version_id)
`).split(' ');
    const engine = await openEngine(dir);
    assert.deepEqual(engine.ingest().diagnostics, []);
    const row = (a: ReturnType<typeof engine.artifacts>[number]): unknown[] => [a.action, a.artifactVersion, a.step, a.recordedBy === archived ? 'archived' : 'live', a.inherited, a.aliases.join(',')];
    assert.deepEqual(engine.artifacts(archived).map(row), [['log', 'v0', 1, 'archived', false, 'latest,step-1'], ['log', 'v1', 4, 'archived', false, 'latest,step-4']]);
    // Rewound at 3: the checkpoint of step 1 is inherited, the one of step 4 stays with the archived version.
    assert.deepEqual(engine.artifacts('pre').map(row), [['log', 'v0', 1, 'archived', true, 'latest,step-1'], ['use', 'v0', 3, 'live', false, 'latest,step-1']]);
    const records = engine.artifactRecords('ckpt-pre', 'v0');
    assert.deepEqual(records.map((r) => [r.action, r.recordedBy === live ? 'live' : 'archived', r.sourceVersion === archived]), [['log', 'archived', true], ['use', 'live', true]]);
    const manifest = JSON.parse(fs.readFileSync(records[0].manifestFile, 'utf8')) as { metadata: { step: number }; run_version: string };
    assert.deepEqual([manifest.metadata.step, manifest.run_version], [1, archived]);
    assert.throws(() => engine.artifactRecords('../x', 'v0'), /an artifact name is 1 to 128 letters/);
    const bad = parseRecord(JSON.stringify({ type: 'artifact', time: 1, action: 'steal', step: 0, name: 'a', version: 'v0', artifact_type: 'model' }), 'writer');
    assert.ok(bad instanceof RecordProblem && /"action" must be "log", "use" or "link"/.test(bad.reason));
    const badVersion = parseRecord(JSON.stringify({ type: 'artifact', time: 1, action: 'log', step: 0, name: 'a', version: 'latest', artifact_type: 'model' }), 'writer');
    assert.ok(badVersion instanceof RecordProblem && /"version" must be v0, v1/.test(badVersion.reason));
  });

  it('refuses bad fields with a diagnostic naming the field, and bad arguments with a clear error', async () => {
    const sha = 'a'.repeat(64);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'media', time: 1, step: -1, key: 'k', kind: 'image', items: [{ sha256: sha, format: 'png' }] }, /"step" must be a non-negative integer, got -1/],
      [{ type: 'media', time: 1, step: 0, key: '', kind: 'image', items: [{ sha256: sha, format: 'png' }] }, /"key" must be a non-empty string/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'Image!', items: [{ sha256: sha, format: 'png' }] }, /"kind" must be a media kind/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'image', items: [] }, /"items" must be an array of 1 to 1000 objects/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'image', items: [{ format: 'png' }] }, /"items\[0\]".sha256 must be 64 lowercase hex digits/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'image', items: [{ sha256: '../../etc/passwd', format: 'png' }] }, /sha256 must be 64 lowercase hex digits/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'image', items: [{ sha256: sha, format: 'png/../x' }] }, /"items\[0\]".format must be 1 to 16 lowercase letters and digits/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'image', items: [{ sha256: sha, format: 'png', width: 1.5 }] }, /"items\[0\]".width must be a non-negative integer/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'image', items: [{ sha256: sha, format: 'png', caption: 7 }] }, /caption must be a string/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'histogram', items: [{ bins: [0, 1], counts: [1, 2] }] }, /"items\[0\]".bins must be an array of 3 numbers/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'histogram', items: [{ bins: [0, 1] }] }, /counts must be an array of 1 to 512 numbers/],
      [{ type: 'media', time: 1, step: 0, key: 'k', kind: 'table', items: [{ sha256: sha, format: 'json', columns: [1] }] }, /columns must be an array of strings/],
    ];
    for (const [record, message] of cases) {
      const parsed = parseRecord(JSON.stringify(record), 'writer');
      assert.ok(parsed instanceof RecordProblem, `${JSON.stringify(record)} was accepted`);
      assert.equal(parsed.kind, 'field');
      assert.match(parsed.reason, message);
    }
    const unknownKind = parseRecord(JSON.stringify({ type: 'media', time: 1, step: 0, key: 'k', kind: 'molecule', items: [{ sha256: sha, format: 'pdb', atoms: 3 }] }), 'writer');
    assert.ok(!(unknownKind instanceof RecordProblem), 'a kind this reader does not know is kept');

    // A bad record in a real file is skipped with a diagnostic, the records around it kept.
    const dir = tempDir();
    const folder = path.join(dir, 'runs', 'm1');
    fs.mkdirSync(folder, { recursive: true });
    const lines = [
      { type: 'start', protocol: 1, protocol_minor: 2, time: 1, run: 'm1', version: 'vmmmmmmmmmmm1', mode: 'new', host: 'elsewhere', pid: 1 },
      { type: 'media', time: 2, step: 0, key: 'h', kind: 'histogram', items: [{ bins: [0, 1, 2], counts: [3, 4] }] },
      { type: 'media', time: 2, step: 0, key: 'bad', kind: 'image', items: [{ sha256: 'nope', format: 'png' }] },
      { type: 'row', time: 2, step: 0, data: { x: 1 } },
      { type: 'finish', time: 3, exit_code: 0 },
    ];
    fs.writeFileSync(path.join(folder, '1700000000000-abcdefgh.jsonl'), lines.map((r) => `${encodeRecord(r)}\n`).join(''));
    const engine = await openEngine(dir);
    const result = engine.ingest();
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0].line, 3);
    assert.match(result.diagnostics[0].message, /sha256 must be 64 lowercase hex digits, got "nope"; the record is skipped/);
    assert.deepEqual(engine.mediaKeys('m1').map((k) => k.key), ['h']);
    assert.deepEqual(engine.mediaAt('m1', 'h', 0)!.items, [{ bins: [0, 1, 2], counts: [3, 4] }]);
    assert.throws(() => engine.mediaAt('m1', 'h', -1), /a media step must be a non-negative integer, got -1/);
    assert.throws(() => engine.mediaSteps('m1', ''), /a media key must be a non-empty string/);
    assert.throws(() => engine.mediaKeys('nope'), /There is no run or version "nope"/);
  });
});
