// Run numbers: the N of a generated name "adjective-noun-N", claimed in the log directory's `names/`
// folder as the Python client claims them (python/runrewind/_names.py), so a fork made here and a run
// started by a training job never take the same number of a project.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const NAMES_DIR = 'names';

/** The folder of a project's claims: a hash, as a project name may hold any character. */
export function projectKey(project: string): string {
  return createHash('sha256').update(project, 'utf8').digest('hex').slice(0, 32);
}

function highestClaim(folder: string): number | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let top = 0;
  for (const name of names) if (/^[0-9]+$/.test(name)) top = Math.max(top, Number(name));
  return top;
}

/**
 * Claims the number of a new run of `project`: one more than both the runs the store counts there
 * (`inStore`) and the highest number claimed, made atomic by an `O_EXCL` create. Without `names/` (a
 * directory no Python client of this version has started a run in yet) nothing is claimed: the store's
 * count is what the Python client will count when it makes `names/` from the logs.
 */
export function claimRunNumber(logDir: string, project: string, runId: string, inStore: number): number {
  const names = path.join(logDir, NAMES_DIR);
  if (!fs.existsSync(names)) return inStore + 1;
  const folder = path.join(names, projectKey(project));
  let n = Math.max(inStore, highestClaim(folder) ?? 0) + 1;
  for (;;) {
    try {
      const fd = fs.openSync(path.join(folder, String(n)), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
      try {
        fs.writeSync(fd, runId);
      } finally {
        fs.closeSync(fd);
      }
      return n;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') n++;
      else if (code === 'ENOENT') fs.mkdirSync(folder, { recursive: true });
      else throw error;
    }
  }
}
