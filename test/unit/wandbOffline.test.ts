// The W&B offline importer on hand-built bytes: the run file's framing (header, 32 KiB blocks, CRC-32 of
// type and data, FULL/FIRST/MIDDLE/LAST parts, padding), the Record decoding, and the importer through the
// engine — a record split across blocks, a torn tail read again when the file grows, a bad CRC reported
// with its file and byte offset and the rest kept, resume_from as a rewind and fork_from as a fork.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buf as crc32 } from 'crc-32';
import { FIRST, FULL, LAST, MIDDLE, WANDB_BLOCK, checkWandbHeader, encodeWandbLog, frameWandbLog, wandbChecksum } from '../../src/core/importers/wandbLog';
import { decodeWandbRecord, parseValueJson } from '../../src/core/importers/wandbRecords';
import { encodeWandbRecord, row } from '../support/wandbRecords';
import type { RecordSpec } from '../support/wandbRecords';
import { openEngine, tempDir } from './helpers';

const T0 = 1_700_000_000;

function bytesOf(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Physical records of an encoded log: [offset, type, length]. */
function physical(bytes: Uint8Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  let at = 7;
  while (at < bytes.length) {
    const left = WANDB_BLOCK - (at % WANDB_BLOCK);
    if (left < 7) {
      at += left;
      continue;
    }
    const length = bytes[at + 4] | (bytes[at + 5] << 8);
    out.push([at, bytes[at + 6], length]);
    at += 7 + length;
  }
  return out;
}

describe('W&B offline: run file framing', () => {
  it('checks the header and the CRC-32 of type and data as zlib computes it', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')) >>> 0, 0xcbf43926);
    // zlib.crc32(b"\x01" + b"abc") in Python.
    assert.equal(wandbChecksum(FULL, new TextEncoder().encode('abc')), crc32(new Uint8Array([1, 97, 98, 99])) >>> 0);
    assert.equal(checkWandbHeader(encodeWandbLog([])), undefined);
    assert.match(checkWandbHeader(new TextEncoder().encode(':W&B\x00\x00\x00'))!, /magic 0xBEE1/);
    assert.match(checkWandbHeader(new Uint8Array([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 7]))!, /version 7/);
    assert.match(checkWandbHeader(new Uint8Array(3))!, /shorter/);
  });

  it('joins a record split across blocks and skips block padding, at every cut of the file', () => {
    // 1: small; 2: 70 KiB (FIRST, MIDDLE, LAST over three blocks); 3: ends 3 bytes before a block's end (padding); 4: small.
    const first = bytesOf(100, 1);
    const big = bytesOf(70 * 1024, 2);
    const probe = encodeWandbLog([first, big]);
    const filler = bytesOf(WANDB_BLOCK - (probe.length % WANDB_BLOCK) - 7 - 3, 3);
    const records = [first, big, filler, bytesOf(10, 4)];
    const bytes = encodeWandbLog(records);
    const parts = physical(bytes);
    assert.deepEqual(parts.map((p) => p[1]), [FULL, FIRST, MIDDLE, LAST, FULL, FULL]);
    assert.equal(parts[5][0] % WANDB_BLOCK, 0, 'the last record starts a block after 3 bytes of padding');
    const ends = [parts[0], parts[3], parts[4], parts[5]].map(([o, , n]) => o + 7 + n);
    const starts = [parts[0], parts[1], parts[4], parts[5]].map(([o]) => o);
    for (let cut = 7; cut <= bytes.length; cut += cut < 300 || cut > bytes.length - 300 ? 1 : 97) {
      const result = frameWandbLog(bytes.subarray(7, cut), 7);
      const whole = ends.filter((e) => e <= cut).length;
      assert.equal(result.records.length, whole, `cut at ${cut}`);
      assert.deepEqual(result.problems, [], `cut at ${cut}`);
      // Never inside a record: a torn one (even its first parts whole) is read again from its start.
      const expected = whole === records.length ? bytes.length : whole === 0 ? 7 : (cut >= starts[whole] ? starts[whole] : ends[whole - 1]);
      assert.equal(7 + result.consumed, Math.min(expected, cut >= starts[whole] ? starts[whole] : expected), `consumed at cut ${cut}`);
    }
    const all = frameWandbLog(bytes.subarray(7), 7);
    assert.deepEqual(all.records.map((r) => r.offset), starts);
    assert.deepEqual(all.records.map((r) => Buffer.from(r.data).equals(Buffer.from(records[all.records.indexOf(r)]))), [true, true, true, true]);
    // Read in two pieces, resuming where the first stopped: the same records.
    const split = parts[2][0] + 100;
    const a = frameWandbLog(bytes.subarray(7, split), 7);
    const b = frameWandbLog(bytes.subarray(7 + a.consumed), 7 + a.consumed);
    assert.deepEqual([...a.records, ...b.records].map((r) => r.offset), starts);
  });

  it('reports a bad CRC with its byte offset and keeps the records after it, also when a part of a split record is damaged', () => {
    const records = [bytesOf(50, 1), bytesOf(50, 2), bytesOf(50, 3)];
    const bytes = Buffer.from(encodeWandbLog(records));
    const second = physical(bytes)[1][0];
    bytes[second + 7 + 10] ^= 0xff;
    const result = frameWandbLog(bytes.subarray(7), 7);
    assert.deepEqual(result.records.map((r) => r.data[0]), [records[0][0], records[2][0]]);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].offset, second);
    assert.match(result.problems[0].message, new RegExp(`record at byte ${second} is corrupt \\(its CRC-32 does not match\\)`));
    assert.equal(result.consumed, bytes.length - 7);

    const split = Buffer.from(encodeWandbLog([bytesOf(40 * 1024, 5), bytesOf(20, 6)]));
    const [, middleOrLast] = physical(split);
    split[middleOrLast[0] + 7 + 5] ^= 0x01;
    const damaged = frameWandbLog(split.subarray(7), 7);
    assert.deepEqual(damaged.records.map((r) => r.data.length), [20]);
    assert.equal(damaged.problems.length, 2);
    assert.match(damaged.problems[0].message, /^the record at byte 7 lost a part to damage/);
    assert.match(damaged.problems[1].message, new RegExp(`at byte ${middleOrLast[0]} is corrupt`));
  });

  it('skips to the next block after a header whose length runs past its block', () => {
    const records = [bytesOf(30, 1), bytesOf(30, 2), bytesOf(WANDB_BLOCK, 3), bytesOf(30, 4)];
    const bytes = Buffer.from(encodeWandbLog(records));
    const second = physical(bytes)[1][0];
    bytes[second + 5] = 0xff; // its length's high byte: ~65 KiB
    const result = frameWandbLog(bytes.subarray(7), 7);
    assert.match(result.problems[0].message, new RegExp(`header at byte ${second} is damaged`));
    // The rest of the first block is lost (the big record's FIRST part is in it); the next FULL record is kept.
    assert.deepEqual(result.records.map((r) => r.data.length), [30, 30]);
    assert.equal(result.records[1].data[0], records[3][0]);
  });
});

