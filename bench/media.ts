// Media at scale (issue 14), on the host's side of the chart panel: a run that logged 10,000 images
// (2,000 steps of 5, a fifth of them repeats, as a fixed validation batch is) and 1,000 histogram steps.
// Figures: ingest of the media records; the Media section's first answer (its keys, then each card's
// steps and entry, as the panel asks); one slider step (a card asked again at another step); the
// histogram distribution over 1,000 steps; storage bytes against the bytes logged (content addressing).
// Then the webview's side: the chart panel's own bundle in headless Chromium (bench/chart.ts's page and
// stand-in host), its media questions answered by this engine through the same chartData functions
// ChartPanel calls: panel open → the image and histogram cards painted, and a slider step → the new
// step's images painted. Prints; asserts nothing.
//
//   npm run compile-tests && node out/bench/media.js [--shots]
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StepRange, StoreApi } from '../src/core/api';
import { Engine } from '../src/core/engine';
import { defaultWasmPath } from '../src/core/sqlite';
import { LogWriter } from '../src/core/writer';
import { histogramDistribution, mediaKeysOf, queryMedia } from '../src/panels/chartData';
import type { FromWebview, ToWebview } from '../src/shared/protocol';
import { bundle, launchBrowser, serve, THEMES } from './chart';
import { mediaFile, mediaRecord, png } from '../test/support/media';

