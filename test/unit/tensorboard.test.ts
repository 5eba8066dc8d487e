// The TensorBoard importer on hand-built bytes: TFRecord framing and its masked CRC-32C, the Event and
// Summary decoding (simple values, TF2 scalar tensors, text, hparams), and the importer stage through the
// engine — torn records read again when the file grows, a corrupt record reported and the rest kept,
// restarted writers shown as rewinds, ops of our log directory rewinding an imported run.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buf as crc32c } from 'crc-32/crc32c';
import { EventReader, decodeEvent } from '../../src/core/importers/tfevents';
import { encodeRecordFrame, frameRecords, maskedCrc32c } from '../../src/core/importers/tfrecord';
import { expandSource } from '../../src/core/importers/sources';
import { encodeEvent, eventFile, scalarEvents, writeScalarFile } from '../support/tfevents';
import type { EventSpec } from '../support/tfevents';
import { openEngine, tempDir } from './helpers';

const T0 = 1_700_000_000;

describe('TensorBoard: TFRecord framing', () => {
  it('computes CRC-32C and TensorFlow\'s mask', () => {
    // The CRC-32C check value of the standard test string.
    assert.equal(crc32c(new TextEncoder().encode('123456789')) >>> 0, 0xe3069283);
    const crc = 0xe3069283;
    assert.equal(maskedCrc32c(new TextEncoder().encode('123456789')), ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });

  it('frames whole records and stops before a torn one at every cut', () => {
    const records = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(300).fill(7)];
    const bytes = Buffer.concat(records.map(encodeRecordFrame));
    const ends = [15 + 4, 15 + 4 + 16, bytes.length];
    for (let cut = 0; cut <= bytes.length; cut++) {
      const result = frameRecords(bytes.subarray(0, cut), 100);
      const whole = ends.filter((e) => e <= cut).length;
      assert.equal(result.records.length, whole, `cut at ${cut}`);
      assert.equal(result.consumed, whole === 0 ? 0 : ends[whole - 1]);
      assert.deepEqual(result.problems, []);
    }
    const all = frameRecords(bytes, 100);
    assert.deepEqual(all.records.map((r) => [...r.data]), records.map((r) => [...r]));
    assert.deepEqual(all.records.map((r) => r.offset), [100, 100 + ends[0], 100 + ends[1]]);
  });

  it('skips a record whose data checksum is wrong and reads the next; stops at a damaged length', () => {
    const bytes = Buffer.concat([encodeRecordFrame(new Uint8Array([1])), encodeRecordFrame(new Uint8Array([2])), encodeRecordFrame(new Uint8Array([3]))]);
    const corrupt = Buffer.from(bytes);
    corrupt[17 + 12] ^= 0xff; // the second record's data byte
    const result = frameRecords(corrupt, 0);
    assert.deepEqual(result.records.map((r) => r.data[0]), [1, 3]);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].offset, 17);
    assert.match(result.problems[0].message, /at byte 17 is corrupt/);
    assert.equal(result.problems[0].fatal, false);
    const damaged = Buffer.from(bytes);
    damaged[17] ^= 0x01; // the second record's length
    const stopped = frameRecords(damaged, 0);
    assert.deepEqual(stopped.records.map((r) => r.data[0]), [1]);
    assert.equal(stopped.problems[0].fatal, true);
    assert.equal(stopped.consumed, 17);
  });
});

describe('TensorBoard: the fast scalar file writer of tests and benchmarks', () => {
  it('writes the bytes the protobuf writer does, framed', () => {
    const dir = tempDir('rr-tbw-');
    const file = path.join(dir, 'events');
    const tags = ['loss', 'a/long/tag'];
    const value = (t: number, step: number): number => (t + 1) * Math.sin(step);
    const written = writeScalarFile(file, 12_000, tags, value, T0);
    assert.ok(written.steps > 130, 'steps past one varint byte');
    const events: EventSpec[] = [];
    for (let step = 0; step < written.steps; step++) tags.forEach((tag, t) => events.push({ wallTime: T0 + step / 100, step, values: [{ tag, simple: value(t, step) }] }));
    assert.deepEqual(fs.readFileSync(file), eventFile(events, T0));
    assert.equal(written.bytes, fs.statSync(file).size);
    assert.equal(written.points, written.steps * tags.length);
  });
});

