// Shared set-up for unit tests: temporary log directories and engines over them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/core/engine';
import type { EngineOptions } from '../../src/core/engine';
import { LogWriter } from '../../src/core/writer';
import type { WriterOptions } from '../../src/core/writer';

export function tempDir(prefix = 'rr-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function openEngine(logDir: string, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return Engine.open({ logDir, ...options });
}

/** A writer with no heartbeat timer, so tests end cleanly. */
export function writer(dir: string, options: Omit<WriterOptions, 'dir'> = {}): LogWriter {
  return new LogWriter({ dir, heartbeat: 0, ...options });
}

/** Logs `metric = i` for steps 0..n-1 and finishes. */
export function linearRun(dir: string, n: number, options: Omit<WriterOptions, 'dir'> = {}): LogWriter {
  const w = writer(dir, options);
  for (let i = 0; i < n; i++) w.log({ metric: i });
  w.finish();
  return w;
}

/** Every file under a directory with its bytes, to show that a refused operation wrote nothing. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}