describe('W&B offline: Record decoding', () => {
  it('reads run, history, summary, config, stats, output, exit and counts other kinds', () => {
    const run = decodeWandbRecord(encodeWandbRecord({ run: { id: 'abc123', project: 'p', name: 'n', notes: 'hi', tags: ['a', 'b'], config: [['lr', '0.1'], ['_wandb', '{}']], start: T0 + 0.5, branch: { run: 'src1', value: 7 } } }, 2));
    assert.equal(run.kind, 'run');
    if (run.kind !== 'run') return;
    assert.deepEqual([run.runId, run.project, run.displayName, run.notes, run.tags, run.startTime], ['abc123', 'p', 'n', 'hi', ['a', 'b'], T0 + 0.5]);
    assert.deepEqual(run.branchPoint, { run: 'src1', value: 7, metric: '_step' });
    assert.deepEqual(run.config.map((i) => i.path), [['lr'], ['_wandb']]);
    const h = decodeWandbRecord(encodeWandbRecord({ history: row(3, T0, { loss: 0.5, 'nest.x': 2 }) }));
    assert.deepEqual(h.kind === 'history' && h.items.map((i) => [i.path.join('.'), i.json, i.nested]), [['_step', '3', true], ['_timestamp', String(T0), true], ['_runtime', '0.5', true], ['loss', '0.5', true], ['nest.x', '2', true]]);
    const o = decodeWandbRecord(encodeWandbRecord({ output: 'x\n', stderr: true, time: T0 }));
    assert.deepEqual(o, { kind: 'output', raw: true, stream: 'stderr', time: T0, text: 'x\n' });
    assert.deepEqual(decodeWandbRecord(encodeWandbRecord({ exit: 3 })), { kind: 'exit', exitCode: 3, runtime: 0 });
    assert.deepEqual(decodeWandbRecord(encodeWandbRecord({ telemetry: true })), { kind: 'other', field: 11 });
    assert.deepEqual(parseValueJson('NaN'), { value: Number.NaN });
    assert.deepEqual(parseValueJson('[1, NaN, -Infinity, "NaN"]'), { value: [1, Number.NaN, Number.NEGATIVE_INFINITY, 'NaN'] });
    assert.equal(parseValueJson('{oops'), undefined);
  });
});

