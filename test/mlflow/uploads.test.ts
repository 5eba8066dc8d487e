// The `mlflow` test stage: what `runrewind sync --mlflow` uploads besides metrics — the console, media,
// saved files, logged artifacts (run artifacts through the server's artifact proxy) and system metrics —
// against a real MLflow server on PostgreSQL, read back with MLflow's own client
// (python/tests/mlflowsync/read_artifacts.py, read_back.py) and compared byte by byte with what was logged.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine';
import { syncStatePath, syncToMlflow } from '../../src/core/sync/mlflowSync';
import { PYTHON, URI, serverSuite } from './serverHelpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'bin', 'runrewind.js');
const T = `u${Date.now().toString(36)}`;

interface ServerFile {
  listed_size: number;
  size: number;
  sha256: string;
  text?: string;
}

/** Every file of each MLflow run as MlflowClient lists and downloads it. */
function readArtifacts(...runIds: string[]): Record<string, Record<string, ServerFile>> {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'python', 'tests', 'mlflowsync', 'read_artifacts.py'), URI, ...runIds], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `read_artifacts.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Record<string, ServerFile>>;
}

interface ServerRun {
  run_id: string;
  tags: Record<string, string>;
  metrics: Record<string, Array<[number, number, number | string]>>;
}

function serverRuns(experiment: string): ServerRun[] {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'python', 'tests', 'mlflowsync', 'read_back.py'), URI, experiment], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `read_back.py failed: ${r.stderr}`);
  const exps = (JSON.parse(r.stdout) as { experiments: Array<{ name: string; runs: ServerRun[] }> }).experiments.filter((e) => e.name === experiment);
  assert.equal(exps.length, 1);
  return exps[0].runs;
}

function makeRuns(dir: string, project: string, megabytes: number): void {
  const r = spawnSync('python3', [path.join(ROOT, 'python', 'tests', 'mlflowsync', 'make_runs.py'), dir, project, 'files', String(megabytes)], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python'), RUNREWIND_CONSOLE: 'off', RUNREWIND_STATS: 'off', RUNREWIND_META: 'off' },
  });
  assert.equal(r.status, 0, `make_runs.py failed: ${r.stderr}`);
}

interface SyncJson {
  versions: Array<{ version: string; mlflow_run_id: string; files: number; bytes: number; unchanged: boolean }>;
  files: number;
  bytes: number;
  requests: number;
  warnings: string[];
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function sync(dir: string, extra: string[] = []): SyncJson {
  const r = cli(['sync', '--dir', dir, '--mlflow', URI, '--json', ...extra]);
  assert.equal(r.status, 0, `runrewind sync failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as SyncJson;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * What each version's MLflow run should hold, by artifact path, from the local store: the console as the
 * Run Console shows it (inherited lines first), every media file and histogram of its visible history,
 * the newest run-files version as files/, every artifact version it logged (or inherited).
 */
function expectedFiles(engine: Engine, version: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = engine.consoleLines(version).lines;
  if (lines.length > 0) out.set('output.log', sha256(lines.map((l) => `${l.text}\n`).join('')));
  for (const info of engine.mediaKeys(version)) {
    for (const entry of engine.mediaEntries(version, info.key)) {
      entry.items.forEach((item, n) => {
        if (item.file) out.set(`media/${info.key}/${entry.step}_${n}.${item.format}`, sha256(fs.readFileSync(item.file)));
        else out.set(`media/${info.key}/${entry.step}_${n}.histogram.json`, sha256(JSON.stringify({ bins: item.bins, counts: item.counts })));
      });
    }
  }
  const logged = engine.artifacts(version).filter((a) => a.action === 'log');
  const saved = logged.filter((a) => a.type === 'run-files');
  for (const use of [...saved.slice(-1), ...logged.filter((a) => a.type !== 'run-files')]) {
    const manifest = JSON.parse(fs.readFileSync(use.manifestFile, 'utf8')) as { manifest: Record<string, { sha256: string }> };
    for (const [name, entry] of Object.entries(manifest.manifest)) {
      const object = path.join(path.dirname(path.dirname(path.dirname(use.manifestFile))), 'objects', entry.sha256.slice(0, 2), entry.sha256);
      out.set(use.type === 'run-files' ? `files/${name}` : `artifacts/${use.name}/${use.artifactVersion}/${name}`, sha256(fs.readFileSync(object)));
    }
  }
  return out;
}

