// The rewritten-whole importers (snapshot.ts) on hand-made files through the engine: Lightning's CSV
// parsing and a half-written rewrite that waits for its file to be still, Hugging Face checkpoints as
// model artifacts, an MLflow nested run grouped under its parent. The real writers are in the peers tests.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../../src/core/importers/lightning';
import { openEngine, tempDir } from './helpers';

function setup(source: string): { logDir: string; root: string } {
  const base = tempDir('rr-importers-');
  const logDir = path.join(base, '.runrewind');
  fs.mkdirSync(logDir);
  const root = path.join(base, source);
  fs.mkdirSync(root, { recursive: true });
  return { logDir, root };
}

describe('Importers: rewritten-whole files', () => {
  it('parses CSV as Python writes it, leaving out a torn last line', () => {
    assert.deepEqual(parseCsv('a,b\r\n1,"x,""y"""\r\n2,', true), [['a', 'b'], ['1', 'x,"y"']]);
    assert.deepEqual(parseCsv('a,b\r\n1,"x,""y"""\r\n2,', false), [['a', 'b'], ['1', 'x,"y"'], ['2', '']]);
    assert.deepEqual(parseCsv('a\n"multi\nline"\n', true), [['a'], ['multi\nline']]);
  });

  it('waits for a Lightning CSV rewrite to be still before taking it as a rewind; an added column is no rewind', async () => {
    const { logDir, root } = setup('lightning_logs');
    const dir = path.join(root, 'version_0');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'metrics.csv');
    const rows = (from: number, to: number, extra = false): string => Array.from({ length: to - from }, (_, i) => `${from + i},${(from + i) / 10}${extra ? ',' : ''}`).join('\r\n');
    fs.writeFileSync(file, `step,loss\r\n${rows(0, 10)}\r\n`);
    let now = fs.statSync(file).mtimeMs / 1000 + 10;
    const engine = await openEngine(logDir, { sources: [root], liveness: { now: () => now } });
    engine.ingest();
    const run = engine.listRuns()[0];
    assert.equal(run.origin?.kind, 'lightning');
    assert.equal(run.lastStep, 9);
    // The logger rewrites the file with a new column: the rows read are kept, the new ones added.
    fs.writeFileSync(file, `step,loss,acc\r\n${rows(0, 10, true)}\r\n10,1,0.5\r\n`);
    now = fs.statSync(file).mtimeMs / 1000 + 10;
    engine.ingest();
    assert.equal(engine.listRuns()[0].versions.length, 1);
    assert.equal(engine.listRuns()[0].lastStep, 10);
    // A rewrite caught half-way (fewer rows, just written) is not acted on until the file is still.
    fs.writeFileSync(file, 'step,loss,acc\r\n0,0,\r\n1,0.1,\r\n');
    now = fs.statSync(file).mtimeMs / 1000;
    engine.ingest();
    assert.equal(engine.listRuns()[0].versions.length, 1);
    fs.writeFileSync(file, 'step,loss,acc\r\n0,0,\r\n1,0.1,\r\n2,7,\r\n');
    now = fs.statSync(file).mtimeMs / 1000 + 10;
    engine.ingest();
    const after = engine.listRuns()[0];
    assert.equal(after.versions.length, 2);
    assert.deepEqual([...engine.series(after.id, 'loss').values], [0, 0.1, 7]);
    engine.close();
  });

  it('records every Hugging Face checkpoint as a model artifact at its step', async () => {
    const { logDir, root } = setup('outputs');
    const out = path.join(root, 'run1');
    const history = [{ step: 5, loss: 1 }, { step: 10, loss: 0.5 }, { step: 10, eval_loss: 0.7 }, { step: 15, loss: 0.25 }, { step: 20, loss: 0.2 }];
    for (const n of [10, 20]) {
      fs.mkdirSync(path.join(out, `checkpoint-${n}`), { recursive: true });
      fs.writeFileSync(path.join(out, `checkpoint-${n}`, 'trainer_state.json'), JSON.stringify({ global_step: n, max_steps: 20, log_history: history.filter((h) => h.step <= n) }));
    }
    const engine = await openEngine(logDir, { sources: [root], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    engine.ingest();
    const runs = engine.listRuns();
    assert.deepEqual(runs.map((r) => [r.name, r.origin?.kind]), [['run1', 'huggingface']]);
    assert.deepEqual([...engine.series(runs[0].id, 'loss').steps], [5, 10, 15, 20]);
    const artifacts = engine.artifacts(runs[0].liveVersion);
    assert.deepEqual(artifacts.map((a) => [a.artifactVersion, a.type, a.step, a.metadata.path]), [['v10', 'model', 10, path.join(out, 'checkpoint-10')], ['v20', 'model', 20, path.join(out, 'checkpoint-20')]]);
    assert.deepEqual(engine.getRun(runs[0].id).config, { max_steps: 20 });
    engine.close();
  });

  it('groups an MLflow nested run under its parent instead of forking it', async () => {
    const { logDir, root } = setup('mlruns');
    const exp = path.join(root, '1');
    fs.mkdirSync(exp);
    fs.writeFileSync(path.join(exp, 'meta.yaml'), "experiment_id: '1'\nname: my exp\nlifecycle_stage: active\n");
    const mk = (id: string, name: string, tags: Record<string, string>, metrics: string): void => {
      const dir = path.join(exp, id);
      for (const sub of ['metrics', 'params', 'tags']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
      fs.writeFileSync(path.join(dir, 'meta.yaml'), `run_id: ${id}\nrun_name: ${name}\nstatus: 3\nend_time: 1700000000000\nlifecycle_stage: active\n`);
      fs.writeFileSync(path.join(dir, 'metrics', 'loss'), metrics);
      for (const [k, v] of Object.entries({ 'mlflow.runName': name, ...tags })) fs.writeFileSync(path.join(dir, 'tags', k), v);
    };
    mk('aaa', 'parent', {}, '1700000000000 1.0 0\n1700000000100 0.5 1\n');
    mk('bbb', 'child', { 'mlflow.parentRunId': 'aaa' }, '1700000000200 0.25 0\n');
    const engine = await openEngine(logDir, { sources: [root], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    engine.ingest();
    const child = engine.listRuns().find((r) => r.name === 'child')!;
    assert.equal(child.project, 'my exp');
    assert.equal(child.forkedFrom, null);
    const table = engine.runsTable({});
    assert.equal(table.rows.find((r) => r.id === child.id)?.group, 'parent');
    engine.close();
  });
});
