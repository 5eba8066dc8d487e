// Garbage collection of a log directory's shared files (`runrewind gc`): the artifact objects, manifests
// and media files that no remaining run version (live or archived, or an ancestor one inherits from)
// refers to. Deleting a run only hides it; this is what frees its files, and never one another run uses.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NAMES_DIR } from './runNumbers';
import type { Db } from './sqlite';

/** What the remaining runs refer to, from the store (Engine.gcReferences). */
export interface GcReferences {
  /** `name:vN` of every artifact version a kept version logged, used or linked. */
  readonly artifacts: ReadonlySet<string>;
  /** sha256 of every media file a kept version's media records name. */
  readonly media: ReadonlySet<string>;
  /** Files modified at or after this time (unix seconds) are kept: a running writer stores a file before the record that names it. */
  readonly keepNewerThan: number;
}

export interface GcEntry {
  readonly kind: 'object' | 'media' | 'manifest' | 'marker' | 'claim';
  /** Relative to the log directory, with `/`. */
  readonly path: string;
  readonly bytes: number;
}

export interface GcResult {
  readonly removed: readonly GcEntry[];
  readonly bytes: number;
  /** Unreferenced files kept because they are newer than a running run (or this collection). */
  readonly keptRecent: number;
  readonly dryRun: boolean;
}

const SHA = /^[0-9a-f]{64}$/;
const MEDIA_FILE = /^([0-9a-f]{64})\.[a-z0-9]{1,16}$/;
const VERSION_FILE = /^v(0|[1-9][0-9]{0,8})\.json$/;
const CLAIM = /^[0-9]+$/;
/**
 * Change markers (docs/PROTOCOL.md) serve viewers that poll every few seconds, and a store reopened from
 * its snapshot follows those of the last minutes: older than a day they serve no one.
 */
const MARKER_KEEP_SECONDS = 24 * 3600;

/**
 * The versions whose files stay: every version of a run that is not deleted, and every ancestor of one
 * (a fork of a deleted run still shows its source's media and artifacts up to the fork step).
 */
export function collectReferences(db: Db, keepNewerThan: number): GcReferences {
  const kept = `WITH RECURSIVE kept(id) AS (
      SELECT v.id FROM versions v JOIN runs r ON r.id = v.run_id WHERE r.deleted = 0
      UNION SELECT v.parent FROM versions v JOIN kept k ON v.id = k.id WHERE v.parent IS NOT NULL)`;
  const artifacts = new Set<string>();
  for (const [name, version] of db.all(`${kept} SELECT DISTINCT name, artifact_version FROM artifacts WHERE version IN (SELECT id FROM kept)`)) {
    artifacts.add(`${String(name)}:${String(version)}`);
  }
  const media = new Set<string>();
  db.each(`${kept} SELECT items FROM media WHERE version IN (SELECT id FROM kept)`, [], (row) => {
    try {
      collectShas(JSON.parse(String(row[0])), media);
    } catch {
      // An unreadable row names no file: nothing to keep for it.
    }
  });
  return { artifacts, media, keepNewerThan };
}

/**
 * Adds what the log files `files` name, read as text: the store knows nothing of a file it refused (a
 * newer protocol, a bad start record) or a run folder it has not read, yet their runs may use artifacts
 * and media. Artifact records give `name:vN`; any 64-digit hex string is kept as a media file's.
 */
export function addReferencesOfFiles(refs: GcReferences, files: readonly string[]): GcReferences {
  const artifacts = new Set(refs.artifacts);
  const media = new Set(refs.media);
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      for (const hex of line.match(/[0-9a-f]{64}/g) ?? []) media.add(hex);
      if (!line.includes('"artifact"')) continue;
      try {
        const rec = JSON.parse(line) as { type?: unknown; name?: unknown; version?: unknown };
        if (rec.type === 'artifact' && typeof rec.name === 'string' && typeof rec.version === 'string') artifacts.add(`${rec.name}:${rec.version}`);
      } catch {
        const name = /"name":\s*"([A-Za-z0-9_.-]{1,128})"/.exec(line);
        const version = /"version":\s*"(v\d+)"/.exec(line);
        if (name && version) artifacts.add(`${name[1]}:${version[1]}`);
      }
    }
  }
  return { artifacts, media, keepNewerThan: refs.keepNewerThan };
}

