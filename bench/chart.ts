// Chart panel benchmark: the panel's own webview bundle in headless Chromium, fed by a stand-in host
// (media/bench/chartHarness.ts) that answers the way ChartPanel does. Prints figures; asserts nothing.
//
//   npm run compile-tests && node out/bench/chart.js [--points 1000000] [--shots]
//
// 1. open: 8 metrics x 1M points, from the webview script starting to every chart painted;
// 2. zoom: from the zoom to every chart repainted with the host's full-resolution answer;
// 3. live: 4 running runs x 4 metrics, 100 points/s appended to each run, frame times for 5 s.
// Each is run with the store's min/max downsampling and with a baseline that sends the raw points.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const POINTS = arg('--points', 1_000_000);
const LIVE_POINTS = arg('--live-points', 100_000);
const SHOTS = args.includes('--shots');
const RUNS = arg('--runs', 3);

function medianBy<T>(items: readonly T[], key: (t: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor(sorted.length / 2)];
}

type Mode = 'downsample' | 'raw';

export async function bundle(dir: string): Promise<void> {
  await esbuild.build({
    entryPoints: { chart: path.join(ROOT, 'media/chart/main.ts'), harness: path.join(ROOT, 'media/bench/chartHarness.ts') },
    outdir: dir,
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'css' },
    logLevel: 'warning',
  });
}

export const THEMES = {
  dark:
    'body{--vscode-editor-background:#1e1e1e;--vscode-foreground:#ccc;--vscode-editor-foreground:#ccc;--vscode-descriptionForeground:#9d9d9d;' +
    '--vscode-charts-blue:#3794ff;--vscode-charts-orange:#d18616;--vscode-focusBorder:#0078d4;--vscode-font-family:sans-serif;--vscode-font-size:13px;}',
  light:
    'body{--vscode-editor-background:#ffffff;--vscode-foreground:#3b3b3b;--vscode-editor-foreground:#3b3b3b;--vscode-descriptionForeground:#717171;' +
    '--vscode-button-background:#005fb8;--vscode-button-foreground:#fff;--vscode-button-secondaryBackground:#e5e5e5;--vscode-button-secondaryForeground:#3b3b3b;' +
    '--vscode-textLink-foreground:#005fb8;--vscode-font-family:sans-serif;--vscode-font-size:13px;}',
};