/** Each version's MLflow run holds exactly its expected files, whole (listed size = downloaded size = local bytes). */
async function assertFilesWhole(dir: string, result: SyncJson): Promise<Map<string, Record<string, ServerFile>>> {
  const engine = await Engine.open({ logDir: dir });
  const byVersion = new Map<string, Record<string, ServerFile>>();
  try {
    engine.ingest();
    const runOf = new Map(result.versions.map((v) => [v.version, v.mlflow_run_id]));
    const server = readArtifacts(...runOf.values());
    for (const [version, runId] of runOf) {
      const expected = expectedFiles(engine, version);
      const have = server[runId];
      assert.deepEqual(Object.keys(have).sort(), [...expected.keys()].sort(), `the files of ${version}, each once, nothing else`);
      for (const [p, sum] of expected) {
        assert.equal(have[p].sha256, sum, `${version} ${p}: the bytes logged`);
        assert.equal(have[p].listed_size, have[p].size, `${version} ${p}: listed whole`);
      }
      byVersion.set(version, have);
    }
  } finally {
    engine.close();
  }
  return byVersion;
}

describe('runrewind sync --mlflow uploads files (a real MLflow server with its artifact proxy)', function () {
  this.timeout(300_000);
  const root = serverSuite('rr-mlflow-up-');

  it('console, media, saved files and an artifact of each version (a rewind and a fork inherit up to their branch step), read back by MlflowClient byte by byte; system metrics as system/…; a second sync uploads nothing', async function () {
    const dir = path.join(root(), 'files');
    makeRuns(dir, `f${T}`, 2);
    const result = sync(dir);
    assert.equal(result.versions.length, 3);
    const files = await assertFilesWhole(dir, result);
    assert.equal(result.files, [...files.values()].reduce((n, f) => n + Object.keys(f).length, 0), 'every file uploaded once');

    const engine = await Engine.open({ logDir: dir });
    engine.ingest();
    const media = engine.getRun(`f${T}-media`);
    const archived = media.versions.find((v) => v.archived)!.id;
    const live = media.version.id;
    const fork = engine.getRun(`f${T}-mfork`).version.id;
    const system = engine.systemMetrics(archived);
    engine.close();

    // What the Python client logged, as MLflow's client reads it back.
    const old = files.get(archived)!;
    assert.equal(old['output.log'].text, [0, 1, 2, 3, 4].map((s) => `epoch ${s}: loss ${(1 / (s + 1)).toFixed(3)} ünï\n`).join(''));
    assert.equal(old['files/notes.txt'].text, 'saved at step 1\n');
    assert.equal(old[`artifacts/model-f${T}/v0/sub dir/config.json`].text, '{"layers": 3}');
    assert.equal(old[`artifacts/model-f${T}/v0/weights.bin`].size, 2 * 1024 * 1024);
    assert.deepEqual(JSON.parse(old['media/preds/4_0.json'].text!), { columns: ['x', 'y'], data: [[1, 2.5], [2, 'b']] });
    assert.deepEqual(Object.keys(old).filter((p) => p.startsWith('media/samples/')).sort(), ['0_0', '0_1', '1_0', '1_1', '2_0', '2_1', '3_0', '3_1', '5_0', '5_1'].map((s) => `media/samples/${s}.png`));
    assert.deepEqual(JSON.parse(old['media/weights/0_0.histogram.json'].text!).counts.reduce((a: number, b: number) => a + b, 0), 4);
    // The rewind at step 2 keeps the console and media up to it, then its own; the artifact logged at step 4 stays with the archived version.
    const now = files.get(live)!;
    assert.equal(now['output.log'].text, ['epoch 0: loss 1.000 ünï', 'epoch 1: loss 0.500 ünï', 'epoch 2: loss 0.333 ünï', 'after the rewind', ''].join('\n'));
    assert.deepEqual(Object.keys(now).filter((p) => p.startsWith('media/samples/')).sort(), ['0_0', '0_1', '1_0', '1_1', '2_0', '2_1', '3_0'].map((s) => `media/samples/${s}.png`));
    assert.equal(now['media/samples/0_0.png'].sha256, old['media/samples/0_0.png'].sha256);
    assert.notEqual(now['media/samples/3_0.png'].sha256, old['media/samples/3_0.png'].sha256);
    assert.ok(!Object.keys(now).some((p) => p.startsWith('artifacts/')));
    assert.equal(now['files/notes.txt'].text, 'saved at step 1\n');
    // The fork at step 3 of the live version: its step 3, then its own step 4.
    const forked = files.get(fork)!;
    assert.equal(forked['media/samples/3_0.png'].sha256, now['media/samples/3_0.png'].sha256);
    assert.ok(forked['output.log'].text!.endsWith('after the rewind\nin the fork\n'));

    // System metrics: every sample of the archived version's own, step = sample index, at its wall time.
    const runs = serverRuns(`f${T}`);
    const oldRun = runs.find((r) => r.tags['runrewind.version_id'] === archived)!;
    assert.ok(system.series.length > 0 && system.samples === 5, 'the run sampled system metrics');
    for (const series of system.series) {
      assert.deepEqual(oldRun.metrics[series.key], [...series.values].map((v, j) => [j, Math.round(series.times[j] * 1000), v]), `system metric ${series.key}`);
    }
    assert.ok(!Object.keys(runs.find((r) => r.tags['runrewind.version_id'] === fork)!.metrics).some((k) => k.startsWith('system/')), 'system metrics are never inherited');
    // The table listed as MLflow's log_table lists one.
    assert.deepEqual(JSON.parse(oldRun.tags['mlflow.loggedArtifacts']), [{ path: 'media/preds/4_0.json', type: 'table' }]);

    const again = sync(dir);
    assert.deepEqual({ files: again.files, requests: again.requests }, { files: 0, requests: 0 });

    // The state file lost: the server's listings say every file is there; none goes again.
    fs.rmSync(syncStatePath(dir, URI));
    const lost = sync(dir);
    assert.equal(lost.files, 0);
  });

  it('a sync killed in the middle of an upload, run again, leaves every file whole exactly once and sends only what the server lacks', async function () {
    const dir = path.join(root(), 'killed');
    makeRuns(dir, `k${T}`, 8);
    const killed = cli(['sync', '--dir', dir, '--mlflow', URI, '--json'], { RUNREWIND_SYNC_TEST_KILL_MID_UPLOAD: '1' });
    assert.equal(killed.signal, 'SIGKILL');
    // What arrived whole before the kill (the archived version's MLflow run: the first one synced).
    const engine = await Engine.open({ logDir: dir });
    engine.ingest();
    const archived = engine.getRun(`k${T}-media`).versions.find((v) => v.archived)!.id;
    const expected = [...engine.listRuns()].flatMap((r) => r.versions.map((v) => expectedFiles(engine, v.id)));
    const expectedArchived = expectedFiles(engine, archived);
    engine.close();
    const partialRun = serverRuns(`k${T}`);
    assert.equal(partialRun.length, 1);
    const before = readArtifacts(partialRun[0].run_id)[partialRun[0].run_id];
    const whole = Object.entries(before).filter(([p, f]) => expectedArchived.get(p) === f.sha256).length;
    assert.ok(whole < expectedArchived.size, `the kill came before every file arrived (${whole} of ${expectedArchived.size})`);
    assert.notEqual(before[`artifacts/model-k${T}/v0/weights.bin`]?.sha256, expectedArchived.get(`artifacts/model-k${T}/v0/weights.bin`), 'the big file was cut off');

    const resumed = sync(dir);
    const total = expected.reduce((n, m) => n + m.size, 0);
    assert.equal(resumed.files, total - whole, 'only the files the server lacked whole were uploaded');
    await assertFilesWhole(dir, resumed);
    const nothing = sync(dir);
    assert.deepEqual({ files: nothing.files, requests: nothing.requests }, { files: 0, requests: 0 });
  });

  it('a size budget leaves what is over it for the next sync, saying so', async function () {
    const dir = path.join(root(), 'budget');
    makeRuns(dir, `b${T}`, 3);
    const first = sync(dir, ['--max-upload-mb', '1']);
    assert.ok(first.bytes <= 1024 * 1024);
    assert.ok(first.warnings.some((w) => /1 file \(3\.0 MB\) not uploaded: over this sync's upload budget \(--max-upload-mb/.test(w)), first.warnings.join('\n'));
    const second = sync(dir);
    assert.equal(second.files, 1, 'the file over the budget, alone');
    assert.equal(second.bytes, 3 * 1024 * 1024);
    await assertFilesWhole(dir, { ...second, versions: first.versions });
    const none = cli(['sync', '--dir', dir, '--mlflow', URI, '--max-upload-mb', 'lots']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--max-upload-mb takes a number of megabytes, 0 or more \(got "lots"\)/);
  });

  it('says which file the server refused and how to start it, when it does not serve artifacts', async function () {
    const dir = path.join(root(), 'refused');
    makeRuns(dir, `r${T}`, 0.01);
    // An experiment whose artifact location the server does not proxy (made with an explicit local path).
    const made = await fetch(`${URI}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `local${T}`, artifact_location: path.join(root(), 'elsewhere') }) });
    assert.equal(made.status, 200);
    const local = cli(['sync', '--dir', dir, '--mlflow', URI, '--experiment', `local${T}`]);
    assert.equal(local.status, 1);
    assert.match(local.stderr, /keeps the artifacts of run \w+ at ".*elsewhere.*", which it does not serve: .*mlflow server --serve-artifacts --artifacts-destination DIR/);

    // A server started with --no-serve-artifacts answers 503 with this text (mlflow/server/handlers.py).
    const engine = await Engine.open({ logDir: dir });
    engine.ingest();
    try {
      const refusing: typeof fetch = async (input, init) => {
        if (init?.method === 'PUT') {
          return new Response('Endpoint: /api/2.0/mlflow-artifacts/artifacts/<path:artifact_path> disabled due to the mlflow server running with `--no-serve-artifacts`. To enable artifacts server functionality, run `mlflow server` with `--serve-artifacts`', { status: 503 });
        }
        return fetch(input, init);
      };
      await assert.rejects(
        syncToMlflow(engine, { uri: URI, experiment: `refused${T}`, statePath: syncStatePath(path.join(root(), 'refused-state'), URI), fetch: refusing }),
        (error: Error) => {
          assert.match(error.message, /refused the upload of output\.log: 503 .*--no-serve-artifacts.*start it with `mlflow server --serve-artifacts --artifacts-destination DIR`, or sync without files: --max-upload-mb 0/);
          return true;
        },
      );
      // A media file is named with the local file it came from.
      await assert.rejects(
        syncToMlflow(engine, { uri: URI, experiment: `refused${T}`, statePath: syncStatePath(path.join(root(), 'refused-state2'), URI), fetch: async (input, init) => (init?.method === 'PUT' && String(input).includes('/media/') ? new Response('{"error_code": "INVALID_PARAMETER_VALUE", "message": "no"}', { status: 400 }) : fetch(input, init)), concurrency: 1 }),
        (error: Error) => {
          assert.match(error.message, new RegExp(`refused the upload of media/\\S+ \\(from ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/media/[0-9a-f]{2}/[0-9a-f]{64}\\.\\w+\\): 400 .*INVALID_PARAMETER_VALUE: no`));
          return true;
        },
      );
    } finally {
      engine.close();
    }
  });
});