function collectShas(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectShas(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'sha256' && typeof v === 'string' && SHA.test(v)) into.add(v);
      else collectShas(v, into);
    }
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * Finds (and unless `dryRun`, removes) the unreferenced files of `logDir`: artifact manifests no kept
 * version names, then the objects no remaining manifest lists, media files no kept media record (nor a
 * kept table's cells) names, and change markers older than a day. Temporary files of a writer at work
 * are never touched.
 */
export function collectGarbage(logDir: string, refs: GcReferences, dryRun: boolean): GcResult {
  const removed: GcEntry[] = [];
  let keptRecent = 0;
  const recent = (stat: fs.Stats): boolean => stat.mtimeMs / 1000 >= refs.keepNewerThan;
  const consider = (kind: GcEntry['kind'], rel: string, stat: fs.Stats): void => {
    if (recent(stat)) {
      keptRecent++;
      return;
    }
    removed.push({ kind, path: rel, bytes: stat.size });
  };

  // Manifests first: the objects a removed manifest lists are garbage too, unless a kept one lists them.
  const liveObjects = new Set<string>();
  const artifactsDir = path.join(logDir, 'artifacts');
  for (const name of listDir(artifactsDir)) {
    for (const file of listDir(path.join(artifactsDir, name))) {
      const match = VERSION_FILE.exec(file);
      if (!match) continue;
      const full = path.join(artifactsDir, name, file);
      let stat: fs.Stats;
      let manifest: unknown;
      try {
        stat = fs.statSync(full);
        manifest = (JSON.parse(fs.readFileSync(full, 'utf8')) as { manifest?: unknown }).manifest;
      } catch {
        continue; // being written, or not ours: left alone
      }
      const spec = `${name}:v${match[1]}`;
      if (refs.artifacts.has(spec) || recent(stat)) {
        if (!refs.artifacts.has(spec)) keptRecent++;
        collectShas(manifest, liveObjects);
      } else {
        removed.push({ kind: 'manifest', path: `artifacts/${name}/${file}`, bytes: stat.size });
      }
    }
  }
  const objectsDir = path.join(logDir, 'objects');
  for (const prefix of listDir(objectsDir)) {
    for (const file of listDir(path.join(objectsDir, prefix))) {
      if (!SHA.test(file) || liveObjects.has(file)) continue;
      const stat = statOf(path.join(objectsDir, prefix, file));
      if (stat) consider('object', `objects/${prefix}/${file}`, stat);
    }
  }

  // Media: a kept table's JSON names the images in its cells.
  const liveMedia = new Set(refs.media);
  const mediaDir = path.join(logDir, 'media');
  const mediaFiles: { rel: string; sha: string; full: string }[] = [];
  for (const prefix of listDir(mediaDir)) {
    for (const file of listDir(path.join(mediaDir, prefix))) {
      const match = MEDIA_FILE.exec(file);
      if (match) mediaFiles.push({ rel: `media/${prefix}/${file}`, sha: match[1], full: path.join(mediaDir, prefix, file) });
    }
  }
  for (const f of mediaFiles) {
    if (f.rel.endsWith('.json') && refs.media.has(f.sha)) {
      try {
        collectShas(JSON.parse(fs.readFileSync(f.full, 'utf8')), liveMedia);
      } catch {
        // A table file that does not parse names nothing.
      }
    }
  }
  for (const f of mediaFiles) {
    if (liveMedia.has(f.sha)) continue;
    const stat = statOf(f.full);
    if (stat) consider('media', f.rel, stat);
  }

  const changesDir = path.join(logDir, 'changes');
  const markerCutoff = Date.now() / 1000 - MARKER_KEEP_SECONDS;
  for (const file of listDir(changesDir)) {
    const stat = statOf(path.join(changesDir, file));
    if (stat?.isFile() && stat.size === 0 && stat.mtimeMs / 1000 < markerCutoff) removed.push({ kind: 'marker', path: `changes/${file}`, bytes: 0 });
  }

  // Run-number claims (runNumbers.ts): a claim reads only its project's highest number, so the others
  // are kept for no one (a folder of 10,000 claims is several round trips to list on NFS). The highest
  // seen stays: a claim made meanwhile is higher still.
  const namesDir = path.join(logDir, NAMES_DIR);
  for (const key of listDir(namesDir)) {
    const claims = listDir(path.join(namesDir, key)).filter((name) => CLAIM.test(name));
    let top = -1;
    for (const name of claims) top = Math.max(top, Number(name));
    for (const name of claims) {
      if (Number(name) >= top) continue;
      const stat = statOf(path.join(namesDir, key, name));
      if (stat?.isFile()) removed.push({ kind: 'claim', path: `${NAMES_DIR}/${key}/${name}`, bytes: stat.size });
    }
  }

  if (!dryRun) {
    for (const entry of removed) {
      try {
        fs.unlinkSync(path.join(logDir, ...entry.path.split('/')));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  return { removed, bytes: removed.reduce((sum, e) => sum + e.bytes, 0), keptRecent, dryRun };
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
