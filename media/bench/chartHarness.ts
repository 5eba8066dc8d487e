// A stand-in for the extension host, for the chart benchmark and quick looks: loads beside the panel's
// own webview bundle in a plain page, generates runs in memory, and answers the webview's messages the
// way ChartPanel does — downsampled with the store's own M4 code, or raw (the baseline).
// Not part of the extension: bundled only by bench/chart.ts.
import { downsampleM4 } from '../../src/shared/downsample';
import {
  defaultViewState,
  type RunOverview,
  type VersionInfo,
  type FromWebview,
  isFromWebview,
  type LineData,
  type LineRequest,
  type ToWebview,
} from '../../src/shared/protocol';

interface Line {
  steps: Float64Array;
  values: Float64Array;
  times: Float64Array;
  length: number;
}

export interface HarnessOptions {
  readonly mode: 'downsample' | 'raw';
  readonly runs: readonly RunOverview[];
  /** Points per version per key. */
  readonly data: Map<string, Map<string, Line>>;
  readonly keys: readonly string[];
  readonly state?: Partial<ReturnType<typeof defaultViewState>>;
  /**
   * The real host code for the messages the stand-in does not answer itself (the media benchmark's
   * engine in Node, reached over HTTP from the page): its answer is posted to the webview.
   */
  readonly host?: (message: FromWebview) => Promise<ToWebview | undefined>;
}

export interface HarnessStats {
  readyAt: number;
  firstQueryAt: number;
  lastAnswerAt: number;
  hostMs: number;
  queries: number;
  pointsSent: number;
  answered: number;
}

export interface LiveFigures {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  /** Frames that took more than 1.5 frame intervals. */
  slow: number;
}

declare global {
  interface Window {
    acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
    harness: Harness;
    makeHarness(scenario: string, mode: 'downsample' | 'raw', pointsPerKey: number): Harness;
    makeHostedHarness(runs: RunOverview[], state: Partial<ReturnType<typeof defaultViewState>>): Harness;
    benchHost(message: FromWebview): Promise<ToWebview | undefined>;
  }
}

function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

export class Harness {
  readonly stats: HarnessStats = { readyAt: 0, firstQueryAt: 0, lastAnswerAt: 0, hostMs: 0, queries: 0, pointsSent: 0, answered: 0 };
  readonly received: FromWebview[] = [];
  private state: unknown = undefined;
  private requestId = 1000;
  private onAnswer: ((key: string) => void) | null = null;

  constructor(readonly options: HarnessOptions) {}

  api(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void } {
    return {
      postMessage: (m) => this.receive(m),
      getState: () => this.state,
      setState: (s) => {
        this.state = s;
      },
    };
  }

  send(message: ToWebview): void {
    window.postMessage(message, '*');
  }

  /** Sends a test action to the webview. */
  act(action: Extract<ToWebview, { type: 'testAction' }>['action']): void {
    this.send({ type: 'testAction', requestId: this.requestId++, action });
  }

  /** Appends `n` points to the live version of every run, on every key. */
  append(n: number): void {
    const items = [];
    const now = Date.now() / 1000;
    for (const run of this.options.runs) {
      for (const key of this.options.keys) {
        const line = this.options.data.get(run.liveVersion)?.get(key);
        if (!line) continue;
        const steps = new Float64Array(n);
        const values = new Float64Array(n);
        const times = new Float64Array(n);
        const last = line.length > 0 ? line.steps[line.length - 1] : -1;
        for (let i = 0; i < n; i++) {
          steps[i] = last + 1 + i;
          values[i] = Math.sin((last + i) / 5000) + Math.random() * 0.1;
          times[i] = now;
        }
        grow(line, steps, values, times);
        items.push({ version: run.liveVersion, key, steps, values, times });
      }
    }
    this.send({ type: 'append', items, stale: [] });
  }

