// Checkpoint-aware rewind in the core and the command line: the Python client logs checkpoints at steps
// 100, 200 and 300; the newest at or before a step is the one a rewind names and loads, inherited ones
// count after a rewind, and `runrewind rewind --to-checkpoint` goes to its step.
import * as assert from 'node:assert/strict';
import type { ArtifactUse } from '../../src/core/api';
import { checkpointAtOrBefore, checkpointLoadLine, checkpoints } from '../../src/core/checkpoints';
import { main } from '../../src/cli';
import { openEngine, runPython, tempDir } from './helpers';


/** A run "pre" of 320 steps with a model checkpoint after steps 100, 200 and 300, and a dataset. */
const TRAIN = `
import os, runrewind
run = runrewind.init(project="ckpt", id="pre")
data = os.path.join(os.environ["RUNREWIND_DIR"], "data.csv")
open(data, "w").write("x")
run.log_artifact(data, name="train-data", type="dataset")
for step in range(320):
    run.log({"loss": 1.0 / (step + 1)})
    if step in (100, 200, 300):
        path = os.path.join(os.environ["RUNREWIND_DIR"], "w%d.pt" % step)
        open(path, "w").write("weights %d" % step)
        run.log_model(path, name="model-pre")
run.finish()
print(run.version_id)
`;

async function capture(argv: string[]): Promise<string> {
  let out = '';
  const code = await main(argv, (text) => {
    out += text;
  });
  assert.equal(code, 0);
  return out;
}

describe('checkpoints', () => {
  it('the newest checkpoint at or before a step; after a rewind the inherited ones count', async () => {
    const dir = tempDir();
    const first = runPython(dir, TRAIN);
    const engine = await openEngine(dir);
    assert.deepEqual(engine.ingest().diagnostics, []);
    const all = engine.artifacts('pre');
    assert.deepEqual(checkpoints(all).map((c) => [c.name, c.artifactVersion, c.step, c.type]), [
      ['model-pre', 'v0', 100, 'model'], ['model-pre', 'v1', 200, 'model'], ['model-pre', 'v2', 300, 'model'],
    ]);
    assert.equal(checkpointAtOrBefore(all, 250)?.artifactVersion, 'v1');
    assert.equal(checkpointAtOrBefore(all, 300)?.artifactVersion, 'v2');
    assert.equal(checkpointAtOrBefore(all, 99), undefined);
    engine.rewind('pre', 250);
    const after = engine.artifacts('pre');
    assert.deepEqual(checkpoints(after).map((c) => [c.artifactVersion, c.inherited, c.recordedBy === first]), [['v0', true, true], ['v1', true, true]]);
    assert.equal(checkpointAtOrBefore(after, 250)?.step, 200);
    engine.close();
  });

  it('metadata.step names the step; the newest of one step wins; used artifacts are not checkpoints', () => {
    const use = (over: Partial<ArtifactUse>): ArtifactUse => ({
      action: 'log', name: 'a', artifactVersion: 'v0', type: 'dataset', aliases: [], digest: null, size: null, files: null, metadata: {}, step: 10,
      recordedBy: 'v', inherited: false, sourceVersion: 'v', manifestFile: '/m', ...over,
    });
    const list = [
      use({ name: 'data' }),
      use({ name: 'late', metadata: { step: 4 } }),
      use({ name: 'm', type: 'checkpoint', artifactVersion: 'v0', step: 7 }),
      use({ name: 'm', type: 'checkpoint', artifactVersion: 'v1', step: 7 }),
      use({ name: 'loaded', type: 'model', action: 'use', step: 8 }),
      use({ name: 'early', type: 'model', step: null }),
      use({ name: 'bad', metadata: { step: -1 } }),
    ];
    assert.deepEqual(checkpoints(list).map((c) => `${c.name}:${c.artifactVersion}@${c.step}`), ['late:v0@4', 'm:v0@7', 'm:v1@7']);
    assert.equal(checkpointAtOrBefore(list, 9)?.artifactVersion, 'v1');
    assert.equal(checkpointAtOrBefore(list, 5)?.name, 'late');
    assert.equal(checkpointLoadLine({ name: 'm', artifactVersion: 'v1' }), 'checkpoint_dir = run.use_artifact("m:v1").download()');
  });

  it('runrewind rewind prints the checkpoint; --to-checkpoint goes to its step', async () => {
    const dir = tempDir();
    runPython(dir, TRAIN);
    const text = await capture(['rewind', 'pre', '--step', '250', '--dir', dir, '--no-cache']);
    assert.match(text, /Rewound run pre to step 250/);
    assert.match(text, /Checkpoint: model-pre:v1 \(model\) at step 200\./);
    assert.match(text, /Load the checkpoint with: checkpoint_dir = run\.use_artifact\("model-pre:v1"\)\.download\(\)/);
    // The live version now ends at 250 with checkpoints v0 and v1 inherited: --to-checkpoint from 150 goes to 100.
    const json = JSON.parse(await capture(['rewind', 'pre', '--step', '150', '--to-checkpoint', '--json', '--dir', dir, '--no-cache'])) as { run: { last_step: number }; checkpoint: { spec: string; step: number } };
    assert.deepEqual([json.run.last_step, json.checkpoint.spec, json.checkpoint.step], [100, 'model-pre:v0', 100]);
    // Without --step: the newest checkpoint before the last step (100 is the last step now: none is left).
    let err = '';
    await assert.rejects(main(['rewind', 'pre', '--to-checkpoint', '--dir', dir, '--no-cache'], () => undefined, (t) => (err += t)), /run pre has no checkpoint at or before step 99 \(its checkpoints: model-pre:v0 at step 100\)/);
    assert.equal(err, '');
  });

  it('--to-checkpoint without --step goes to the newest checkpoint before the last step', async () => {
    const dir = tempDir();
    runPython(dir, TRAIN);
    const text = await capture(['rewind', 'pre', '--to-checkpoint', '--dir', dir, '--no-cache']);
    assert.match(text, /Rewound run pre to step 300: .*\nCheckpoint: model-pre:v2 \(model\) at step 300\./);
    await assert.rejects(main(['rewind', 'nobody', '--to-checkpoint', '--dir', dir, '--no-cache'], () => undefined), /no run or version "nobody"/);
  });
});

describe('runrewind artifacts', () => {
  it('lists a version\'s artifacts, inherited ones marked ^ and checkpoints *', async () => {
    const dir = tempDir();
    const first = runPython(dir, TRAIN);
    await capture(['rewind', 'pre', '--step', '250', '--dir', dir, '--no-cache']);
    const text = await capture(['artifacts', 'pre', '--dir', dir, '--no-cache']);
    assert.match(text, /\^ {2}log\s+train-data:v0\s+dataset\s+-/);
    assert.match(text, /\^\* log\s+model-pre:v1\s+model\s+200\s+latest/);
    assert.doesNotMatch(text, /model-pre:v2/);
    const json = JSON.parse(await capture(['artifacts', 'pre', '--version', first, '--json', '--dir', dir, '--no-cache'])) as { spec: string; checkpoint_step: number | null; inherited: boolean }[];
    assert.deepEqual(json.map((a) => [a.spec, a.checkpoint_step, a.inherited]), [['train-data:v0', null, false], ['model-pre:v0', 100, false], ['model-pre:v1', 200, false], ['model-pre:v2', 300, false]]);
    await assert.rejects(main(['artifacts', '--dir', dir, '--no-cache'], () => undefined), /artifacts needs a run id/);
  });
});
