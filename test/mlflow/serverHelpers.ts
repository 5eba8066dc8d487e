// What the `mlflow` test stage reads back from the real MLflow server (scripts/mlflow-server.sh sets
// MLFLOW_TEST_URI / MLFLOW_TEST_PYTHON) with MLflow's own Python client, and the check that the server holds
// every version of a local log directory point for point. Shared by the test/mlflow/*.test.ts files.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const URI = process.env.MLFLOW_TEST_URI ?? '';
export const PYTHON = process.env.MLFLOW_TEST_PYTHON ?? '';

/**
 * Registers the hooks of a suite that needs the server: it checks the stage set the server up, and gives
 * the suite a temporary folder (named from `prefix`), removed at its end. Returns the folder's getter.
 */
export function serverSuite(prefix: string): () => string {
  let root = '';
  before(function () {
    assert.ok(URI && PYTHON, 'MLFLOW_TEST_URI and MLFLOW_TEST_PYTHON are set by scripts/mlflow-server.sh (run this stage through `npm test` or `bash scripts/mlflow-server.sh with …`)');
    root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  after(function () {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });
  return () => root;
}

export interface ServerRun {
  run_id: string;
  run_name: string;
  status: string;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** key → [step, timestamp, value] in step order; non-finite values as "NaN", "Infinity", "-Infinity". */
  metrics: Record<string, Array<[number, number, number | string]>>;
}

export interface ServerExperiment {
  name: string;
  runs: ServerRun[];
}

/** The experiments named (every one when none is), as MlflowClient reads them. */
export function readBack(...names: string[]): ServerExperiment[] {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'python', 'tests', 'mlflowsync', 'read_back.py'), URI, ...names], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  assert.equal(r.status, 0, `read_back.py failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { experiments: ServerExperiment[] }).experiments;
}

export function experiment(name: string): ServerExperiment {
  const found = readBack(name).filter((e) => e.name === name);
  assert.equal(found.length, 1, `one experiment ${name} on the server`);
  return found[0];
}

/** What the server keeps of a local value: NaN as "NaN", the infinities as ±Number.MAX_VALUE (MLflow's SQL store). */
export function stored(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return Number.MAX_VALUE;
  if (value === -Infinity) return -Number.MAX_VALUE;
  return value;
}

export function metricName(key: string): string {
  return key === 'odd(key)' ? 'odd_key_' : key;
}

/**
 * Every version of every local run is exactly one MLflow run in `experimentName`, and each of its keys'
 * points — inherited ones included — is on the server once, with its step, wall time and value.
 */
export async function assertServerHasEverything(dir: string, experimentName: string): Promise<Map<string, ServerRun>> {
  const exp = experiment(experimentName);
  const engine = await Engine.open({ logDir: dir });
  const byVersion = new Map<string, ServerRun>();
  try {
    engine.ingest();
    let versions = 0;
    for (const run of engine.listRuns()) {
      for (const version of run.versions) {
        versions++;
        const matches = exp.runs.filter((r) => r.tags['runrewind.version_id'] === version.id);
        assert.equal(matches.length, 1, `exactly one MLflow run for version ${version.id}`);
        const server = matches[0];
        byVersion.set(version.id, server);
        assert.equal(server.lifecycle_stage, 'active');
        assert.equal(server.run_name, version.archived ? `${run.name} (archived ${version.id})` : run.name);
        assert.equal(server.status, { running: 'RUNNING', finished: 'FINISHED', failed: 'FAILED', crashed: 'KILLED' }[version.state]);
        assert.equal(server.start_time, Math.round(version.createdAt * 1000));
        // MLflow cannot clear an end time: a version resumed after it was synced keeps its last one while it runs.
        if (version.state !== 'running') assert.equal(server.end_time, version.endedAt === null ? null : Math.round(version.endedAt * 1000));
        assert.equal(server.tags['runrewind.run_id'], run.id);
        assert.equal(server.tags['runrewind.archived'], String(version.archived));
        assert.equal(server.tags['runrewind.version_kind'], version.kind);
        assert.equal(server.tags['runrewind.parent_version'], version.parent ?? undefined);
        assert.equal(server.tags['runrewind.branch_step'], version.branchStep === null ? undefined : String(version.branchStep));
        const overview = engine.getRun(version.id);
        const expectedKeys = new Set<string>();
        for (const key of engine.metricKeys(version.id).filter((k) => k.numeric)) {
          const series = engine.series(version.id, key.key, undefined, true);
          const name = metricName(key.key);
          expectedKeys.add(name);
          const expected = [...series.steps].map((step, i) => [step, Math.round(series.times![i] * 1000), stored(series.values[i])]);
          assert.deepEqual(server.metrics[name], expected, `every point of ${version.id} ${key.key}, once`);
        }
        for (const [key, value] of Object.entries(overview.summary)) {
          if (typeof value !== 'number' || expectedKeys.has(metricName(key))) continue;
          expectedKeys.add(key);
          assert.deepEqual(server.metrics[key], [[version.lastStep ?? 0, Math.round(version.updatedAt * 1000), stored(value)]], `summary value ${key} of ${version.id}`);
        }
        assert.deepEqual(Object.keys(server.metrics).sort(), [...expectedKeys].sort(), `the metric keys of ${version.id}`);
      }
    }
    assert.equal(exp.runs.length, versions, 'no MLflow run beyond one per version');
  } finally {
    engine.close();
  }
  return byVersion;
}
