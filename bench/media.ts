// Media at scale (issue 14), on the host's side of the chart panel: a run that logged 10,000 images
// (2,000 steps of 5, a fifth of them repeats, as a fixed validation batch is) and 1,000 histogram steps.
// Figures: ingest of the media records; the Media section's first answer (its keys, then each card's
// steps and entry, as the panel asks); one slider step (a card asked again at another step); the
// histogram distribution over 1,000 steps; storage bytes against the bytes logged (content addressing).
// The webview's paint is not measured here. Prints; asserts nothing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StepRange, StoreApi } from '../src/core/api';
import { Engine } from '../src/core/engine';
import { defaultWasmPath } from '../src/core/sqlite';
import { LogWriter } from '../src/core/writer';
import { histogramDistribution, queryMedia } from '../src/panels/chartData';
import { mediaFile, mediaRecord, png } from '../test/support/media';

const IMAGE_STEPS = 2_000;
const PER_STEP = 5;
const HISTOGRAM_STEPS = 1_000;

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

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
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
