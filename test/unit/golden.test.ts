// The cross-language contract: log directories written by the Python client (test/fixtures/golden)
// must read back exactly as the independent replay in python/tests/make_golden.py says.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { historyJson, toJson } from '../../src/core/format';
import type { Json } from '../../src/core/format';
import { openEngine } from './helpers';

interface ExpectedVersion {
  id: string; archived: boolean; kind: string; parent: string | null; branch_step: number | null; state: string;
  exit_code: number | null; last_step: number | null; summary: Record<string, Json>; history: Json[] | null;
  console?: { time: number; stream: string; step: number; text: string; version: string; inherited: boolean }[];
  system?: { time: number; data: Record<string, number> }[];
  metadata?: Record<string, Json> | null;
}
interface ExpectedRun {
  id: string; project: string; name: string; state: string; live_version: string; deleted: boolean; config: Record<string, Json>;
  summary: Record<string, Json>; forked_from: { run: string; version: string; step: number } | null; last_step: number | null;
  history: Json[]; versions: ExpectedVersion[];
}

const root = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'golden');
const cases = fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'expected.json')));

describe('golden logs written by the Python client', () => {
  it('has golden cases to check', () => {
    assert.ok(cases.length >= 4, `found ${cases.join(', ')}`);
  });

  for (const name of cases) {
    it(`reads ${name} as expected.json says`, async () => {
      const expected = JSON.parse(fs.readFileSync(path.join(root, name, 'expected.json'), 'utf8')) as { runs: ExpectedRun[] };
      const engine = await openEngine(path.join(root, name));
      const result = engine.ingest();
      assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'error'), []);
      // Console, system and metadata records (protocol 1.1) are stored without a word.
      assert.deepEqual(result.diagnostics.filter((d) => /console|system|metadata/.test(d.message)), []);
      const runs = engine.listRuns();
      assert.deepEqual(runs.map((r) => r.id).sort(), expected.runs.filter((r) => !r.deleted).map((r) => r.id).sort());
      for (const want of expected.runs.filter((r) => !r.deleted)) {
        const got = engine.getRun(want.id);
        assert.equal(got.name, want.name, `${want.id} name`);
        assert.equal(got.project, want.project, `${want.id} project`);
        assert.equal(got.state, want.state, `${want.id} state`);
        assert.equal(got.liveVersion, want.live_version, `${want.id} live version`);
        assert.equal(got.lastStep, want.last_step, `${want.id} last step`);
        assert.deepEqual(toJson(got.config), want.config, `${want.id} config`);
        assert.deepEqual(toJson(got.summary), want.summary, `${want.id} summary`);
        assert.deepEqual(got.forkedFrom && { run: got.forkedFrom.run, version: got.forkedFrom.version, step: got.forkedFrom.step }, want.forked_from, `${want.id} forked_from`);
        assert.deepEqual(historyJson(engine.history(got.liveVersion)), want.history, `${want.id} history`);
        assert.deepEqual(got.versions.map((v) => v.id), want.versions.map((v) => v.id), `${want.id} version order`);
        for (const wv of want.versions) {
          const v = got.versions.find((x) => x.id === wv.id)!;
          const label = `${want.id} version ${wv.id}`;
          assert.equal(v.archived, wv.archived, `${label} archived`);
          assert.equal(v.kind, wv.kind, `${label} kind`);
          assert.equal(v.parent, wv.parent, `${label} parent`);
          assert.equal(v.branchStep, wv.branch_step, `${label} branch step`);
          assert.equal(v.state, wv.state, `${label} state`);
          assert.equal(v.exitCode, wv.exit_code, `${label} exit code`);
          assert.equal(v.lastStep, wv.last_step, `${label} last step`);
          assert.deepEqual(toJson(engine.getRun(wv.id).summary), wv.summary, `${label} summary`);
          if (wv.history) assert.deepEqual(historyJson(engine.history(wv.id)), wv.history, `${label} history`);
          if (wv.console) {
            const page = engine.consoleLines(wv.id);
            assert.equal(page.total, wv.console.length, `${label} console line count`);
            wv.console.forEach((line, i) => assert.deepEqual({ ...page.lines[i] }, line, `${label} console line ${i}`));
            // Paged, the same lines: two at a time, and the last three by a negative offset.
            const paged: typeof page.lines[number][] = [];
            for (let at = 0; at < page.total; at += 2) paged.push(...engine.consoleLines(wv.id, { offset: at, limit: 2 }).lines);
            assert.deepEqual(paged, page.lines, `${label} console paged`);
            assert.deepEqual(engine.consoleLines(wv.id, { offset: -3 }).lines, page.lines.slice(-3), `${label} console tail`);
          }
          if (wv.system) {
            const metrics = engine.systemMetrics(wv.id);
            assert.equal(metrics.samples, wv.system.length, `${label} system samples`);
            const keys = [...new Set(wv.system.flatMap((s) => Object.keys(s.data)))];
            assert.deepEqual(metrics.series.map((s) => s.key).sort(), keys.sort(), `${label} system keys`);
            for (const series of metrics.series) {
              const withKey: NonNullable<ExpectedVersion['system']> = wv.system.filter((sample) => series.key in sample.data);
              assert.deepEqual([...series.times], withKey.map((sample) => sample.time), `${label} ${series.key} times`);
              assert.deepEqual([...series.values], withKey.map((sample) => sample.data[series.key]), `${label} ${series.key} values`);
            }
          }
          if (wv.metadata !== undefined) {
            assert.deepEqual(engine.metadata(wv.id), wv.metadata, `${label} metadata`);
            assert.deepEqual(engine.getRun(wv.id).metadata, wv.metadata, `${label} overview metadata`);
          }
        }
      }
      engine.close();
    });
  }
});