  /** Zooms every chart and resolves with the time until all are repainted with the host's answers. */
  measureZoom(min: number, max: number): Promise<{ ms: number; hostMs: number; pointsSent: number }> {
    const charts = this.options.keys.length;
    const host0 = this.stats.hostMs;
    const sent0 = this.stats.pointsSent;
    // A chart counts once it is drawn after its own answer arrived (charts answered early may be
    // drawn in a frame before the last answer arrives).
    const answered = new Set<string>();
    const seen = new Set<string>();
    const t0 = performance.now();
    return new Promise((resolve) => {
      const onDrawn = (e: Event): void => {
        const key = (e as CustomEvent<string>).detail;
        if (answered.has(key)) seen.add(key);
        if (seen.size < charts) return;
        removeEventListener('runrewind:drawn', onDrawn);
        this.onAnswer = null;
        requestAnimationFrame(() =>
          setTimeout(() => resolve({ ms: performance.now() - t0, hostMs: this.stats.hostMs - host0, pointsSent: this.stats.pointsSent - sent0 })),
        );
      };
      // Noted when the answer is sent: the webview may draw it before other listeners see the message.
      this.onAnswer = (key) => answered.add(key);
      addEventListener('runrewind:drawn', onDrawn);
      this.act({ kind: 'zoom', min, max });
    });
  }

  /** Appends 10 points per run and key every 100 ms for `seconds`; resolves with frame-time figures. */
  measureLive(seconds: number): Promise<LiveFigures> {
    return new Promise((resolve) => {
      const frames: number[] = [];
      let flushMs = 0;
      const onDrawn = (): void => {
        flushMs = Math.max(flushMs, 0);
      };
      addEventListener('runrewind:drawn', onDrawn);
      let last = performance.now();
      const end = last + seconds * 1000;
      const timer = setInterval(() => this.append(10), 100);
      const tick = (now: number): void => {
        frames.push(now - last);
        last = now;
        if (now < end) {
          requestAnimationFrame(tick);
          return;
        }
        clearInterval(timer);
        removeEventListener('runrewind:drawn', onDrawn);
        const sorted = [...frames].sort((a, b) => a - b);
        const q = (f: number): number => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
        resolve({ frames: frames.length, p50: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1], slow: frames.filter((f) => f > 25).length });
      };
      requestAnimationFrame(tick);
    });
  }

  private receive(raw: unknown): void {
    if (!isFromWebview(raw)) throw new Error(`malformed message ${JSON.stringify(raw)}`);
    this.received.push(raw);
    switch (raw.type) {
      case 'ready': {
        this.stats.readyAt = performance.now();
        const entries = this.options.runs.map((r) => r.id);
        this.send({
          type: 'init',
          folder: 'bench',
          folderName: 'bench',
          runs: this.options.runs,
          keys: this.options.keys.map((key) => ({ key, points: 0, numeric: true })),
          selection: null,
          state: { ...defaultViewState('bench', entries), ...(this.options.state ?? {}) },
        });
        return;
      }
      case 'query': {
        const t = performance.now();
        if (this.stats.firstQueryAt === 0) this.stats.firstQueryAt = t;
        const lines = raw.lines.map((l) => this.answer(raw.key, l, raw.buckets, raw.withTimes));
        this.stats.hostMs += performance.now() - t;
        this.stats.queries++;
        for (const l of lines) this.stats.pointsSent += l.steps.length;
        const transfer: Transferable[] = [];
        for (const l of lines) transfer.push(l.steps.buffer, l.values.buffer);
        this.stats.lastAnswerAt = performance.now();
        this.onAnswer?.(raw.key);
        window.postMessage({ type: 'series', inReplyTo: raw.requestId, key: raw.key, lines } satisfies ToWebview, '*', transfer);
        return;
      }
      case 'select':
        if (raw.selection) this.send({ type: 'selection', selection: raw.selection });
        return;
      default:
        if (this.options.host) void this.options.host(raw).then((answer) => answer && this.send(answer));
        return;
    }
  }

  private answer(key: string, req: LineRequest, buckets: number, withTimes: boolean): LineData {
    const line = this.options.data.get(req.version)?.get(key);
    const run = this.options.runs.find((r) => r.versions.some((v) => v.id === req.version));
    const own = { version: req.version, runId: run?.id ?? '', from: 0, to: Number.MAX_SAFE_INTEGER };
    const fork = run?.forkedFrom;
    const segments = !run ? [] : fork ? [{ version: fork.version, runId: fork.run, from: 0, to: fork.step }, { ...own, from: fork.step + 1 }] : [own];
    const nonFinite = { nan: 0, posInf: 0, negInf: 0 };
    if (!line) return { version: req.version, steps: new Float64Array(0), values: new Float64Array(0), total: 0, exact: true, segments, nonFinite };
    const a = req.range?.from !== undefined ? lowerBound(line.steps, line.length, req.range.from) : 0;
    const b = req.range?.to !== undefined ? lowerBound(line.steps, line.length, req.range.to + 1) : line.length;
    const total = Math.max(0, b - a);
    if (this.options.mode === 'raw' || total <= buckets * 4) {
      return {
        version: req.version,
        steps: line.steps.slice(a, b),
        values: line.values.slice(a, b),
        ...(withTimes ? { times: line.times.slice(a, b) } : {}),
        total,
        exact: true,
        segments,
        nonFinite,
      };
    }
    const d = downsampleM4(buckets, line.steps[a], line.steps[b - 1], (visit) => visit(line.steps, line.values, a, b));
    const times = withTimes ? d.steps.map((s) => line.times[lowerBound(line.steps, line.length, s)]) : undefined;
    return { version: req.version, steps: d.steps, values: d.values, ...(times ? { times } : {}), total, exact: false, segments, nonFinite };
  }
}

