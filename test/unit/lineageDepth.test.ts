// Reading a run at any rewind depth (issue 12): the summary a version shows is kept per version, not
// recomputed per lineage segment per key. These tests check it against what its visible history says
// (the last value of each key in `history`, the explicit summary on top), through random rewinds, forks
// of forks and archived versions, as rows keep arriving, and against a store that starts cold.
import * as assert from 'node:assert/strict';
import type { Engine } from '../../src/core/engine';
import type { SummaryValue } from '../../src/core/api';
import { openEngine, tempDir, writer } from './helpers';

/** What a version's summary must be: the last value of each key in its visible history. */
function summaryFromHistory(engine: Engine, version: string, explicit: Record<string, unknown>): Record<string, SummaryValue> {
  const table = engine.history(version);
  const out: Record<string, SummaryValue> = {};
  table.columns.forEach((column, c) => {
    for (let i = table.rows.length - 1; i >= 0; i--) {
      const cell = table.rows[i].cells[c];
      if (cell !== null) {
        out[column] = cell;
        return;
      }
    }
  });
  for (const [key, value] of Object.entries(explicit)) {
    if (value === null) delete out[key];
    else out[key] = value as SummaryValue;
  }
  return out;
}

/** Summaries compared as JSON with NaN spelled out (deepEqual treats NaN as equal, but key order must hold too). */
function canonical(summary: Record<string, SummaryValue>): string {
  return JSON.stringify(Object.keys(summary).sort().map((k) => [k, Number.isNaN(summary[k]) ? 'NaN' : summary[k]]));
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['loss', 'acc', 'val/loss', 'flag', 'note', 'lr', 'nanny'];

/** One row of a random subset of keys, with numbers, NaN, infinities, booleans and text. */
function randomRow(rand: () => number, step: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const key of KEYS) {
    if (rand() < 0.45) continue;
    if (key === 'flag') row[key] = rand() < 0.5;
    else if (key === 'note') row[key] = `note ${step}`;
    else if (key === 'nanny') row[key] = [Number.NaN, Number.POSITIVE_INFINITY, -1][Math.floor(rand() * 3)];
    else row[key] = Math.round(rand() * 1000) / 10;
  }
  return row;
}

interface Scenario {
  engine: Engine;
  dir: string;
  /** Explicit summary records per version. */
  explicit: Map<string, Record<string, unknown>>;
}

/**
 * Random lineages: runs rewound to random steps (earlier or later than their last branch), forks of
 * live and archived versions and of forks, some versions given explicit summary values.
 */
async function randomLineages(seed: number, operations: number): Promise<Scenario> {
  const rand = mulberry32(seed);
  const dir = tempDir();
  const explicit = new Map<string, Record<string, unknown>>();
  const engine = await openEngine(dir);
  const first = writer(dir, { run: 'root', project: 'p' });
  for (let s = 0; s < 20; s++) first.log(randomRow(rand, s));
  first.finish();
  engine.ingest();
  const runs = ['root'];
  for (let op = 0; op < operations; op++) {
    const runId = runs[Math.floor(rand() * runs.length)];
    const run = engine.getRun(runId);
    const last = run.lastStep ?? 0;
    const pick = rand();
    let version: string;
    let from: number;
    if (pick < 0.55 && last > 0) {
      // A rewind, to anywhere before the last step (often before the previous branch step).
      const step = Math.floor(rand() * last);
      version = engine.rewind(runId, step).version;
      from = step;
    } else {
      // A fork of the live version or of an archived one, at a step it has.
      const source = run.versions[Math.floor(rand() * run.versions.length)];
      if (source.lastStep === null) continue;
      const step = Math.floor(rand() * (source.lastStep + 1));
      const id = `fork${op}`;
      version = engine.fork(source.id, step, { id }).version;
      runs.push(id);
      from = step;
    }
    const owner = engine.getRun(version).id;
    const w = writer(dir, { run: owner, version, mode: 'resume', lastStep: from });
    const rows = Math.floor(rand() * 6);
    for (let s = 1; s <= rows; s++) w.log(randomRow(rand, from + s));
    if (rand() < 0.2) {
      const values: Record<string, unknown> = rand() < 0.5 ? { best: from } : { loss: null };
      w.summary(values);
      explicit.set(version, { ...explicit.get(version), ...values });
    }
    w.finish();
    engine.ingest();
  }
  return { engine, dir, explicit };
}

function checkEveryVersion(engine: Engine, explicit: Map<string, Record<string, unknown>>, every = 1): number {
  let checked = 0;
  for (const run of engine.listRuns()) {
    for (const [i, v] of run.versions.entries()) {
      if (i % every !== 0 && i !== run.versions.length - 1) continue;
      const expected = summaryFromHistory(engine, v.id, explicit.get(v.id) ?? {});
      assert.equal(canonical(engine.getRun(v.id).summary), canonical(expected), `summary of version ${v.id} of run ${run.id}`);
      checked++;
    }
  }
  return checked;
}

