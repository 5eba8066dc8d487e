// Console lines, system samples and metadata (protocol 1.1) in the store: every field of each record
// checked with a diagnostic that names it, the copy-on-write rule for console lines over a chain of
// rewinds and a fork, paging, system metrics never inherited, and the newest writer file's metadata.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConsoleLine } from '../../src/core/api';
import { encodeRecord } from '../../src/core/protocol';
import { RecordProblem, parseRecord } from '../../src/core/records';
import { openEngine, tempDir } from './helpers';

let stampMs = 1_700_000_000_000;

/** Writes one writer file (a start, then records) as the Python client would, stamped after the last. */
function writeFile(dir: string, run: string, records: readonly Record<string, unknown>[]): void {
  const folder = path.join(dir, 'runs', run);
  fs.mkdirSync(folder, { recursive: true });
  const stamp = `${String(stampMs++).padStart(13, '0')}-${'abcdefgh'}`;
  fs.writeFileSync(path.join(folder, `${stamp}.jsonl`), records.map((r) => `${encodeRecord(r)}\n`).join(''));
}

function start(run: string, version: string, mode: string, source?: { run: string; version: string; step: number }): Record<string, unknown> {
  return { type: 'start', protocol: 1, protocol_minor: 1, time: 1000, run, version, mode, pid: 4242, host: 'elsewhere', ...(source ? { source } : {}) };
}

/** Rows for steps from..to, and a console line per step printed while it was pending. */
function steps(tag: string, from: number, to: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let s = from; s <= to; s++) {
    out.push({ type: 'console', time: 1000 + s, lines: [[1000 + s, 'stdout', s, `${tag} ${s}`]] });
    out.push({ type: 'row', time: 1000 + s, step: s, data: { loss: s } });
  }
  return out;
}

const texts = (lines: readonly ConsoleLine[]): string[] => lines.map((l) => `${l.inherited ? '^' : ''}${l.text}`);