describe('W&B offline: importing through the engine', () => {
  function setup(): { logDir: string; wandb: string } {
    const root = tempDir('rr-wb-');
    const wandb = path.join(root, 'wandb');
    fs.mkdirSync(wandb);
    return { logDir: path.join(root, '.runrewind'), wandb };
  }

  function writeRun(wandb: string, folder: string, id: string, records: readonly RecordSpec[]): string {
    const dir = path.join(wandb, folder);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `run-${id}.wandb`);
    fs.writeFileSync(file, encodeWandbLog(records.map((r, i) => encodeWandbRecord(r, i + 1))));
    return file;
  }

  const plain: RecordSpec[] = [
    { header: true },
    { run: { id: 'base0001', project: 'proj', name: 'base', tags: ['t'], notes: 'n', config: [['lr', '0.01'], ['_wandb', '{}']], start: T0 } },
    { environment: { host: 'box', os: 'Linux', python: 'CPython 3.11', cpuCount: 4 } },
    { telemetry: true },
    ...Array.from({ length: 10 }, (_, s): RecordSpec[] => [
      { summary: [[['loss'], String(1 / (s + 1))]] },
      { history: row(s, T0 + s, { loss: 1 / (s + 1), 'nest.x': s, word: `w${s}` }) },
      { output: `li`, time: T0 + s },
      { output: `ne ${s}\n`, time: T0 + s },
    ]).flat(),
    { stats: [['cpu', '12.5'], ['gpu.0.gpu', '50']], time: T0 + 5 },
    { summary: [['best', '0.1'], ['dict', '{"a": 1}']] },
    { config: [['extra', '3']] },
    { artifact: true },
    { exit: 0 },
  ];

  it('imports a run: history, console lines, summary, config, system metrics, metadata and its finish', async () => {
    const { logDir, wandb } = setup();
    writeRun(wandb, 'offline-run-20240101_000000-base0001', 'base0001', plain);
    const engine = await openEngine(logDir, { sources: [path.dirname(wandb)], liveness: { now: () => T0 + 100 } });
    engine.ingest();
    const [run] = engine.listRuns();
    assert.equal(run.id, 'wb-base0001');
    assert.equal(run.name, 'base');
    assert.equal(run.project, 'proj');
    assert.deepEqual(run.origin, { kind: 'wandb', label: 'W&B offline', path: path.join(wandb, 'offline-run-20240101_000000-base0001') });
    assert.equal(run.state, 'finished');
    assert.equal(run.lastStep, 9);
    const history = engine.history(run.id, { keys: ['loss', 'nest.x', 'word'] });
    assert.deepEqual(history.rows.map((r) => r.step), Array.from({ length: 10 }, (_, s) => s));
    assert.deepEqual([...engine.series(run.id, 'loss').values], Array.from({ length: 10 }, (_, s) => 1 / (s + 1)));
    assert.deepEqual([...engine.series(run.id, 'loss', undefined, true).times!], Array.from({ length: 10 }, (_, s) => T0 + s));
    const overview = engine.getRun(run.id);
    assert.deepEqual(overview.config, { lr: 0.01, extra: 3 });
    assert.equal(overview.summary.best, 0.1);
    assert.equal(overview.summary['dict.a'], 1);
    assert.equal(overview.summary.loss, 0.1);
    assert.deepEqual(engine.consoleLines(run.id).lines.map((l) => [l.step, l.text]), Array.from({ length: 10 }, (_, s) => [s + 1, `line ${s}`]));
    const system = engine.systemMetrics(run.id);
    assert.deepEqual(system.series.map((s) => [s.key, [...s.values]]), [['system/cpu', [12.5]], ['system/gpu.0.gpu', [50]]]);
    assert.equal(engine.metadata(run.id)?.host, 'box');
    assert.equal(engine.metadata(run.id)?.cpu_count, 4);
    const warnings = engine.diagnostics().map((d) => d.message);
    assert.ok(warnings.some((m) => /"artifact" records are not imported/.test(m)), warnings.join('\n'));
    assert.ok(!warnings.some((m) => /telemetry/.test(m)));
    // Nothing was written beside the imported files.
    assert.deepEqual(fs.readdirSync(path.join(wandb, 'offline-run-20240101_000000-base0001')), ['run-base0001.wandb']);
    engine.close();
  });

  it('reads a torn tail again when the file has grown, and keeps the rest after a bad CRC, reported with file and offset', async () => {
    const { logDir, wandb } = setup();
    const file = writeRun(wandb, 'offline-run-20240101_000000-base0001', 'base0001', plain);
    const whole = fs.readFileSync(file);
    const engine = await openEngine(logDir, { sources: [wandb], liveness: { now: () => T0 + 100 } });
    const parts = physical(whole);
    let seenRows = 0;
    for (const cut of [40, parts[5][0] + 3, parts[12][0] + 20, whole.length - 5, whole.length]) {
      fs.writeFileSync(file, whole.subarray(0, cut));
      engine.ingest();
      const run = engine.listRuns()[0];
      const rows = run ? engine.history(run.id).rows.length : 0;
      assert.ok(rows >= seenRows, `rows never go back (cut ${cut})`);
      seenRows = rows;
    }
    assert.equal(seenRows, 10);
    assert.equal(engine.listRuns()[0].state, 'finished');
    assert.deepEqual(engine.diagnostics().filter((d) => d.severity === 'error'), []);
    engine.close();

    // A flipped byte in the history record of step 4: that row is lost, reported at its offset; the rest is read.
    const { logDir: logDir2, wandb: wandb2 } = setup();
    const damagedFile = writeRun(wandb2, 'offline-run-20240101_000000-base0001', 'base0001', plain);
    const damaged = Buffer.from(fs.readFileSync(damagedFile));
    const historyOfStep4 = physical(damaged)[4 + 4 * 4 + 1];
    damaged[historyOfStep4[0] + 7 + 3] ^= 0x55;
    fs.writeFileSync(damagedFile, damaged);
    const engine2 = await openEngine(logDir2, { sources: [wandb2], liveness: { now: () => T0 + 100 } });
    engine2.ingest();
    const run = engine2.listRuns()[0];
    assert.deepEqual(engine2.history(run.id).rows.map((r) => r.step), [0, 1, 2, 3, 5, 6, 7, 8, 9]);
    assert.equal(run.state, 'finished');
    const problems = engine2.diagnostics().filter((d) => d.severity === 'error');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].file, damagedFile);
    assert.match(problems[0].message, new RegExp(`record at byte ${historyOfStep4[0]} is corrupt`));
    engine2.close();
  });

  it('shows resume_from as a rewind and fork_from as a fork, whatever order the folders are listed in', async () => {
    const { logDir, wandb } = setup();
    writeRun(wandb, 'offline-run-20240101_000000-base0001', 'base0001', plain);
    // The rewind and the fork start in the same second; the fork's folder name sorts first.
    writeRun(wandb, 'offline-run-20240101_000100-base0001', 'base0001', [
      { run: { id: 'base0001', project: 'proj', config: [['lr', '0.02']], start: T0 + 60, branch: { run: 'base0001', value: 4 } } },
      ...[5, 6, 7].map((s): RecordSpec => ({ history: row(s, T0 + 60 + s, { loss: 100 + s }) })),
      { exit: 0 },
    ]);
    writeRun(wandb, 'offline-run-20240101_000100-aaafork1', 'aaafork1', [
      { run: { id: 'aaafork1', project: 'proj', config: [['lr', '0.03']], start: T0 + 61, branch: { run: 'base0001', value: 2 } } },
      ...[3, 4].map((s): RecordSpec => ({ history: row(s, T0 + 61 + s, { loss: 200 + s }) })),
      { exit: 1 },
    ]);
    const engine = await openEngine(logDir, { sources: [wandb], liveness: { now: () => T0 + 1000 } });
    engine.ingest();
    const runs = new Map(engine.listRuns().map((r) => [r.id, r]));
    const base = engine.getRun('wb-base0001');
    assert.equal(base.versions.length, 2);
    const [live, archived] = [base.versions.find((v) => !v.archived)!, base.versions.find((v) => v.archived)!];
    assert.equal(live.kind, 'rewind');
    assert.equal(live.branchStep, 4);
    assert.equal(live.parent, archived.id);
    assert.deepEqual([...engine.series('wb-base0001', 'loss').values], [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 105, 106, 107]);
    assert.deepEqual(engine.getRun('wb-base0001').config, { lr: 0.02, extra: 3 });
    const fork = runs.get('wb-aaafork1')!;
    assert.equal(fork.forkedFrom?.run, 'wb-base0001');
    assert.equal(fork.forkedFrom?.step, 2);
    assert.equal(fork.state, 'failed');
    // The fork branched from the version that was live when it was read: the first writer's, at step 2.
    assert.deepEqual([...engine.series('wb-aaafork1', 'loss').values], [1, 1 / 2, 1 / 3, 203, 204]);
    assert.ok(!engine.diagnostics().some((d) => d.severity === 'error'), engine.diagnostics().map((d) => d.message).join('\n'));
    engine.close();
  });
});