function grow(line: Line, steps: Float64Array, values: Float64Array, times: Float64Array): void {
  const need = line.length + steps.length;
  if (need > line.steps.length) {
    const size = Math.max(need, line.steps.length * 2);
    const re = (a: Float64Array): Float64Array => {
      const b = new Float64Array(size);
      b.set(a.subarray(0, line.length));
      return b;
    };
    line.steps = re(line.steps);
    line.values = re(line.values);
    line.times = re(line.times);
  }
  line.steps.set(steps, line.length);
  line.values.set(values, line.length);
  line.times.set(times, line.length);
  line.length = need;
}

// ---- scenarios -------------------------------------------------------------------------------------

function version(id: string, runId: string, extra: Partial<VersionInfo> = {}): VersionInfo {
  return {
    id,
    runId,
    archived: false,
    kind: 'new',
    parent: null,
    branchStep: null,
    state: 'finished',
    exitCode: 0,
    createdAt: 1_700_000_000,
    updatedAt: 1_700_000_000,
    endedAt: null,
    lastStep: null,
    archivedAt: null,
    ...extra,
  };
}

function run(id: string, name: string, versions: VersionInfo[], extra: Partial<RunOverview> = {}): RunOverview {
  const live = versions[0];
  return {
    id,
    project: 'bench',
    name,
    state: live.state,
    liveVersion: live.id,
    createdAt: 1_700_000_000,
    updatedAt: 1_700_000_000,
    lastStep: live.lastStep,
    headline: null,
    forkedFrom: null,
    tags: ['bench'],
    notes: '',
    versions,
    config: { lr: 0.001, batch_size: 64, optimizer: { name: 'adam', betas: [0.9, 0.999] } },
    summary: { loss: 0.1 },
    version: live,
    lineage: [],
    host: 'localhost',
    pid: 1234,
    ...extra,
  };
}