describe('reading a run at any rewind depth', () => {
  for (const seed of [1, 2, 3]) {
    it(`gives every version the summary of its visible history (random rewinds and forks, seed ${seed})`, async () => {
      const { engine, dir, explicit } = await randomLineages(seed, 60);
      const checked = checkEveryVersion(engine, explicit);
      assert.ok(checked > 60, `only ${checked} versions`);
      // A store that starts cold (nothing kept yet) reads the same, version by version and in another order.
      const summaries = new Map<string, string>();
      for (const run of engine.listRuns()) for (const v of run.versions) summaries.set(v.id, canonical(engine.getRun(v.id).summary));
      engine.close();
      const cold = await openEngine(dir);
      cold.ingest();
      for (const id of [...summaries.keys()].reverse()) assert.equal(canonical(cold.getRun(id).summary), summaries.get(id), `cold summary of ${id}`);
      cold.close();
    });
  }

  it('a run rewound 300 times, each rewind cutting its source short, reads every archived version right', async () => {
    const dir = tempDir();
    const w = writer(dir, { run: 'deep', project: 'p', stamp: '1700000000000-00000000' });
    for (let s = 0; s < 5; s++) w.log({ loss: s, [`only${s}`]: s });
    w.finish();
    // Rewinds as the Python client writes them (a start record naming the source), read in one ingest.
    let source = w.version;
    let last = 4;
    for (let i = 0; i < 300; i++) {
      const r = writer(dir, { run: 'deep', mode: 'rewind', source: { run: 'deep', version: source, step: last - 1 }, stamp: `${1_700_000_000_001 + i}-00000000` });
      r.log({ loss: 1000 + i, [`k${i % 7}`]: i }, last);
      r.log({ acc: i }, last + 1);
      r.finish();
      source = r.version;
      last += 1;
    }
    const engine = await openEngine(dir);
    while (engine.ingest().rows > 0 || engine.pendingBytes() > 0) { /* until everything is read */ }
    engine.ingest();
    const overview = engine.getRun('deep');
    assert.equal(overview.versions.length, 301);
    assert.equal(overview.lineage.length, 300);
    // The live version: its own acc and loss, each key's latest value from wherever it was last logged.
    assert.equal(overview.summary.loss, 1299);
    assert.equal(overview.summary.acc, 299);
    assert.equal(overview.summary.k0, 294);
    assert.equal(overview.summary.only4, undefined, 'cut off by the first rewind');
    assert.equal(overview.summary.only3, 3);
    // Each history read walks the whole chain: a sample of the versions, from every depth.
    assert.ok(checkEveryVersion(engine, new Map(), 23) >= 14);
  });

  it('follows a source that is still logging: a fork of it keeps what it inherited, the source its own', async () => {
    const dir = tempDir();
    const source = writer(dir, { run: 'src', project: 'p' });
    for (let s = 0; s < 10; s++) source.log({ loss: s, acc: -s });
    source.flush();
    const engine = await openEngine(dir);
    engine.ingest();
    const { version } = engine.fork('src', 5, { id: 'child' });
    const child = writer(dir, { run: 'child', version, mode: 'resume', lastStep: 5 });
    child.log({ acc: 100 });
    child.flush();
    engine.ingest();
    assert.deepEqual(engine.getRun('child').summary, { acc: 100, loss: 5 });
    for (let s = 10; s < 20; s++) source.log({ loss: s, other: s });
    source.flush();
    engine.ingest();
    assert.deepEqual(engine.getRun('child').summary, { acc: 100, loss: 5 });
    assert.deepEqual(engine.getRun('src').summary, { acc: -9, loss: 19, other: 19 });
    const grandchild = engine.fork('child', 6, { id: 'grand' });
    const g = writer(dir, { run: 'grand', version: grandchild.version, mode: 'resume', lastStep: 6 });
    g.log({ loss: -1 });
    g.finish();
    child.log({ acc: 101, loss: 7 });
    child.finish();
    source.finish();
    engine.ingest();
    assert.deepEqual(engine.getRun('grand').summary, { acc: 100, loss: -1 });
    assert.deepEqual(engine.getRun('child').summary, { acc: 101, loss: 7 });
    checkEveryVersion(engine, new Map());
  });

  it('shows as headline the newest number of a key, never a key whose last value is text or a boolean', async () => {
    const dir = tempDir();
    const w = writer(dir, { run: 'r', project: 'p' });
    w.log({ a_flag: true, a_text: 'x', metric: 1 });
    w.log({ a_flag: false, a_text: 'y', metric: 2 });
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    assert.deepEqual(engine.listRuns()[0].headline, { key: 'metric', value: 2 });
  });
});