const IMAGE_STEPS = 2_000;
const PER_STEP = 5;
const HISTOGRAM_STEPS = 1_000;

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function medianBy<T>(items: readonly T[], key: (t: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(p) : fs.statSync(p).size;
  }
  return total;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-media-'));
  try {
    process.stdout.write(`  logging ${fmt(IMAGE_STEPS * PER_STEP, 0)} images (32×32 PNG) and ${fmt(HISTOGRAM_STEPS, 0)} histogram steps…\n`);
    const w = new LogWriter({ dir, run: 'mediabench', project: 'bench', name: 'media', heartbeat: 0, buffered: true, clock: () => 1_700_000_000 });
    let logged = 0;
    // The first of every five images is one of a fixed batch of 100 (logged again and again); the rest are new.
    const fixed = Array.from({ length: 100 }, (_, i) => png(32, 32, (x, y) => [(x * 8 + i) & 255, (y * 8) & 255, i & 255]));
    for (let s = 0; s < IMAGE_STEPS; s++) {
      const items = Array.from({ length: PER_STEP }, (_, i) => {
        // A new image: its first pixel carries the step and the index, so no two are alike.
        const bytes = i === 0 ? fixed[s % 100] : png(32, 32, (x, y) => (x === 0 && y === 0 ? [s & 255, s >> 8, i] : [(x + s) & 255, (y * i + s) & 255, (x * y + i) & 255]));
        logged += bytes.length;
        return { ...mediaFile(dir, bytes, 'png'), width: 32, height: 32, caption: `sample ${i}` };
      });
      w.writeRaw(mediaRecord(s, 'samples', 'image', items, 1_700_000_000 + s));
      if (s < HISTOGRAM_STEPS) {
        const centre = Math.sin(s / 100);
        const edges = Array.from({ length: 65 }, (_, i) => -3 + (6 * i) / 64);
        const counts = edges.slice(0, -1).map((e) => Math.round(1000 * Math.exp(-((e - centre) ** 2))));
        w.writeRaw(mediaRecord(s, 'weights', 'histogram', [{ bins: edges, counts }], 1_700_000_000 + s));
      }
      w.log({ loss: 1 / (s + 1) }, s);
    }
    w.finish();

    const engine = await Engine.open({ logDir: dir, wasmPath: defaultWasmPath() });
    const t0 = performance.now();
    engine.ingest();
    const ingest = performance.now() - t0;
    const version = engine.getRun('mediabench').version.id;
    // The store the panel asks is the worker's; here the engine answers in-process, as the worker does.
    const store = {
      mediaKeys: async (v: string) => engine.mediaKeys(v),
      mediaSteps: async (v: string, k: string) => engine.mediaSteps(v, k),
      mediaAt: async (v: string, k: string, s: number) => engine.mediaAt(v, k, s),
      mediaEntries: async (v: string, k: string, r?: StepRange, l?: number) => engine.mediaEntries(v, k, r, l),
    } as unknown as StoreApi;
    const toUri = (file: string): string => `vscode-resource:${file}`;

    const open: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      engine.mediaKeys(version);
      await queryMedia(store, dir, toUri, [version], 'samples', null);
      await queryMedia(store, dir, toUri, [version], 'weights', null);
      open.push(performance.now() - t);
    }
    const slider: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await queryMedia(store, dir, toUri, [version], 'samples', (i * 97) % IMAGE_STEPS);
      slider.push(performance.now() - t);
    }
    const paint = await webview(dir, engine, store);
    const histogramStep: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await queryMedia(store, dir, toUri, [version], 'weights', (i * 97) % HISTOGRAM_STEPS);
      histogramStep.push(performance.now() - t);
    }
    const entries = engine.mediaEntries(version, 'weights', undefined, 10_000);
    const t2 = performance.now();
    const distribution = histogramDistribution(entries);
    const grid = performance.now() - t2;
    const stored = folderBytes(path.join(dir, 'media'));
    engine.close();

    process.stdout.write(`  ingest of ${fmt(IMAGE_STEPS + HISTOGRAM_STEPS, 0)} media records (and ${fmt(IMAGE_STEPS, 0)} rows): ${fmt(ingest)} ms\n`);
    process.stdout.write(`  Media section's first answer (keys, then both cards at the newest step): median ${fmt(median(open))} ms of 5\n`);
    process.stdout.write(`  image slider step (a card asked again at another of 2,000 steps): median ${fmt(median(slider), 2)} ms of 20\n`);
    process.stdout.write(`  histogram card step, with its distribution over ${fmt(HISTOGRAM_STEPS, 0)} steps: median ${fmt(median(histogramStep), 2)} ms of 10 (the grid alone: ${fmt(grid, 2)} ms, ${distribution?.steps.length ?? 0} columns)\n`);
    process.stdout.write(`  storage: ${fmt(stored / 1048576, 2)} MB of media files for ${fmt(logged / 1048576, 2)} MB of images logged (${fmt((100 * stored) / logged)}%: repeats stored once)\n`);
    const frames = (fs_: Frame[]): string => {
      const m = medianBy(fs_, (f) => f.ms);
      const ready = m.ready !== undefined ? `webview ready at ${fmt(m.ready)} ms, ` : '';
      return `${fmt(m.ms)} ms (${ready}image card answered at ${fmt(m.answered)} ms, its step's images decoded at ${fmt(m.images)} ms; range ${fmt(Math.min(...fs_.map((f) => f.ms)))}–${fmt(Math.max(...fs_.map((f) => f.ms)))} ms)`;
    };
    process.stdout.write(`  webview (headless Chromium, load ${fmt(os.loadavg()[0])}; a message to the stand-in host and back: ${fmt(paint.hop)} ms): panel open → the image card (5 images and its strip of 9) and the histogram card (bars and distribution) painted: ${fmt(paint.open[0].ms)} ms the first time, median of ${paint.open.length - 1} after ${frames(paint.open.slice(1))}; host answers ${fmt(paint.openHost[0])} / ${fmt(median(paint.openHost.slice(1)))} ms in all\n`);
    process.stdout.write(`  webview: image slider step → the new step's 5 images and strip painted: median of ${paint.slider.length} ${frames(paint.slider)}; host answers ${fmt(median(paint.sliderHost), 2)} ms\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** From the start (page script, slider input) to: the image card's answer posted, its step's images decoded, everything painted. */
interface Frame {
  answered: number;
  images: number;
  ms: number;
  /** Open only: the webview said it was ready. */
  ready?: number;
}

interface Paint {
  /** Panel open → both cards painted, one per fresh page (the first asks the engine cold). */
  open: Frame[];
  openHost: number[];
  /** Slider step → the new images painted. */
  slider: Frame[];
  sliderHost: number[];
  /** A message to the stand-in host and back (median of 21). */
  hop: number;
}

const OPENS = 4;
/** Slider stops to step to: no two alike modulo 100, so each step's fixed-batch image differs too. */
const SLIDER_STOPS = [1234, 567, 1890, 42, 1311, 808, 1999, 250, 1675, 999, 123];

/**
 * The chart panel's webview at the run: its media questions answered as chartMessages.ts does
 * (mediaKeysOf, queryMedia; the system section gets no samples), image URIs served from the log
 * directory's media folder by the page's server.
 */
async function webview(dir: string, engine: Engine, store: StoreApi): Promise<Paint> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-bench-media-page-'));
  await bundle(out);
  const mediaDir = path.join(dir, 'media');
  let hostMs = 0;
  const answer = async (m: FromWebview): Promise<ToWebview | undefined> => {
    const t = performance.now();
    try {
      if (m.type === 'mediaKeysQuery') return { type: 'mediaKeys', inReplyTo: m.requestId, keys: await mediaKeysOf(store, m.versions) };
      if (m.type === 'mediaQuery') return { type: 'media', inReplyTo: m.requestId, key: m.key, rows: await queryMedia(store, dir, (f) => `/media/${path.relative(mediaDir, f)}`, m.versions, m.key, m.step) };
      if (m.type === 'systemQuery') return { type: 'system', inReplyTo: m.requestId, metrics: [] };
      return undefined;
    } finally {
      hostMs += performance.now() - t;
    }
  };
  const run = engine.getRun('mediabench');
  const pages = new Map([['/media.html', mediaPage(JSON.stringify([run]))]]);
  const server = await serve(out, pages, {
    file: (p) => (p.startsWith('/media/') ? path.join(mediaDir, path.normalize(p.slice('/media/'.length))) : undefined),
    host: (m) => answer(m as FromWebview),
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  const paint: Paint = { open: [], openHost: [], slider: [], sliderHost: [], hop: 0 };
  try {
    for (let i = 0; i < OPENS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
      const page = await ctx.newPage();
      page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
      hostMs = 0;
      await page.goto(`${base}/media.html`);
      await page.waitForFunction('window.mediaOpen !== undefined', null, { timeout: 60_000 });
      paint.open.push((await page.evaluate('mediaOpen')) as Frame);
      paint.openHost.push(hostMs);
      if (i === OPENS - 1) {
        paint.hop = (await page.evaluate('measureHop()')) as number;
        for (const stop of SLIDER_STOPS) {
          hostMs = 0;
          paint.slider.push((await page.evaluate(`measureSlider(${stop})`)) as Frame);
          paint.sliderHost.push(hostMs);
        }
        if (process.argv.includes('--shots')) await page.screenshot({ path: path.join(ROOT, 'test-results', 'screenshots', 'bench-media.png') });
      }
      await ctx.close();
    }
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
  return paint;
}

/**
 * The panel on the run, its Media section in view. Each animation frame checks the cards; a card counts
 * as painted a frame after its images decoded (or its bars and distribution are in the page).
 */
function mediaPage(runs: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="chart.css">
<style>${THEMES.dark}</style></head>
<body class="vscode-dark"><div id="root"></div>
<script>
const imagesOf = () => [...document.querySelectorAll('[data-media-key="samples"] img.media-image')];
const decoded = (imgs) => imgs.every((i) => i.complete && i.naturalWidth > 0);
// The step's images decoded (not those shown before), then the card's other images (its strip) too.
const imagesShown = (before) => {
  const imgs = imagesOf();
  return imgs.length === ${PER_STEP} && decoded(imgs) && imgs.map((i) => i.src).join() !== before;
};
const stripShown = () => decoded([...document.querySelectorAll('[data-media-key="samples"] .media-strip img')]);
const histogramShown = () => document.querySelectorAll('[data-media-key="weights"] .histogram-bar').length > 0
  && document.querySelector('[data-media-key="weights"] canvas.media-distribution') !== null;
// Resolves with times from t0: answered (the host's last answer for the image card posted), images (the
// first frame that found the step's images decoded and \`also\` true), ms (the frame after the one that
// also found the strip decoded: everything painted).
const whenPainted = (ready, also, t0, resolve) => {
  let images;
  const tick = () => {
    if (images === undefined && ready() && also()) images = performance.now() - t0;
    if (images === undefined || !stripShown()) return requestAnimationFrame(tick);
    const answered = (window.answeredAt ?? t0) - t0;
    requestAnimationFrame(() => setTimeout(() => resolve({ ms: performance.now() - t0, answered, images })));
  };
  requestAnimationFrame(tick);
};
window.openAt = performance.now();
// The stand-in host's questions go to the bench's engine over HTTP (a round trip like a webview's
// message to the extension host and back); noted: when the image card was answered.
const hostCall = (m) => fetch('/host', { method: 'POST', body: JSON.stringify(m) }).then((r) => r.json());
window.benchHost = async (m) => {
  const a = await hostCall(m);
  if (m.type === 'mediaQuery' && m.key === 'samples') window.answeredAt = performance.now();
  return a;
};
whenPainted(() => imagesShown(''), histogramShown, openAt, (f) => { window.mediaOpen = { ...f, ready: harness.stats.readyAt - openAt }; });
// A round trip to the stand-in host and back, as each answer makes.
window.measureHop = async () => {
  const t = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    await hostCall({ type: 'ping' });
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[10];
};
// As a drag does: the slider's value, then its input event.
window.measureSlider = (index) => new Promise((resolve) => {
  const slider = document.querySelector('[data-media-key="samples"] input.media-slider');
  const before = imagesOf().map((i) => i.src).join();
  const t0 = performance.now();
  slider.value = String(index);
  slider.dispatchEvent(new Event('input', { bubbles: true }));
  whenPainted(() => imagesShown(before), () => true, t0, resolve);
});
</script>
<script src="harness.js"></script>
<script>makeHostedHarness(${runs}, { collapsed: ['#overview'] });</script>
<script src="chart.js"></script>
</body></html>`;
}

const ROOT = path.resolve(__dirname, '..', '..');

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
