// A child process for memory figures of the TensorBoard importer (the bounded-memory test and the
// import benchmark): opens an engine over one source folder, imports it in one pass and prints JSON of
// what it read and what memory it took — the process's peak RSS before and after (a fresh process, so
// the peak is the import's), and the JS heap and array buffers (the store's SQLite lives in wasm memory).
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../../src/core/engine';
import { defaultWasmPath } from '../../src/core/sqlite';

async function main(): Promise<void> {
  // With a snapshot path the store is persisted as the extension keeps it: full chunks in chunk files.
  const [source, logDir, snapshotPath] = process.argv.slice(2);
  const before = process.memoryUsage();
  const engine = await Engine.open({ logDir, sources: [source], importHoldSeconds: 0, wasmPath: defaultWasmPath(), snapshotPath });
  const opened = process.resourceUsage().maxRSS * 1024;
  const t0 = performance.now();
  const result = engine.ingest();
  const seconds = (performance.now() - t0) / 1000;
  const after = process.memoryUsage();
  const run = engine.listRuns()[0];
  engine.close();
  process.stdout.write(`${JSON.stringify({
    run: run ? path.basename(run.name) : null, lastStep: run?.lastStep ?? null, points: result.points, seconds,
    diagnostics: result.diagnostics.length, peakBefore: opened, peakAfter: process.resourceUsage().maxRSS * 1024,
    heapBefore: before.heapUsed, heapAfter: after.heapUsed, arrayBuffersBefore: before.arrayBuffers, arrayBuffersAfter: after.arrayBuffers,
  })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