function page(scenario: string, mode: Mode, points: number, state: string, theme: keyof typeof THEMES = 'dark'): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="chart.css">
<style>${THEMES[theme]}</style></head>
<body class="vscode-${theme}"><div id="root"></div>
<script>
window.benchDrawn = [];
addEventListener('runrewind:drawn', (e) => {
  benchDrawn.push(e.detail);
  if (!window.paintedAt && new Set(benchDrawn).size >= window.expectCharts) requestAnimationFrame(() => setTimeout(() => { window.paintedAt = performance.now(); }));
});
</script>
<script src="harness.js"></script>
<script>
const h = makeHarness(${JSON.stringify(scenario)}, ${JSON.stringify(mode)}, ${points});
h.options.state = ${state};
window.expectCharts = h.options.keys.length;
window.openAt = performance.now();
</script>
<script src="chart.js"></script>
</body></html>`;
}

const TYPES: Record<string, string> = { '.css': 'text/css', '.js': 'text/javascript', '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif' };

/** What else the bench server answers: files by path (the media bench's images), and posted messages. */
export interface ServeOptions {
  readonly file?: (pathname: string) => string | undefined;
  /** A JSON message posted to /host, answered with JSON (null: no answer). */
  readonly host?: (message: unknown) => Promise<unknown>;
}

/** The pages, the bundle in `dir`, and what `options` adds. */
export async function serve(dir: string, pages: Map<string, string>, options: ServeOptions = {}): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/host' && options.host) {
      const host = options.host;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void host(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown).then(
          (answer) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(answer ?? null));
          },
          (e: unknown) => {
            res.writeHead(500);
            res.end(String(e));
          },
        );
      });
      return;
    }
    const html = pages.get(url.pathname);
    if (html) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
      return;
    }
    const file = options.file?.(url.pathname) ?? path.join(dir, path.basename(url.pathname));
    if (!fs.existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Headless Chromium as every webview benchmark runs it (timers not throttled: pages measure themselves). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-background-timer-throttling'],
  });
}

interface Figures {
  ms: number;
  hostMs: number;
  pointsSent: number;
  bootMs?: number;
  answeredMs?: number;
}

interface LiveFigures {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  slow: number;
}

/** Waits for every chart painted; times from the webview script starting. */
async function measureOpen(p: Page): Promise<Figures> {
  await p.waitForFunction('window.paintedAt !== undefined', null, { timeout: 60_000 }).catch(async (e: unknown) => {
    const state = await p.evaluate('JSON.stringify({ drawn: [...new Set(benchDrawn)], stats: harness.stats })');
    throw new Error(`not painted: ${state}: ${String(e)}`);
  });
  return (await p.evaluate(`({ ms: paintedAt - openAt, hostMs: harness.stats.hostMs, pointsSent: harness.stats.pointsSent,
    bootMs: harness.stats.readyAt - openAt, answeredMs: harness.stats.lastAnswerAt - openAt })`)) as Figures;
}

/** Evaluates a harness call, failing with its name after a minute instead of hanging the benchmark. */
async function call<T>(p: Page, expression: string): Promise<T> {
  return (await p.evaluate(
    `Promise.race([${expression}, new Promise((_, reject) => setTimeout(() => reject(new Error('timed out: ${expression}')), 60000))])`,
  )) as T;
}

async function measureZoom(p: Page, min: number, max: number): Promise<Figures> {
  return call<Figures>(p, `harness.measureZoom(${min}, ${max})`);
}

async function measureLive(p: Page, seconds: number): Promise<LiveFigures> {
  return call<LiveFigures>(p, `harness.measureLive(${seconds})`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-bench-'));
  await bundle(dir);
  const collapsed = JSON.stringify({ collapsed: ['#overview'] });
  const pages = new Map<string, string>();
  for (const mode of ['downsample', 'raw'] as const) {
    pages.set(`/open-${mode}.html`, page('open', mode, POINTS, collapsed));
    pages.set(`/live-${mode}.html`, page('live', mode, LIVE_POINTS, collapsed));
  }
  pages.set('/demo.html', page('demo', 'downsample', 20_000, '{}'));
  pages.set('/demo-light.html', page('demo', 'downsample', 20_000, JSON.stringify({ collapsed: ['#overview'], smoothing: 0.9 }), 'light'));
  const server = await serve(dir, pages);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  const results: Record<string, Record<Mode, unknown>> = { open: {} as Record<Mode, unknown>, zoom: {} as Record<Mode, unknown>, live: {} as Record<Mode, unknown> };
  try {
    // Shared, noisy machines: every figure is the median of RUNS runs, the two modes interleaved.
    const opens: Record<Mode, Figures[]> = { downsample: [], raw: [] };
    const zooms: Record<Mode, Figures[]> = { downsample: [], raw: [] };
    const lives: Record<Mode, LiveFigures[]> = { downsample: [], raw: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const mode of ['downsample', 'raw'] as const) {
        const ctx = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
        const p = await ctx.newPage();
        p.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
        await p.goto(`${base}/open-${mode}.html`);
        opens[mode].push(await measureOpen(p));
        zooms[mode].push(await measureZoom(p, POINTS * 0.2, POINTS * 0.4));
        if (SHOTS && run === 0) await p.screenshot({ path: path.join(ROOT, 'test-results', 'screenshots', `bench-open-${mode}.png`) });
        await ctx.close();

        const liveCtx = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
        const lp = await liveCtx.newPage();
        await lp.goto(`${base}/live-${mode}.html`);
        await measureOpen(lp);
        lives[mode].push(await measureLive(lp, 4));
        await liveCtx.close();
      }
    }
    for (const mode of ['downsample', 'raw'] as const) {
      results.open[mode] = medianBy(opens[mode], (f) => f.ms);
      results.zoom[mode] = medianBy(zooms[mode], (f) => f.ms);
      results.live[mode] = medianBy(lives[mode], (f) => f.p95);
    }
    if (SHOTS) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1300 } });
      const p = await ctx.newPage();
      p.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
      p.on('dialog', (d) => {
        process.stderr.write(`DIALOG (script ran!): ${d.message()}\n`);
        void d.dismiss();
      });
      await p.goto(`${base}/demo.html`);
      await measureOpen(p);
      await p.screenshot({ path: path.join(ROOT, 'test-results', 'screenshots', 'bench-demo.png'), fullPage: true });
      await p.goto(`${base}/demo-light.html`);
      await measureOpen(p);
      await p.screenshot({ path: path.join(ROOT, 'test-results', 'screenshots', 'bench-demo-light-smoothed.png'), fullPage: true });
      await ctx.close();
    }
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report(results);
}

function report(r: Record<string, Record<Mode, unknown>>): void {
  const open = r.open as Record<Mode, Figures>;
  const zoom = r.zoom as Record<Mode, Figures>;
  const live = r.live as Record<Mode, LiveFigures>;
  const f = (n: number): string => n.toFixed(1);
  const lines = [
    `chart panel benchmark (headless Chromium, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}; medians of ${RUNS} runs)`,
    `open   8 metrics x ${POINTS.toLocaleString('en')} points → painted: ${f(open.downsample.ms)} ms (of which host downsampling in the same thread ${f(open.downsample.hostMs)} ms, ${open.downsample.pointsSent.toLocaleString('en')} points sent)` +
      ` | raw baseline ${f(open.raw.ms)} ms (${open.raw.pointsSent.toLocaleString('en')} points) | ratio ${(open.raw.ms / open.downsample.ms).toFixed(1)}x   [target < 300 ms]`,
    `       (webview booted and said ready at ${f(open.downsample.bootMs ?? 0)} ms, last answer sent at ${f(open.downsample.answeredMs ?? 0)} ms)`,
    `zoom   20% of the range, request → repainted: ${f(zoom.downsample.ms)} ms (host ${f(zoom.downsample.hostMs)} ms, ${zoom.downsample.pointsSent.toLocaleString('en')} points)` +
      ` | raw baseline ${f(zoom.raw.ms)} ms (${zoom.raw.pointsSent.toLocaleString('en')} points) | ratio ${(zoom.raw.ms / zoom.downsample.ms).toFixed(1)}x   [target < 50 ms]`,
    `live   4 runs x 4 metrics (${LIVE_POINTS.toLocaleString('en')} points each), 100 points/s per run, 4 s: frame p50 ${f(live.downsample.p50)} ms, p95 ${f(live.downsample.p95)} ms, max ${f(live.downsample.max)} ms, ${live.downsample.slow} slow frames` +
      ` | raw baseline p50 ${f(live.raw.p50)} ms, p95 ${f(live.raw.p95)} ms, max ${f(live.raw.max)} ms, ${live.raw.slow} slow frames | p95 ratio ${(live.raw.p95 / live.downsample.p95).toFixed(1)}x   [target < 16 ms]`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

// Imported by the media benchmark for its bundle and server: runs only as a script.
if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
