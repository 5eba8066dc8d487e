"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
// Chart panel benchmark: the panel's own webview bundle in headless Chromium, fed by a stand-in host
// (media/bench/chartHarness.ts) that answers the way ChartPanel does. Prints figures; asserts nothing.
//
//   npm run compile-tests && node out/bench/chart.js [--points 1000000] [--shots]
//
// 1. open: 8 metrics x 1M points, from the webview script starting to every chart painted;
// 2. zoom: from the zoom to every chart repainted with the host's full-resolution answer;
// 3. live: 4 running runs x 4 metrics, 100 points/s appended to each run, frame times for 5 s.
// Each is run with the store's min/max downsampling and with a baseline that sends the raw points.
const esbuild = __importStar(require("esbuild"));
const fs = __importStar(require("node:fs"));
const http = __importStar(require("node:http"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const playwright_core_1 = require("playwright-core");
const ROOT = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
};
const POINTS = arg('--points', 1_000_000);
const LIVE_POINTS = arg('--live-points', 100_000);
const SHOTS = args.includes('--shots');
const RUNS = arg('--runs', 3);
function medianBy(items, key) {
    const sorted = [...items].sort((a, b) => key(a) - key(b));
    return sorted[Math.floor(sorted.length / 2)];
}
async function bundle(dir) {
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
const THEMES = {
    dark: 'body{--vscode-editor-background:#1e1e1e;--vscode-foreground:#ccc;--vscode-editor-foreground:#ccc;--vscode-font-family:sans-serif;--vscode-font-size:13px;}',
    light: 'body{--vscode-editor-background:#ffffff;--vscode-foreground:#3b3b3b;--vscode-editor-foreground:#3b3b3b;--vscode-descriptionForeground:#717171;' +
        '--vscode-button-background:#005fb8;--vscode-button-foreground:#fff;--vscode-button-secondaryBackground:#e5e5e5;--vscode-button-secondaryForeground:#3b3b3b;' +
        '--vscode-textLink-foreground:#005fb8;--vscode-font-family:sans-serif;--vscode-font-size:13px;}',
};
function page(scenario, mode, points, state, theme = 'dark') {
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
async function serve(dir, pages) {
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const html = pages.get(url.pathname);
        if (html) {
            res.writeHead(200, { 'content-type': 'text/html' });
            res.end(html);
            return;
        }
        const file = path.join(dir, path.basename(url.pathname));
        if (!fs.existsSync(file)) {
            res.writeHead(404);
            res.end();
            return;
        }
        res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
        fs.createReadStream(file).pipe(res);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
}
/** Waits for every chart painted; times from the webview script starting. */
async function measureOpen(p) {
    await p.waitForFunction('window.paintedAt !== undefined', null, { timeout: 60_000 }).catch(async (e) => {
        const state = await p.evaluate('JSON.stringify({ drawn: [...new Set(benchDrawn)], stats: harness.stats })');
        throw new Error(`not painted: ${state}: ${String(e)}`);
    });
    return (await p.evaluate(`({ ms: paintedAt - openAt, hostMs: harness.stats.hostMs, pointsSent: harness.stats.pointsSent,
    bootMs: harness.stats.readyAt - openAt, answeredMs: harness.stats.lastAnswerAt - openAt })`));
}
/** Evaluates a harness call, failing with its name after a minute instead of hanging the benchmark. */
async function call(p, expression) {
    return (await p.evaluate(`Promise.race([${expression}, new Promise((_, reject) => setTimeout(() => reject(new Error('timed out: ${expression}')), 60000))])`));
}
async function measureZoom(p, min, max) {
    return call(p, `harness.measureZoom(${min}, ${max})`);
}
async function measureLive(p, seconds) {
    return call(p, `harness.measureLive(${seconds})`);
}
async function main() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runrewind-bench-'));
    await bundle(dir);
    const collapsed = JSON.stringify({ collapsed: ['#overview'] });
    const pages = new Map();
    for (const mode of ['downsample', 'raw']) {
        pages.set(`/open-${mode}.html`, page('open', mode, POINTS, collapsed));
        pages.set(`/live-${mode}.html`, page('live', mode, LIVE_POINTS, collapsed));
    }
    pages.set('/demo.html', page('demo', 'downsample', 20_000, '{}'));
    pages.set('/demo-light.html', page('demo', 'downsample', 20_000, JSON.stringify({ collapsed: ['#overview'], smoothing: 0.9 }), 'light'));
    const server = await serve(dir, pages);
    const base = `http://127.0.0.1:${server.address().port}`;
    const browser = await playwright_core_1.chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-background-timer-throttling'],
    });
    const results = { open: {}, zoom: {}, live: {} };
    try {
        // Shared, noisy machines: every figure is the median of RUNS runs, the two modes interleaved.
        const opens = { downsample: [], raw: [] };
        const zooms = { downsample: [], raw: [] };
        const lives = { downsample: [], raw: [] };
        for (let run = 0; run < RUNS; run++) {
            for (const mode of ['downsample', 'raw']) {
                const ctx = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
                const p = await ctx.newPage();
                p.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
                await p.goto(`${base}/open-${mode}.html`);
                opens[mode].push(await measureOpen(p));
                zooms[mode].push(await measureZoom(p, POINTS * 0.2, POINTS * 0.4));
                if (SHOTS && run === 0)
                    await p.screenshot({ path: path.join(ROOT, 'test-results', 'screenshots', `bench-open-${mode}.png`) });
                await ctx.close();
                const liveCtx = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
                const lp = await liveCtx.newPage();
                await lp.goto(`${base}/live-${mode}.html`);
                await measureOpen(lp);
                lives[mode].push(await measureLive(lp, 4));
                await liveCtx.close();
            }
        }
        for (const mode of ['downsample', 'raw']) {
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
    }
    finally {
        await browser.close();
        server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
    report(results);
}
function report(r) {
    const open = r.open;
    const zoom = r.zoom;
    const live = r.live;
    const f = (n) => n.toFixed(1);
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
main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
});
//# sourceMappingURL=chart.js.map