function makeLine(n: number, seed: number, start = 0): Line {
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  const times = new Float64Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    steps[i] = start + i;
    values[i] = 2 * Math.exp(-(start + i) / (n / 3)) + 0.2 * (x / 2147483648) + (i % 99991 === 5000 ? 3 : 0) + seed * 0.01;
    times[i] = 1_700_000_000 + (start + i) * 0.01;
  }
  return { steps, values, times, length: n };
}

/** `open`: 1 run × 8 keys; `live`: 4 running runs × 4 keys; `demo`: a rewound run, a fork and a hostile name. */
function makeScenario(scenario: string, mode: 'downsample' | 'raw', points: number): Harness {
  const data = new Map<string, Map<string, Line>>();
  const put = (v: string, key: string, line: Line): void => {
    const m = data.get(v) ?? new Map<string, Line>();
    m.set(key, line);
    data.set(v, m);
  };
  if (scenario === 'open') {
    const keys = Array.from({ length: 8 }, (_, i) => `train/metric_${i}`);
    keys.forEach((k, i) => put('vbench0001', k, makeLine(points, i + 1)));
    return new Harness({ mode, runs: [run('bench1', 'bench-run', [version('vbench0001', 'bench1', { lastStep: points - 1 })])], data, keys });
  }
  if (scenario === 'live') {
    const keys = ['loss', 'accuracy', 'lr', 'grad_norm'];
    const runs = [1, 2, 3, 4].map((i) => {
      const v = `vlive000${i}`;
      keys.forEach((k, j) => put(v, k, makeLine(points, i * 10 + j)));
      return run(`live${i}`, `live-run-${i}`, [version(v, `live${i}`, { state: 'running', lastStep: points - 1 })], { state: 'running' });
    });
    return new Harness({ mode, runs, data, keys });
  }
  const keys = ['loss', 'accuracy', 'val/loss', 'val/accuracy'];
  const branch = Math.floor(points * 0.6);
  keys.forEach((k, j) => {
    put('vlivea0001', k, makeLine(points, 3 + j));
    put('varchived01', k, makeLine(points, 7 + j));
    put('vfork00001', k, makeLine(points, 11 + j));
    put('vhostile01', k, makeLine(points, 17 + j));
  });
  const a = run('runA', 'baseline-lr3e-4', [
    version('vlivea0001', 'runA', { kind: 'rewind', parent: 'varchived01', branchStep: branch, lastStep: points - 1 }),
    version('varchived01', 'runA', { archived: true, lastStep: points - 1 }),
  ], { lineage: [{ run: 'runA', version: 'varchived01', step: branch, runName: 'baseline-lr3e-4' }] });
  const f = run('forkB', 'fork-lr1e-4', [version('vfork00001', 'forkB', { kind: 'fork', parent: 'vlivea0001', branchStep: Math.floor(points * 0.3), lastStep: points - 1 })], {
    forkedFrom: { run: 'runA', version: 'vlivea0001', step: Math.floor(points * 0.3), runName: 'baseline-lr3e-4' },
    lineage: [{ run: 'runA', version: 'vlivea0001', step: Math.floor(points * 0.3), runName: 'baseline-lr3e-4' }],
  });
  const h = run('hostile', '<img src=x onerror=alert(1)>', [version('vhostile01', 'hostile', { lastStep: points - 1 })], {
    config: { '<b>key</b>': '<script>alert(2)</script>' },
    tags: ['<i>tag</i>'],
  });
  return new Harness({ mode, runs: [a, f, h], data, keys });
}

/** No metrics of its own: every other question (media, system) goes to `window.benchHost`. */
window.makeHostedHarness = (runs, state) => {
  const harness = new Harness({ mode: 'downsample', runs, data: new Map(), keys: [], state, host: (m) => window.benchHost(m) });
  window.harness = harness;
  window.acquireVsCodeApi = () => harness.api();
  return harness;
};

window.makeHarness = (scenario, mode, points) => {
  const harness = makeScenario(scenario, mode, points);
  window.harness = harness;
  window.acquireVsCodeApi = () => harness.api();
  return harness;
};
