// The rewritten-whole importers (snapshot.ts) on hand-made files through the engine: Lightning's CSV
// parsing and a half-written rewrite that waits for its file to be still, Hugging Face checkpoints as
// model artifacts, an MLflow nested run grouped under its parent. The real writers are in the peers tests.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../../src/core/importers/lightning';
import { pythonNumber } from '../../src/core/importers/snapshot';
import { Db } from '../../src/core/sqlite';
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

  it('reads numbers as Python writes them, plain ones by the fast path and the rest as before', () => {
    assert.deepEqual(['1', '-2.5', '1e-05', '.5', '3.', ' 1.5 ', 'nan', '-inf', 'Infinity', '1700000000123'].map(pythonNumber), [1, -2.5, 1e-5, 0.5, 3, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 1_700_000_000_123]);
    for (const bad of ['', ' ', '0x10', '1_000', '1,5', 'e5', '--1', 'nanx']) assert.equal(pythonNumber(bad), undefined, bad);
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

  // MLflow's SQLite store, with the tables and columns of MLflow's own schema (the real MLflow writes one
  // in python/tests/peers/test_mlflow.py).
  const MLFLOW_SCHEMA = `
    CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name VARCHAR(256) NOT NULL UNIQUE, artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT);
    CREATE TABLE runs (run_uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(250), source_type VARCHAR(20), source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(9), start_time BIGINT, end_time BIGINT, deleted_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200), experiment_id INTEGER);
    CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT NOT NULL DEFAULT 0, is_nan BOOLEAN NOT NULL DEFAULT 0, PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan));
    CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));
    CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));`;

  it('imports MLflow\'s SQLite store (mlflow.db): runs, params, tags, NaN, nested runs, deleted ones left out, and what is logged later', async () => {
    const base = tempDir('rr-mlflow-db-');
    const logDir = path.join(base, '.runrewind');
    const file = path.join(base, 'mlflow.db');
    const db = await Db.open();
    db.exec(MLFLOW_SCHEMA);
    db.run("INSERT INTO experiments VALUES (0, 'Default', '', 'active', 0, 0), (1, 'vision', '', 'active', 0, 0), (2, 'gone', '', 'deleted', 0, 0)");
    const run = (uuid: string, name: string, exp: number, status: string, stage = 'active', end: number | null = 1_700_000_100_000): void =>
      db.run('INSERT INTO runs (run_uuid, name, status, start_time, end_time, lifecycle_stage, experiment_id) VALUES (?,?,?,?,?,?,?)', [uuid, name, status, 1_700_000_000_000, end, stage, exp]);
    run('aaa', 'parent', 1, 'FINISHED');
    run('bbb', 'child', 1, 'FAILED');
    run('ccc', 'deleted', 1, 'FINISHED', 'deleted');
    run('ddd', 'in deleted experiment', 2, 'FINISHED');
    const metric = (uuid: string, key: string, value: number, step: number, t: number, nan = 0): void =>
      db.run('INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?,?,?,?,?,?)', [key, value, t, uuid, step, nan]);
    metric('aaa', 'loss', 1, 0, 1_700_000_000_000);
    metric('aaa', 'loss', 0.5, 1, 1_700_000_000_100);
    metric('aaa', 'acc', 0.1, 1, 1_700_000_000_150);
    metric('aaa', 'loss', 0, 2, 1_700_000_000_200, 1);
    metric('aaa', 'loss', 0.4, 1, 1_700_000_000_300); // logged again at step 1: the last value is kept
    metric('bbb', 'loss', 0.25, 0, 1_700_000_000_500);
    db.run("INSERT INTO params VALUES ('lr', '0.01', 'aaa'), ('layers', '4', 'aaa')");
    db.run("INSERT INTO tags VALUES ('mlflow.runName', 'parent', 'aaa'), ('team', 'vision', 'aaa'), ('mlflow.parentRunId', 'aaa', 'bbb'), ('mlflow.user', 'me', 'bbb')");
    fs.writeFileSync(file, db.export());
    const engine = await openEngine(logDir, { sources: [file], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    engine.ingest();
    const runs = engine.listRuns();
    assert.deepEqual(runs.map((r) => [r.name, r.project, r.origin?.kind, r.state]).sort(), [['child', 'vision', 'mlflow', 'failed'], ['parent', 'vision', 'mlflow', 'finished']]);
    const parent = runs.find((r) => r.name === 'parent')!;
    assert.equal(parent.origin?.path, file);
    assert.deepEqual([...engine.series(parent.id, 'loss').steps], [0, 1, 2]);
    assert.deepEqual([...engine.series(parent.id, 'loss').values], [1, 0.4, Number.NaN]);
    assert.deepEqual(engine.getRun(parent.id).config, { layers: '4', lr: '0.01' });
    const table = engine.runsTable({});
    assert.deepEqual(table.rows.find((r) => r.id === parent.id)?.tags, ['team: vision']);
    assert.equal(table.rows.find((r) => r.name === 'child')?.group, 'parent');
    // Logged later by a running run: read when the file changes, the rows it had kept.
    run('eee', 'live', 1, 'RUNNING', 'active', null);
    for (let s = 0; s < 5; s++) metric('eee', 'loss', 1 / (s + 1), s, 1_700_000_001_000 + s);
    fs.writeFileSync(file, db.export());
    engine.ingest();
    const live = engine.listRuns().find((r) => r.name === 'live')!;
    assert.equal(live.lastStep, 4);
    for (let s = 5; s < 8; s++) metric('eee', 'loss', 1 / (s + 1), s, 1_700_000_002_000 + s);
    fs.writeFileSync(file, db.export());
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(file, later, later);
    engine.ingest();
    assert.deepEqual([...engine.series(live.id, 'loss').steps], [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(engine.listRuns().find((r) => r.name === 'live')!.versions.length, 1, 'appending is not a rewind');
    // Read where it is: the database is untouched.
    assert.deepEqual(Buffer.from(fs.readFileSync(file)), Buffer.from(db.export()));
    db.close();
    engine.close();
  });
});
