// The apply step on its own: typed records handed straight to RecordApplier, as an importer of another
// format (TensorBoard, MLflow, …) will, without a JSONL line in between — and the same records read from
// a log file give the same store.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../../src/core/api';
import { RecordApplier } from '../../src/core/apply';
import type { ApplySink, Outcome, RecordSource } from '../../src/core/apply';
import { encodeRecord } from '../../src/core/protocol';
import type { LogRecord, WriterRecord } from '../../src/core/protocol';
import { RunQueries } from '../../src/core/queries';
import { RecordProblem, parseRecord } from '../../src/core/records';
import { migrate } from '../../src/core/schema';
import { Db, defaultWasmPath } from '../../src/core/sqlite';
import { RunStore } from '../../src/core/store';
import { openEngine, tempDir } from './helpers';

interface Imported {
  readonly store: RunStore;
  readonly queries: RunQueries;
  readonly diagnostics: Diagnostic[];
  readonly outcomes: Outcome[];
  readonly waits: string[];
  apply(records: readonly LogRecord[], source: RecordSource): void;
}

/** A store fed by an importer: records applied directly, diagnostics collected with their source. */
async function importer(): Promise<Imported> {
  const db = await Db.open(defaultWasmPath());
  migrate(db);
  const store = new RunStore(db, { now: () => 100, host: 'importer-test', pidAlive: () => false });
  const diagnostics: Diagnostic[] = [];
  const outcomes: Outcome[] = [];
  const waits: string[] = [];
  const sink: ApplySink<RecordSource> = {
    report: (source, severity, message) => diagnostics.push({ file: source.file, line: source.line, severity, message }),
    wait: (_source, what) => waits.push(what),
    claim: () => undefined,
    appended: () => undefined,
  };
  const applier = new RecordApplier(store, sink);
  return {
    store, queries: new RunQueries(store), diagnostics, outcomes, waits,
    apply(records, source) {
      db.transaction(() => {
        for (const record of records) {
          source.line++;
          outcomes.push(applier.apply(record, source));
        }
        store.flush();
      });
    },
  };
}

function runRecords(run: string, version: string): WriterRecord[] {
  return [
    { type: 'start', protocol: 1, time: 10, run, version, mode: 'new', project: 'imported', name: 'from tensorboard', config: { lr: 0.1 } },
    { type: 'row', time: 11, step: 0, data: { loss: 1.5, acc: 0.1 } },
    { type: 'row', time: 12, step: 5, data: { loss: 0.75, nested: { a: true } } },
    { type: 'summary', time: 13, summary: { best: 0.75 } },
    { type: 'finish', time: 14, exit_code: 0 },
  ];
}

