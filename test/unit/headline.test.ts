// The headline metric beside each run in the tree (issue 11 item 7): the user's setting, then a loss
// (one the version logs itself first), then a key the version itself logs — never a stale inherited key
// just because it sorts first.
import * as assert from 'node:assert/strict';
import type { Engine } from '../../src/core/engine';
import { openEngine, tempDir, writer } from './helpers';

/** A source run logging `keys` for steps 0..299, and a fork of it at 200 that logs only `forkKeys`. */
async function forkScenario(keys: readonly string[], forkKeys: readonly string[], headlineMetric?: string): Promise<{ engine: Engine; source: string; fork: string }> {
  const dir = tempDir();
  const w = writer(dir, { project: 'p', name: 'baseline' });
  for (let s = 0; s < 300; s++) w.log(Object.fromEntries(keys.map((k, i) => [k, s + i * 1000])));
  w.finish();
  const engine = await openEngine(dir, { headlineMetric });
  engine.ingest();
  const fork = engine.fork(w.run, 200, { id: 'fork01' });
  const fw = writer(dir, { run: 'fork01', version: fork.version, mode: 'resume', lastStep: 200 });
  for (let s = 201; s < 250; s++) fw.log(Object.fromEntries(forkKeys.map((k) => [k, -s])));
  fw.finish();
  engine.ingest();
  return { engine, source: w.run, fork: 'fork01' };
}

function headline(engine: Engine, runId: string): { key: string; value: number } | null {
  return engine.listRuns().find((r) => r.id === runId)?.headline ?? null;
}

describe('headline metric', () => {
  it('a fork that only logs `metric` shows `metric`, not an inherited key that sorts first', async () => {
    const { engine, source, fork } = await forkScenario(['additional_metric', 'metric'], ['metric']);
    assert.deepEqual(headline(engine, fork), { key: 'metric', value: -249 });
    // The source logs both itself: the first by name, as before.
    assert.equal(headline(engine, source)?.key, 'additional_metric');
  });

  it('a loss comes before other keys, even inherited; a loss the version logs itself comes first', async () => {
    const inherited = await forkScenario(['acc', 'loss'], ['acc']);
    assert.deepEqual(headline(inherited.engine, inherited.fork), { key: 'loss', value: 1200 });
    const own = await forkScenario(['acc', 'loss'], ['val_loss']);
    assert.deepEqual(headline(own.engine, own.fork), { key: 'val_loss', value: -249 });
  });

  it('the setting wins when the history has the key, inherited or not; otherwise the rules above', async () => {
    const set = await forkScenario(['additional_metric', 'metric'], ['metric'], 'additional_metric');
    assert.deepEqual(headline(set.engine, set.fork), { key: 'additional_metric', value: 200 });
    const missing = await forkScenario(['additional_metric', 'metric'], ['metric'], 'nope');
    assert.equal(headline(missing.engine, missing.fork)?.key, 'metric');
  });

  it('a fork that has logged nothing yet shows its inherited history', async () => {
    const { engine, fork } = await forkScenario(['additional_metric', 'metric'], []);
    assert.equal(headline(engine, fork)?.key, 'additional_metric');
  });
});
