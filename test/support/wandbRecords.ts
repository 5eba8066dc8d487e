// W&B `Record` messages encoded by field number (wandb_internal.proto), for tests of the W&B offline
// importer: only what the tests write, built with @bufbuild/protobuf's BinaryWriter.
import { BinaryWriter } from '@bufbuild/protobuf/wire';

export type ItemSpec = readonly [key: string | readonly string[], value: string];

export type RecordSpec =
  | { run: { id: string; project?: string; name?: string; notes?: string; tags?: string[]; config?: ItemSpec[]; start?: number; branch?: { run: string; value: number; metric?: string } } }
  | { history: ItemSpec[] }
  | { summary: ItemSpec[]; remove?: string[] }
  | { config: ItemSpec[] }
  | { stats: ItemSpec[]; time: number }
  | { output: string; stderr?: boolean; time: number }
  | { environment: { host?: string; os?: string; python?: string; cpuCount?: number } }
  | { exit: number }
  | { header: true }
  | { telemetry: true }
  | { artifact: true };

function item(w: BinaryWriter, field: number, [key, value]: ItemSpec): void {
  w.tag(field, 2).fork();
  if (typeof key === 'string') w.tag(1, 2).string(key);
  else for (const k of key) w.tag(2, 2).string(k);
  w.tag(16, 2).string(value);
  w.join();
}

function timestamp(w: BinaryWriter, field: number, time: number): void {
  const seconds = Math.floor(time);
  w.tag(field, 2).fork().tag(1, 0).int64(seconds).tag(2, 0).int32(Math.round((time - seconds) * 1e9)).join();
}

export function encodeWandbRecord(spec: RecordSpec, num = 0): Uint8Array {
  const w = new BinaryWriter();
  if (num) w.tag(1, 0).int64(num);
  if ('run' in spec) {
    const r = spec.run;
    w.tag(17, 2).fork();
    w.tag(1, 2).string(r.id);
    if (r.project) w.tag(3, 2).string(r.project);
    if (r.config) {
      w.tag(4, 2).fork();
      for (const i of r.config) item(w, 1, i);
      w.join();
    }
    if (r.name) w.tag(8, 2).string(r.name);
    if (r.notes) w.tag(9, 2).string(r.notes);
    for (const t of r.tags ?? []) w.tag(10, 2).string(t);
    if (r.start !== undefined) timestamp(w, 17, r.start);
    if (r.branch) w.tag(23, 2).fork().tag(1, 2).string(r.branch.run).tag(2, 1).double(r.branch.value).tag(3, 2).string(r.branch.metric ?? '_step').join();
    w.join();
  } else if ('history' in spec) {
    w.tag(2, 2).fork();
    for (const i of spec.history) item(w, 1, i);
    w.join();
  } else if ('summary' in spec) {
    w.tag(3, 2).fork();
    for (const i of spec.summary) item(w, 1, i);
    for (const k of spec.remove ?? []) item(w, 2, [k, '']);
    w.join();
  } else if ('config' in spec) {
    w.tag(5, 2).fork();
    for (const i of spec.config) item(w, 1, i);
    w.join();
  } else if ('stats' in spec) {
    w.tag(7, 2).fork();
    timestamp(w, 2, spec.time);
    for (const [k, v] of spec.stats) w.tag(3, 2).fork().tag(1, 2).string(k as string).tag(16, 2).string(v).join();
    w.join();
  } else if ('output' in spec) {
    w.tag(13, 2).fork().tag(1, 0).int32(spec.stderr ? 0 : 1);
    timestamp(w, 2, spec.time);
    w.tag(3, 2).string(spec.output).join();
  } else if ('environment' in spec) {
    const e = spec.environment;
    w.tag(26, 2).fork();
    if (e.os) w.tag(1, 2).string(e.os);
    if (e.python) w.tag(2, 2).string(e.python);
    if (e.host) w.tag(12, 2).string(e.host);
    if (e.cpuCount) w.tag(16, 0).uint32(e.cpuCount);
    w.join();
  } else if ('exit' in spec) {
    w.tag(18, 2).fork();
    if (spec.exit) w.tag(1, 0).int32(spec.exit);
    w.join();
  } else if ('header' in spec) {
    w.tag(21, 2).fork().join();
  } else if ('telemetry' in spec) {
    w.tag(11, 2).fork().join();
  } else {
    w.tag(8, 2).fork().tag(1, 2).string('x').join();
  }
  // Control data and the record's routing info, as the real writer adds them.
  w.tag(16, 2).fork().tag(1, 2).string('slot').join();
  w.tag(200, 2).fork().tag(1, 2).string('stream').join();
  return w.finish();
}

/** History items for one row: `_step`, `_timestamp` and the values, as W&B's writer writes them. */
export function row(step: number, time: number, values: Record<string, number | string>): ItemSpec[] {
  return [
    [['_step'], String(step)],
    [['_timestamp'], String(time)],
    [['_runtime'], '0.5'],
    ...Object.entries(values).map(([k, v]): ItemSpec => [k.split('.'), typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : String(v)) : JSON.stringify(v)]),
  ];
}
