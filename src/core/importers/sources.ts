// Where imported runs are looked for: the configured sources (paths or globs) expanded to folders,
// never walking into folders that are big and hold no one's logs.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Names never walked into when looking for runs. */
export const SKIPPED_DIR_NAMES: ReadonlySet<string> = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', '.tox']);


/**
 * The folders a source names: a path, or a glob whose segments may hold `*` and `?` (within a name) and
 * `**` (any depth). Globs never walk into SKIPPED_DIR_NAMES. Only folders that exist are returned, and a
 * path that names a file (MLflow's mlflow.db): importers that read files find theirs, the others nothing.
 */
export function expandSource(pattern: string): string[] {
  const resolved = path.resolve(pattern);
  if (!/[*?]/.test(resolved)) return isDir(resolved) || isFile(resolved) ? [resolved] : [];
  const parts = resolved.split(path.sep);
  let first = parts.findIndex((p) => /[*?]/.test(p));
  const root = parts.slice(0, first).join(path.sep) || path.sep;
  const out = new Set<string>();
  const walk = (dir: string, at: number, depth: number): void => {
    if (at === parts.length) {
      out.add(dir);
      return;
    }
    if (depth > 32) return;
    const part = parts[at];
    if (part === '**') {
      walk(dir, at + 1, depth);
      for (const sub of subdirs(dir)) walk(path.join(dir, sub), at, depth + 1);
      return;
    }
    if (!/[*?]/.test(part)) {
      const next = path.join(dir, part);
      if (isDir(next)) walk(next, at + 1, depth + 1);
      return;
    }
    const re = globSegment(part);
    for (const sub of subdirs(dir)) if (re.test(sub)) walk(path.join(dir, sub), at + 1, depth + 1);
  };
  first = Math.max(first, 0);
  walk(root, first, 0);
  return [...out].sort();
}

/** Every folder (or file) the sources name, once each, leaving out those `skip` says (our own log directory). */
export function* sourceRoots(sources: readonly string[], skip: (dir: string) => boolean): Generator<string> {
  const seen = new Set<string>();
  for (const source of sources) {
    if (isServerSource(source)) continue; // a tracking server (mlflowServer.ts), not a folder
    for (const root of expandSource(source)) {
      if (seen.has(root) || skip(root)) continue;
      seen.add(root);
      yield root;
    }
  }
}

/** A source that is an MLflow tracking server's http(s) address rather than a path. */
export function isServerSource(source: string): boolean {
  return /^https?:\/\//i.test(source.trim());
}

function globSegment(part: string): RegExp {
  const escaped = part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

function subdirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !SKIPPED_DIR_NAMES.has(e.name)).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