describe('console, system and metadata records', () => {
  it('refuses bad fields with a diagnostic naming the field', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'console', time: 1, lines: 'x' }, /"lines" must be an array/],
      [{ type: 'console', time: 1, lines: [[1, 'stdout', 0]] }, /"lines\[0\]" must be an array \[time, stream, step, text\]/],
      [{ type: 'console', time: 1, lines: [[1, 'stdout', 0, 'ok'], [1, 'stdin', 0, 'x']] }, /"lines\[1\]" stream must be "stdout" or "stderr", got "stdin"/],
      [{ type: 'console', time: 1, lines: [[1, 'stdout', -1, 'x']] }, /"lines\[0\]" step must be a non-negative integer, got -1/],
      [{ type: 'console', time: 1, lines: [[1, 'stdout', 1.5, 'x']] }, /step must be a non-negative integer, got 1.5/],
      [{ type: 'console', time: 1, lines: [['1', 'stdout', 0, 'x']] }, /"lines\[0\]" time must be a finite number/],
      [{ type: 'console', time: 1, lines: [[1, 'stdout', 0, 7]] }, /"lines\[0\]" text must be a string, got 7/],
      [{ type: 'system', time: 1, data: [] }, /"data" must be an object/],
      [{ type: 'system', data: { 'system/cpu_percent': 1 } }, /"time" must be a finite number/],
      [{ type: 'system', time: 1, data: { cpu_percent: 1 } }, /key "cpu_percent" must start with "system\/"/],
      [{ type: 'system', time: 1, data: { 'system/cpu_percent': 'high' } }, /value of "system\/cpu_percent" must be a number, got "high"/],
      [{ type: 'metadata', time: 1, metadata: 'gpu-box' }, /"metadata" must be an object/],
      [{ type: 'metadata', time: 1, metadata: { gpu_count: '2' } }, /"metadata.gpu_count" must be a non-negative integer, got "2"/],
      [{ type: 'metadata', time: 1, metadata: { python: 3.12 } }, /"metadata.python" must be a string/],
      [{ type: 'metadata', time: 1, metadata: { args: ['--lr', 1] } }, /"metadata.args" must be an array of strings/],
      [{ type: 'metadata', time: 1, metadata: { gpus: [{ name: 'A100', memory_total_mb: '40G' }] } }, /"metadata.gpus\[0\]" must be/],
    ];
    for (const [record, message] of cases) {
      const parsed = parseRecord(JSON.stringify(record), 'writer');
      assert.ok(parsed instanceof RecordProblem, `${JSON.stringify(record)} was accepted`);
      assert.equal(parsed.kind, 'field');
      assert.match(parsed.reason, message);
    }
    const ok = parseRecord('{"type": "system", "time": 5, "data": {"system/gpu.0.power_w": NaN, "system/disk.read_bytes": null}}', 'writer');
    assert.deepEqual(ok, { type: 'system', time: 5, data: { 'system/gpu.0.power_w': Number.NaN } });
    const misplaced = parseRecord(JSON.stringify({ type: 'console', time: 1, lines: [] }), 'ops');
    assert.ok(misplaced instanceof RecordProblem && misplaced.kind === 'misplaced');
  });

  it('skips a bad record with a diagnostic and keeps the records around it', async () => {
    const dir = tempDir();
    writeFile(dir, 'r1', [
      start('r1', 'vaaaaaaaaaaa1', 'new'),
      { type: 'console', time: 1, lines: [[1, 'stdout', 0, 'first']] },
      { type: 'console', time: 2, lines: [[2, 'stdout', 0, 'lost'], [2, 'stdin', 0, 'bad']] },
      { type: 'system', time: 3, data: { 'system/cpu_percent': 'high' } },
      { type: 'metadata', time: 4, metadata: { gpu_count: -1 } },
      { type: 'console', time: 5, lines: [[5, 'stderr', 0, 'last']] },
      { type: 'finish', time: 6, exit_code: 0 },
    ]);
    const engine = await openEngine(dir);
    const result = engine.ingest();
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => [d.line, d.message]), [
      [3, '"lines[1]" stream must be "stdout" or "stderr", got "stdin"; the record is skipped'],
      [4, '"data" value of "system/cpu_percent" must be a number, got "high"; the record is skipped'],
      [5, '"metadata.gpu_count" must be a non-negative integer, got -1; the record is skipped'],
    ]);
    assert.deepEqual(engine.consoleLines('r1').lines.map((l) => [l.stream, l.text]), [['stdout', 'first'], ['stderr', 'last']]);
    assert.equal(engine.systemMetrics('r1').samples, 0);
    assert.equal(engine.metadata('r1'), null);
    assert.equal(engine.getRun('r1').state, 'finished');
    engine.close();
  });

  it('keeps each version its whole console and shows inherited lines up to each branch step over a chain of rewinds and a fork', async () => {
    const dir = tempDir();
    // v0: steps 0..9, then a line after its last row (step 10).
    writeFile(dir, 'r', [start('r', 'vchain0000000', 'new'), ...steps('v0', 0, 9), { type: 'console', time: 1011, lines: [[1011, 'stderr', 10, 'v0 after']] }, { type: 'finish', time: 1012, exit_code: 0 }]);
    // v1 rewinds v0 at 6: a line before its first row (step 7), then steps 7..12.
    writeFile(dir, 'r', [start('r', 'vchain0000001', 'rewind', { run: 'r', version: 'vchain0000000', step: 6 }), { type: 'console', time: 1100, lines: [[1100, 'stdout', 7, 'v1 rewound']] }, ...steps('v1', 7, 12), { type: 'finish', time: 1200, exit_code: 0 }]);
    // v2 rewinds v1 at 8 and v3 rewinds v2 at 5 (below v1's own lines: none of them is inherited).
    writeFile(dir, 'r', [start('r', 'vchain0000002', 'rewind', { run: 'r', version: 'vchain0000001', step: 8 }), ...steps('v2', 9, 10), { type: 'finish', time: 1300, exit_code: 0 }]);
    writeFile(dir, 'r', [start('r', 'vchain0000003', 'rewind', { run: 'r', version: 'vchain0000002', step: 5 }), ...steps('v3', 6, 6), { type: 'finish', time: 1400, exit_code: 0 }]);
    // A fork of the archived v1 at 10, with a resume of the fork (its lines follow in file order).
    writeFile(dir, 'f', [start('f', 'vfork00000000', 'fork', { run: 'r', version: 'vchain0000001', step: 10 }), ...steps('f', 11, 11), { type: 'finish', time: 1500, exit_code: 0 }]);
    writeFile(dir, 'f', [start('f', 'vfork00000000', 'resume'), { type: 'console', time: 1600, lines: [[1600, 'stdout', 12, 'f resumed'], [1600, 'stdout', 12, 'f again']] }, { type: 'finish', time: 1601, exit_code: 0 }]);
    const engine = await openEngine(dir);
    assert.deepEqual(engine.ingest().diagnostics, []);
    const v0 = ['v0 0', 'v0 1', 'v0 2', 'v0 3', 'v0 4', 'v0 5', 'v0 6', 'v0 7', 'v0 8', 'v0 9', 'v0 after'];
    const all = (version: string): string[] => texts(engine.consoleLines(version).lines);
    // The archived versions keep their whole console.
    assert.deepEqual(all('vchain0000000'), v0);
    assert.deepEqual(all('vchain0000001'), [...v0.slice(0, 7).map((t) => `^${t}`), 'v1 rewound', 'v1 7', 'v1 8', 'v1 9', 'v1 10', 'v1 11', 'v1 12']);
    assert.deepEqual(all('vchain0000002'), [...v0.slice(0, 7).map((t) => `^${t}`), '^v1 rewound', '^v1 7', '^v1 8', 'v2 9', 'v2 10']);
    assert.deepEqual(all('vchain0000003'), [...v0.slice(0, 6).map((t) => `^${t}`), 'v3 6']);
    assert.deepEqual(all('r'), all('vchain0000003'), 'a run id shows its live version');
    assert.deepEqual(all('vfork00000000'), [...v0.slice(0, 7).map((t) => `^${t}`), '^v1 rewound', '^v1 7', '^v1 8', '^v1 9', '^v1 10', 'f 11', 'f resumed', 'f again']);
    // Inherited lines name the version that printed them.
    const fork = engine.consoleLines('vfork00000000').lines;
    assert.deepEqual([...new Set(fork.map((l) => `${l.version}:${l.inherited}`))], ['vchain0000000:true', 'vchain0000001:true', 'vfork00000000:false']);
    assert.equal(fork.find((l) => l.text === 'v0 after'), undefined, 'a line after the last row is not inherited by a rewind at that row');

    // Paging: every page size gives the same lines, across the inherited/own boundary.
    const whole = engine.consoleLines('vfork00000000');
    assert.equal(whole.total, 15);
    for (const size of [1, 3, 7, 15, 40]) {
      const paged: ConsoleLine[] = [];
      for (let at = 0; at < whole.total; at += size) {
        const page = engine.consoleLines('vfork00000000', { offset: at, limit: size });
        assert.equal(page.offset, at);
        assert.equal(page.total, 15);
        paged.push(...page.lines);
      }
      assert.deepEqual(paged, whole.lines, `pages of ${size}`);
    }
    assert.deepEqual(texts(engine.consoleLines('vfork00000000', { offset: -2 }).lines), ['f resumed', 'f again']);
    assert.deepEqual(engine.consoleLines('vfork00000000', { offset: 100 }).lines, []);
    assert.equal(engine.consoleLines('vfork00000000', { offset: -100 }).offset, 0);
    assert.throws(() => engine.consoleLines('vfork00000000', { limit: -1 }), /limit must not be negative/);
    assert.throws(() => engine.consoleLines('vfork00000000', { offset: 1.5 }), /offset must be an integer/);
    assert.throws(() => engine.consoleLines('nope'), /There is no run or version "nope"/);

    // Reopened from a snapshot, the store numbers new lines on after the stored ones.
    engine.close();
    const snapshotPath = path.join(tempDir(), 'store.rrsnap');
    const first = await openEngine(dir, { snapshotPath });
    first.ingest();
    first.save();
    first.close();
    writeFile(dir, 'f', [start('f', 'vfork00000000', 'resume'), { type: 'console', time: 1700, lines: [[1700, 'stdout', 12, 'f third']] }]);
    const second = await openEngine(dir, { snapshotPath });
    second.ingest();
    assert.deepEqual(texts(second.consoleLines('f', { offset: -3 }).lines), ['f resumed', 'f again', 'f third']);
    second.close();
  });

  it('keeps system samples per version (never inherited) and the newest writer file\'s metadata', async () => {
    const dir = tempDir();
    const sample = (time: number, cpu: number, extra: Record<string, number> = {}): Record<string, unknown> => ({ type: 'system', time, data: { 'system/cpu_percent': cpu, ...extra } });
    writeFile(dir, 's', [start('s', 'vsys000000000', 'new'), { type: 'metadata', time: 1000, metadata: { host: 'a', gpu_count: 1, gpu: 'G1', python: '3.12.0', command: 'python train.py' } }, sample(1010, 10, { 'system/gpu.0.power_w': Number.NaN }), ...steps('s', 0, 3), sample(1020, 20), { type: 'finish', time: 1030, exit_code: 0 }]);
    writeFile(dir, 's', [start('s', 'vsys000000001', 'rewind', { run: 's', version: 'vsys000000000', step: 2 }), { type: 'metadata', time: 1100, metadata: { host: 'b', future_field: [1] } }, sample(1110, 30), { type: 'finish', time: 1120, exit_code: 0 }]);
    writeFile(dir, 's', [start('s', 'vsys000000001', 'resume'), sample(1210, 40), { type: 'finish', time: 1220, exit_code: 0 }]);
    const engine = await openEngine(dir);
    assert.deepEqual(engine.ingest().diagnostics, []);
    const archived = engine.systemMetrics('vsys000000000');
    assert.equal(archived.samples, 2);
    assert.deepEqual(archived.series.map((s) => [s.key, [...s.times], [...s.values]]), [
      ['system/cpu_percent', [1010, 1020], [10, 20]],
      ['system/gpu.0.power_w', [1010], [Number.NaN]],
    ]);
    const live = engine.systemMetrics('s');
    assert.equal(live.version, 'vsys000000001');
    assert.deepEqual(live.series.map((s) => [s.key, [...s.times], [...s.values]]), [['system/cpu_percent', [1110, 1210], [30, 40]]]);
    assert.deepEqual(engine.metadata('vsys000000000'), { host: 'a', gpu_count: 1, gpu: 'G1', python: '3.12.0', command: 'python train.py' });
    // The resume wrote none: the rewind's file is the newest that did; unknown fields are kept.
    assert.deepEqual(engine.metadata('s'), { host: 'b', future_field: [1] });
    assert.deepEqual(engine.getRun('vsys000000000').metadata?.gpu, 'G1');
    engine.close();
  });

  it("does not take console, system or metadata records for signs of life, whatever the writer's clock", async () => {
    // The files were last written at 2000 by the writer's clock; by the file system's, `skew` later.
    for (const skew of [0, 5000, -500]) {
      const dir = tempDir();
      writeFile(dir, 'quiet', [{ ...start('quiet', 'vquiet0000000', 'new'), heartbeat: 10 }, { type: 'console', time: 2000, lines: [[2000, 'stdout', 0, 'printing']] }, { type: 'system', time: 2000, data: {} }, { type: 'metadata', time: 2000, metadata: {} }]);
      writeFile(dir, 'alive', [{ ...start('alive', 'valive0000000', 'new'), heartbeat: 10 }, { type: 'alive', time: 2000 }]);
      for (const run of ['quiet', 'alive']) for (const f of fs.readdirSync(path.join(dir, 'runs', run))) fs.utimesSync(path.join(dir, 'runs', run, f), 2000 + skew, 2000 + skew);
      const engine = await openEngine(dir, { liveness: { now: () => 2001 + skew, host: 'here' } });
      engine.ingest();
      assert.equal(engine.getRun('alive').state, 'running', `skew ${skew}`);
      assert.equal(engine.getRun('quiet').state, 'crashed', `only alive records (and rows) keep a writer running (skew ${skew})`);
      engine.close();
    }
  });
});