describe('apply: typed records without a log line', () => {
  it('builds a run from records an importer made, as the JSONL reader does from the same records', async () => {
    const imported = await importer();
    const source: RecordSource = { file: '/logs/events.out.tfevents.1', origin: 'writer', line: 0, version: null };
    imported.apply(runRecords('tb1', 'vtb000000001'), source);
    assert.deepEqual(imported.outcomes, ['ok', 'ok', 'ok', 'ok', 'ended']);
    assert.deepEqual(imported.diagnostics, []);
    assert.equal(source.version, 'vtb000000001', 'the start record sets the version the source writes to');

    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'runs', 'tb1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'runs', 'tb1', '0000000010000-aaaaaaaa.jsonl'), runRecords('tb1', 'vtb000000001').map((r) => `${encodeRecord(r)}\n`).join(''));
    const engine = await openEngine(dir, { liveness: { now: () => 100, host: 'importer-test', pidAlive: () => false } });
    engine.ingest();

    const run = imported.store.runs.get('tb1')!;
    const fromImport = imported.queries.overview(run, imported.store.requireVersion(run.liveVersion));
    const fromLog = engine.getRun('tb1');
    assert.deepEqual({ ...fromImport, updatedAt: 0 }, { ...fromLog, updatedAt: 0 });
    assert.equal(fromImport.state, 'finished');
    assert.deepEqual(fromImport.config, { lr: 0.1 });
    assert.deepEqual(fromImport.summary, { acc: 0.1, best: 0.75, loss: 0.75, 'nested.a': true });
    assert.deepEqual([...imported.queries.series('vtb000000001', 'loss', undefined, false).values], [1.5, 0.75]);
    assert.deepEqual(imported.queries.metricKeys('vtb000000001').map((k) => k.key), ['acc', 'loss', 'nested.a']);
  });

  it('reports a broken rule at the importer\'s source and record number, and goes on', async () => {
    const imported = await importer();
    const source: RecordSource = { file: 'mlflow:experiment-3/run-7', origin: 'writer', line: 0, version: null };
    const [start, first] = runRecords('ml7', 'vml000000007');
    imported.apply([start, first, { type: 'row', time: 12, step: 0, data: { loss: 9 } }, { type: 'row', time: 13, step: 1, data: { loss: 0.5 } }], source);
    assert.deepEqual(imported.outcomes, ['ok', 'ok', 'ok', 'ok']);
    assert.equal(imported.diagnostics.length, 1);
    assert.equal(imported.diagnostics[0].file, 'mlflow:experiment-3/run-7');
    assert.equal(imported.diagnostics[0].line, 3);
    assert.match(imported.diagnostics[0].message, /step 0 is not after the last step 0 of run ml7/);
    assert.deepEqual([...imported.queries.series('vml000000007', 'loss', undefined, false).values], [1.5, 0.5]);
  });

  it('makes a source wait for a run no source created yet, and refuses one that starts without a start', async () => {
    const imported = await importer();
    const resume: RecordSource = { file: 'import:resume', origin: 'writer', line: 0, version: null };
    imported.apply([{ type: 'start', protocol: 1, time: 1, run: 'later', version: 'vlater000001', mode: 'resume' }], resume);
    assert.deepEqual(imported.outcomes, ['wait']);
    assert.deepEqual(imported.waits, ['run later (version vlater000001)']);
    assert.equal(resume.version, null);

    const headless: RecordSource = { file: 'import:headless', origin: 'writer', line: 0, version: null };
    imported.apply([{ type: 'row', time: 1, step: 0, data: { loss: 1 } }], headless);
    assert.equal(imported.outcomes[1], 'reject');
    assert.match(imported.diagnostics[0].message, /a writer file must begin with a "start" record, not "row"/);
    assert.equal(imported.store.runs.size, 0, 'nothing was applied');
  });

  it('parse and apply meet only through the typed record: a problem is refused by where it stands', async () => {
    const imported = await importer();
    const source: RecordSource = { file: 'f.jsonl', origin: 'writer', line: 1, version: null };
    const problem = parseRecord('{"type":"start","protocol":1,"time":1,"run":"bad id!","version":"v1","mode":"new"}', 'writer');
    assert.ok(problem instanceof RecordProblem);
    const applier = new RecordApplier(imported.store, {
      report: (s, severity, message) => imported.diagnostics.push({ file: s.file, line: s.line, severity, message }),
      wait: () => undefined,
      claim: () => undefined,
      appended: () => undefined,
    });
    assert.equal(applier.refuse(problem, source), 'reject', 'a bad first start refuses its file');
    assert.match(imported.diagnostics[0].message, /^"run" must be a run id .*; the records of this file are not applied$/);
    const started: RecordSource = { file: 'g.jsonl', origin: 'writer', line: 2, version: 'vsomething01' };
    const badRow = parseRecord('{"type":"row","time":1,"step":-1,"data":{}}', 'writer');
    assert.ok(badRow instanceof RecordProblem);
    assert.equal(applier.refuse(badRow, started), 'ok', 'a bad row is skipped; the file goes on');
    assert.match(imported.diagnostics[1].message, /"step" must be a non-negative integer, got -1; the row is skipped/);
  });
});