describe('TensorBoard: Event decoding', () => {
  it('reads simple values, TF2 scalar tensors (packed and as content), text and hparams', () => {
    const e = decodeEvent(encodeEvent({
      wallTime: T0 + 0.25, step: 12, values: [
        { tag: 'loss', simple: 0.1 },
        { tag: 'tf2', tensorFloat: 2.5 },
        { tag: 'tf2c', tensorFloat: 1.25, asContent: 'float' },
        { tag: 'tf2d', tensorFloat: 1 / 3, asContent: 'double' },
        { tag: 'note', text: 'hello\nworld' },
        { tag: '_hparams_/session_start_info', hparams: { lr: 0.01, opt: 'adam', warm: true } },
        { tag: 'hist', histogram: true },
      ],
    }));
    assert.equal(e.wallTime, T0 + 0.25);
    assert.equal(e.step, 12);
    assert.deepEqual(e.values.map((v) => [v.tag, v.kind]), [['loss', 'scalar'], ['tf2', 'scalar'], ['tf2c', 'scalar'], ['tf2d', 'scalar'], ['note', 'text'], ['_hparams_/session_start_info', 'hparams'], ['hist', 'histogram']]);
    assert.equal(e.values[0].value, Math.fround(0.1));
    assert.equal(e.values[1].value, 2.5);
    assert.equal(e.values[2].value, 1.25);
    assert.equal(e.values[3].value, 1 / 3);
    assert.deepEqual(e.values[4].text, ['hello\nworld']);
    assert.deepEqual(e.values[5].hparams, { lr: 0.01, opt: 'adam', warm: true });
    const version = decodeEvent(encodeEvent({ wallTime: T0, step: 0, fileVersion: 'brain.Event:2' }));
    assert.equal(version.fileVersion, 'brain.Event:2');
    assert.deepEqual(version.values, []);
  });

  it('refuses malformed bytes with an error', () => {
    assert.throws(() => decodeEvent(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])));
  });

  it('decodes the events of one framed buffer in place, each bounded by its record', () => {
    const events = [0, 1, 2].map((step) => encodeRecordFrame(encodeEvent({ wallTime: T0 + step, step, values: [{ tag: `k${step}`, simple: step / 2 }, { tag: 'note', text: `line ${step}` }] })));
    const bytes = new Uint8Array(Buffer.concat(events));
    const framed = frameRecords(bytes, 0);
    const reader = new EventReader(bytes);
    const decoded = framed.records.map((r) => reader.decode(r.start, r.end));
    assert.deepEqual(decoded.map((e) => [e.step, e.values[0].tag, e.values[0].value, e.values[1].text]), [[0, 'k0', 0, ['line 0']], [1, 'k1', 0.5, ['line 1']], [2, 'k2', 1, ['line 2']]]);
    // A Summary whose length runs past its record's end is refused, not read on into the next record.
    const event = encodeEvent({ wallTime: T0, step: 3, values: [{ tag: 'x', simple: 1 }] });
    const summaryAt = 11; // after the wall time (tag and 8 bytes) and the step (tag and one byte)
    assert.equal(event[summaryAt], 0x2a); // field 5, length-delimited
    const long = Uint8Array.from(event);
    long[summaryAt + 1] += 20;
    const joined = new Uint8Array(Buffer.concat([long, event, event]));
    assert.throws(() => new EventReader(joined).decode(0, long.length), /premature end/);
    assert.equal(new EventReader(joined).decode(long.length, long.length + event.length).values[0].tag, 'x');
  });
});

describe('TensorBoard: importing through the engine', () => {
  function setup(): { root: string; logDir: string; runs: string } {
    const root = tempDir('rr-tb-');
    const runs = path.join(root, 'runs');
    fs.mkdirSync(runs);
    return { root, logDir: path.join(root, '.runrewind'), runs };
  }

  it('imports one run per folder, rows merged by step, text as console lines, hparams as config', async () => {
    const { logDir, runs } = setup();
    fs.mkdirSync(path.join(runs, 'a'));
    fs.mkdirSync(path.join(runs, 'b', 'nested'), { recursive: true });
    fs.writeFileSync(path.join(runs, 'a', `events.out.tfevents.${T0}.host.1.0`), eventFile([
      { wallTime: T0, step: 0, values: [{ tag: 'hp', hparams: { lr: 0.5 } }] },
      ...scalarEvents(['loss', 'acc'], 0, 50, (tag, s) => (tag === 'loss' ? 1 / (s + 1) : s / 50)),
      { wallTime: T0 + 60, step: 49, values: [{ tag: 'notes', text: 'line one\nline two' }] },
    ]));
    fs.writeFileSync(path.join(runs, 'b', 'nested', `events.out.tfevents.${T0}.host.2.0`), eventFile(scalarEvents(['x'], 0, 3, (_t, s) => s * 2)));
    const engine = await openEngine(logDir, { sources: [runs], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    engine.ingest();
    const list = engine.listRuns();
    assert.deepEqual(list.map((r) => r.name).sort(), ['a', 'b/nested']);
    const a = list.find((r) => r.name === 'a')!;
    assert.equal(a.project, 'runs');
    assert.deepEqual(a.origin, { kind: 'tensorboard', label: 'TensorBoard', path: path.join(runs, 'a') });
    assert.equal(a.state, 'finished');
    assert.equal(a.lastStep, 49);
    const history = engine.history(a.id);
    assert.equal(history.rows.length, 50);
    const table = engine.history(a.id, { keys: ['loss', 'acc'] });
    for (let s = 0; s < 50; s++) {
      assert.equal(table.rows[s].step, s);
    }
    const loss = engine.series(a.id, 'loss');
    assert.deepEqual([...loss.values], Array.from({ length: 50 }, (_, s) => Math.fround(1 / (s + 1))));
    assert.deepEqual(engine.getRun(a.id).config, { lr: 0.5 });
    assert.deepEqual(engine.consoleLines(a.id).lines.map((l) => [l.step, l.text]), [[49, 'notes: line one'], [49, 'notes: line two']]);
    // Nothing was written beside the imported files.
    assert.deepEqual(fs.readdirSync(path.join(runs, 'a')), [`events.out.tfevents.${T0}.host.1.0`]);
    engine.close();
  });

  it('reads a record torn mid-write again when the file has grown; every whole record is in the store on the pass that reads it', async () => {
    const { logDir, runs } = setup();
    const file = path.join(runs, `events.out.tfevents.${T0}.host.1.0`);
    const whole = eventFile(scalarEvents(['loss', 'acc'], 0, 20, (tag, s) => (tag === 'loss' ? s : -s)));
    let now = Date.now() / 1000;
    const engine = await openEngine(logDir, { sources: [runs], liveness: { now: () => now } });
    // Cut the file at many places, one pass after each growth.
    const cuts = [7, 40, 41, 200, 333, 600, whole.length - 3, whole.length];
    fs.writeFileSync(file, Buffer.alloc(0));
    let written = 0;
    for (const cut of cuts) {
      fs.appendFileSync(file, whole.subarray(written, cut));
      written = cut;
      // The file was just written (not idle): still, no step waits for the file to settle.
      now = fs.statSync(file).mtimeMs / 1000;
      engine.ingest();
      const read = frameRecords(fs.readFileSync(file), 0).records.map((r) => decodeEvent(r.data)).filter((e) => e.values.length > 0);
      const run = engine.listRuns()[0];
      for (const tag of ['loss', 'acc']) {
        const steps = read.filter((e) => e.values[0].tag === tag).map((e) => e.step);
        assert.deepEqual(run ? [...engine.series(run.id, tag).steps] : [], steps, `${tag} after ${cut} bytes`);
      }
    }
    now += 5;
    engine.ingest();
    const run = engine.listRuns()[0];
    const history = engine.history(run.id);
    assert.equal(history.rows.length, 20);
    assert.deepEqual([...engine.series(run.id, 'loss').values], Array.from({ length: 20 }, (_, s) => s));
    assert.deepEqual([...engine.series(run.id, 'acc').values], Array.from({ length: 20 }, (_, s) => -s));
    assert.equal(engine.diagnostics().length, 0);
    assert.equal(engine.listRuns()[0].state, 'running');
    now += 200;
    engine.ingest();
    assert.equal(engine.listRuns()[0].state, 'finished');
    engine.close();
  });

  it('keeps a tag on its own step axis (per-epoch values beside the global step); a step a tag already passed is skipped once-warned', async () => {
    const { logDir, runs } = setup();
    const file = path.join(runs, `events.out.tfevents.${T0}.host.1.0`);
    const events: EventSpec[] = [];
    for (let step = 0; step < 300; step++) {
      events.push({ wallTime: T0 + step, step, values: [{ tag: 'train/loss', simple: 1 / (step + 1) }] });
      // Each epoch of 100 steps ends with a validation value at the epoch's number (0, 1, 2).
      if (step % 100 === 99) events.push({ wallTime: T0 + step + 0.5, step: (step + 1) / 100 - 1, values: [{ tag: 'val/acc', simple: step / 1000 }] });
    }
    // A value for a step its own tag has already passed: still skipped, once reported.
    events.push({ wallTime: T0 + 400, step: 1, values: [{ tag: 'val/acc', simple: 7 }] });
    events.push({ wallTime: T0 + 401, step: 0, values: [{ tag: 'val/acc', simple: 8 }] });
    fs.writeFileSync(file, eventFile(events));
    const engine = await openEngine(logDir, { sources: [runs], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    const result = engine.ingest();
    const run = engine.listRuns()[0];
    assert.equal(run.lastStep, 299);
    const val = engine.series(run.id, 'val/acc');
    assert.deepEqual([...val.steps], [0, 1, 2]);
    assert.deepEqual([...val.values], [99, 199, 299].map((s) => Math.fround(s / 1000)));
    assert.equal(engine.series(run.id, 'train/loss').steps.length, 300);
    // They sit in the rows of the same step, as TensorBoard draws both tags on one step axis.
    const table = engine.history(run.id, { keys: ['val/acc'], limit: 3 });
    assert.deepEqual(table.rows.map((r) => [r.step, r.cells[0]]), [[0, Math.fround(0.099)], [1, Math.fround(0.199)], [2, Math.fround(0.299)]]);
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
    assert.equal(warnings.length, 1, JSON.stringify(result.diagnostics));
    assert.match(warnings[0].message, /"val\/acc" was logged for a step at or before one already read for it/);
    engine.close();
  });

  it('reports a corrupt record by file and byte offset and keeps the rest', async () => {
    const { logDir, runs } = setup();
    const file = path.join(runs, `events.out.tfevents.${T0}.host.1.0`);
    const bytes = eventFile(scalarEvents(['loss'], 0, 10, (_t, s) => s));
    // Each record: the file_version one first, then one per step. Flip a data byte of step 4's record.
    const first = frameRecords(bytes, 0).records;
    const target = first[5];
    bytes[target.offset + 12 + 3] ^= 0x55;
    fs.writeFileSync(file, bytes);
    const engine = await openEngine(logDir, { sources: [runs], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    const result = engine.ingest();
    const run = engine.listRuns()[0];
    assert.deepEqual([...engine.series(run.id, 'loss').steps], [0, 1, 2, 3, 5, 6, 7, 8, 9]);
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0].file, file);
    assert.equal(result.diagnostics[0].severity, 'error');
    assert.match(result.diagnostics[0].message, new RegExp(`at byte ${target.offset} is corrupt`));
    engine.close();
  });

  it('shows a restarted writer that goes back in step as a rewind, the old curve archived', async () => {
    const { logDir, runs } = setup();
    fs.writeFileSync(path.join(runs, `events.out.tfevents.${T0}.host.1.0`), eventFile(scalarEvents(['loss'], 0, 10, (_t, s) => s)));
    fs.writeFileSync(path.join(runs, `events.out.tfevents.${T0 + 100}.host.2.0`), eventFile(scalarEvents(['loss'], 6, 15, (_t, s) => 100 + s, T0 + 100)));
    const engine = await openEngine(logDir, { sources: [runs], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    engine.ingest();
    const run = engine.listRuns()[0];
    assert.equal(run.versions.length, 2);
    const archived = run.versions.find((v) => v.archived)!;
    assert.equal(archived.lastStep, 9);
    const live = run.versions.find((v) => !v.archived)!;
    assert.equal(live.parent, archived.id);
    assert.equal(live.branchStep, 5);
    const liveLoss = engine.series(run.id, 'loss');
    assert.deepEqual([...liveLoss.steps], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    assert.deepEqual([...liveLoss.values], [0, 1, 2, 3, 4, 5, 106, 107, 108, 109, 110, 111, 112, 113, 114]);
    assert.deepEqual([...engine.series(archived.id, 'loss').values], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A later file that goes on from where the run is continues the same version.
    fs.writeFileSync(path.join(runs, `events.out.tfevents.${T0 + 200}.host.3.0`), eventFile(scalarEvents(['loss'], 15, 17, (_t, s) => s, T0 + 200)));
    engine.ingest();
    assert.equal(engine.listRuns()[0].versions.length, 2);
    assert.equal(engine.listRuns()[0].lastStep, 16);
    engine.close();
  });

  it('imports histograms and images (TF1 protos and the TF2 plugins\' tensors) and audio as media, versioned by a restart', async () => {
    const { logDir, runs } = setup();
    const png = (n: number): Uint8Array => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, n, n, n]);
    const jpg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    // TensorFlow's default buckets run to ±1.8e308 with empty ones at both ends: only the full ones are kept.
    const histo = { min: -0.5, max: 2.5, limits: [-1.7976931348623157e308, -1, 0, 1, 2, 3, 1.7976931348623157e308], buckets: [0, 0, 4, 0, 6, 2, 0] };
    const first = [
      { wallTime: T0, step: 0, values: [{ tag: 'loss', simple: 1 }, { tag: 'w', histo }, { tag: 'sample', image: png(1), width: 2, height: 3 }] },
      { wallTime: T0 + 1, step: 5, values: [{ tag: 'w', histoTensor: [[0, 1, 3], [1, 2, 5]] as [number, number, number][] }, { tag: 'sample', imageTensor: [png(2), jpg], width: 4, height: 5 }] },
      { wallTime: T0 + 2, step: 8, values: [{ tag: 'w', histo }, { tag: 'clip', audio: new Uint8Array([0x52, 0x49, 0x46, 0x46, 9]), sampleRate: 8000, frames: 4000 }, { tag: 'loss', simple: 0.5 }] },
    ];
    fs.writeFileSync(path.join(runs, `events.out.tfevents.${T0}.host.1.0`), eventFile(first));
    // A restarted writer that goes back to step 6: a rewind at step 5, the step-8 media archived.
    fs.writeFileSync(path.join(runs, `events.out.tfevents.${T0 + 100}.host.2.0`), eventFile([
      { wallTime: T0 + 100, step: 6, values: [{ tag: 'loss', simple: 0.7 }, { tag: 'sample', image: png(1), width: 2, height: 3 }] },
    ], T0 + 100));
    const engine = await openEngine(logDir, { sources: [runs], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    engine.ingest();
    const run = engine.listRuns()[0];
    const archived = run.versions.find((v) => v.archived)!;
    assert.deepEqual(engine.mediaKeys(archived.id).map((k) => [k.key, k.kind, k.steps, k.firstStep, k.lastStep]), [['clip', 'audio', 1, 8, 8], ['sample', 'image', 2, 0, 5], ['w', 'histogram', 3, 0, 8]]);
    const w = engine.mediaEntries(archived.id, 'w');
    assert.deepEqual(w.map((e) => [e.step, e.items[0].bins, e.items[0].counts]), [
      [0, [-1, 0, 1, 2, 2.5], [4, 0, 6, 2]],
      [5, [0, 1, 2], [3, 5]],
      [8, [-1, 0, 1, 2, 2.5], [4, 0, 6, 2]],
    ]);
    const samples = engine.mediaEntries(archived.id, 'sample');
    assert.deepEqual(samples.map((e) => e.items.map((i) => [i.format, i.width, i.height, i.size])), [[['png', 2, 3, 11]], [['png', 4, 5, 11], ['jpg', 4, 5, 7]]]);
    // Stored once by content under our log directory, byte for byte; nothing written beside the events.
    assert.deepEqual([...fs.readFileSync(samples[1].items[1].file!)], [...jpg]);
    assert.ok(samples[0].items[0].file!.startsWith(path.join(logDir, 'media')));
    assert.deepEqual(fs.readdirSync(runs).sort(), [`events.out.tfevents.${T0 + 100}.host.2.0`, `events.out.tfevents.${T0}.host.1.0`].sort());
    const clip = engine.mediaEntries(archived.id, 'clip')[0].items[0];
    assert.deepEqual([clip.format, clip.sample_rate, clip.duration], ['wav', 8000, 0.5]);
    // The live version inherits the media up to its branch step and adds its own.
    const live = engine.mediaEntries(run.id, 'sample');
    assert.deepEqual(live.map((e) => [e.step, e.inherited]), [[0, true], [5, true], [6, false]]);
    assert.equal(live[2].items[0].sha256, live[0].items[0].sha256, 'the same image is the same file');
    assert.deepEqual(engine.mediaEntries(run.id, 'w').map((e) => e.step), [0, 5]);
    assert.deepEqual(engine.mediaKeys(run.id).map((k) => k.key), ['sample', 'w']);
    engine.close();
  });

  it('a restart from step 0 shares nothing with the archived version', async () => {
    const { logDir, runs } = setup();
    fs.writeFileSync(path.join(runs, `events.out.tfevents.${T0}.host.1.0`), eventFile(scalarEvents(['loss'], 0, 5, (_t, s) => s)));
    fs.writeFileSync(path.join(runs, `events.out.tfevents.${T0 + 100}.host.2.0`), eventFile(scalarEvents(['loss'], 0, 3, (_t, s) => 10 + s, T0 + 100)));
    const engine = await openEngine(logDir, { sources: [runs], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    engine.ingest();
    const run = engine.listRuns()[0];
    assert.equal(run.versions.length, 2);
    assert.deepEqual([...engine.series(run.id, 'loss').values], [10, 11, 12]);
    assert.equal(engine.history(run.id).rows.length, 3);
    engine.close();
  });

  it('rewinds and forks an imported run with ops in our log directory; a rebuild gives the same runs', async () => {
    const { logDir, runs } = setup();
    fs.writeFileSync(path.join(runs, `events.out.tfevents.${T0}.host.1.0`), eventFile(scalarEvents(['loss'], 0, 30, (_t, s) => s)));
    const engine = await openEngine(logDir, { sources: [runs], liveness: { now: () => Date.now() / 1000 + 1_000 } });
    engine.ingest();
    const id = engine.listRuns()[0].id;
    const rewound = engine.rewind(id, 10);
    assert.equal(rewound.run.lastStep, 10);
    const fork = engine.fork(rewound.archived!, 20, { id: 'forked' });
    assert.equal(fork.run.forkedFrom?.run, id);
    assert.deepEqual([...engine.series('forked', 'loss').steps].length, 21);
    // The imported file is untouched; the ops are in our log directory.
    assert.equal(fs.readdirSync(runs).length, 1);
    assert.equal(fs.readdirSync(path.join(logDir, 'ops')).length, 2);
    const before = JSON.stringify(engine.listRuns().map((r) => ({ ...r, updatedAt: 0 })));
    await engine.rebuild();
    assert.equal(JSON.stringify(engine.listRuns().map((r) => ({ ...r, updatedAt: 0 }))), before);
    engine.close();
  });

  it('keeps its import state in the snapshot: a reopened store reads only what was appended', async () => {
    const { root, logDir, runs } = setup();
    const file = path.join(runs, `events.out.tfevents.${T0}.host.1.0`);
    const whole = eventFile(scalarEvents(['loss'], 0, 40, (_t, s) => s));
    const half = frameRecords(whole, 0).records[20].offset + 5;
    fs.writeFileSync(file, whole.subarray(0, half));
    const snapshotPath = path.join(root, 'store.rrsnap');
    let engine = await openEngine(logDir, { sources: [runs], snapshotPath, liveness: { now: () => Date.now() / 1000 + 1_000 } });
    engine.ingest();
    engine.save();
    engine.close();
    fs.appendFileSync(file, whole.subarray(half));
    engine = await openEngine(logDir, { sources: [runs], snapshotPath, liveness: { now: () => Date.now() / 1000 + 1_000 } });
    assert.equal(engine.startupNote, undefined);
    const result = engine.ingest();
    assert.ok(result.bytes < whole.length - half + 40, `read ${result.bytes} bytes`);
    const run = engine.listRuns()[0];
    assert.deepEqual([...engine.series(run.id, 'loss').values], Array.from({ length: 40 }, (_, s) => s));
    engine.close();
  });

  it('streams a 256 MB event file into a persisted store: the JS heap capped at 64 MB, the peak memory bounded, not following the file', function () {
    // A gigabyte takes a minute here: bench/importers.ts measures one. An importer that held the file (or
    // its events), or a store that held the points in memory, would pass the bound (the same import into a
    // store kept in memory grows by ~123 MB; with chunk files by ~55 MB at 256 MB and at 768 MB alike).
    this.timeout(180_000);
    const { runs } = setup();
    fs.mkdirSync(path.join(runs, 'big'));
    // Long tags, as nested names are: most of each event's bytes are framing and names, not stored points.
    const tags = [0, 1, 2, 3].map((i) => `${'validation/'.repeat(8)}metric_${i}`);
    const written = writeScalarFile(path.join(runs, 'big', `events.out.tfevents.${T0}.host.1.0`), 256 * 1024 * 1024, tags, (t, step) => Math.sin(step / 100 + t));
    const snapshotPath = path.join(runs, '..', 'cache', 'store.rrsnap');
    const child = spawnSync(process.execPath, ['--max-old-space-size=64', path.join(__dirname, '..', 'support', 'tbImport.js'), runs, path.join(runs, '..', '.runrewind'), snapshotPath], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const got = JSON.parse(child.stdout) as { points: number; lastStep: number; diagnostics: number; peakBefore: number; peakAfter: number };
    assert.equal(got.points, written.points);
    assert.equal(got.lastStep, written.steps - 1);
    assert.equal(got.diagnostics, 0);
    // Growth is the store's index (the points are in its chunk files) and a read buffer.
    const growth = got.peakAfter - got.peakBefore;
    assert.ok(growth < 96 * 1048576, `peak RSS grew by ${Math.round(growth / 1048576)} MB importing ${Math.round(written.bytes / 1048576)} MB`);
  });

  it('finds sources by glob without walking into node_modules or .git', () => {
    const root = tempDir('rr-tb-glob-');
    for (const d of ['a/runs', 'b/c/runs', 'node_modules/x/runs', '.git/runs', 'lightning_logs']) fs.mkdirSync(path.join(root, d), { recursive: true });
    assert.deepEqual(expandSource(path.join(root, '**', 'runs')), [path.join(root, 'a/runs'), path.join(root, 'b/c/runs')]);
    assert.deepEqual(expandSource(path.join(root, 'lightning_logs')), [path.join(root, 'lightning_logs')]);
    assert.deepEqual(expandSource(path.join(root, 'missing')), []);
    assert.deepEqual(expandSource(path.join(root, '*', 'runs')), [path.join(root, 'a/runs')]);
  });
});
