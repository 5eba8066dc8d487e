// The files of a version the MLflow sync uploads as MLflow run artifacts (issue 17): its console as
// output.log, its media under media/<key>/, its saved files under files/ and the artifact versions it
// logged under artifacts/<name>/<vN>/, through the tracking server's artifact proxy
// (/api/2.0/mlflow-artifacts/artifacts/...). Idempotent: a file goes when neither the sync state nor the
// server's listing has it with its content, so a run again uploads only what is missing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ArtifactUse, ConsolePage, ConsoleQuery, MediaEntry, MediaKeyInfo, StepRange } from '../api';
import { RunRewindError } from '../errors';
import type { UploadBody } from './mlflowRest';

type Awaitable<T> = T | Promise<T>;

/** What the uploads read of the store (Engine and StoreClient both have it). */
export interface UploadSource {
  consoleLines(version: string, query?: ConsoleQuery): Awaitable<ConsolePage>;
  mediaKeys(version: string): Awaitable<MediaKeyInfo[]>;
  mediaEntries(version: string, key: string, range?: StepRange, limit?: number): Awaitable<MediaEntry[]>;
  artifacts(version: string): Awaitable<ArtifactUse[]>;
}

/** One file to have on the server. */
export interface PlannedFile {
  /** Its path under the MLflow run's artifact root, `/`-separated. */
  readonly path: string;
  readonly size: number;
  /** What identifies its content: `sha256:size` (what the sync state records). */
  readonly id: string;
  /** A local file to send, or the bytes themselves (console text, a histogram as JSON). */
  readonly file?: string;
  readonly data?: Buffer;
  /** A table (listed in the run's mlflow.loggedArtifacts tag, as MLflow's log_table does). */
  readonly table?: boolean;
}

/** Console lines read per query (a long console is read in pages, not at once). */
const CONSOLE_PAGE = 10_000;
/** Media entries read per query. */
const MEDIA_PAGE = 10_000;

/**
 * One segment of an artifact path the server takes as it is: MLflow's validate_path_is_safe refuses `..`,
 * `%`-escapes, backslashes and control characters, and URLs would read `?` and `#`. Anything else in a
 * media key or file name is kept; refused characters become `_`.
 */
function segment(text: string): string {
  const s = text.replace(/[\u0000-\u001f\u007f\\%?#:*"<>|]/g, '_').trim();
  return s === '' || s === '.' || s === '..' ? '_'.repeat(Math.max(1, s.length)) : s;
}

/** A `/`-separated path of safe segments. */
export function artifactPath(...parts: string[]): string {
  return parts.flatMap((p) => p.split('/')).map(segment).join('/');
}

function contentId(sha256: string, size: number): string {
  return `${sha256}:${size}`;
}

function bytes(data: Buffer): { data: Buffer; size: number; id: string } {
  return { data, size: data.length, id: contentId(createHash('sha256').update(data).digest('hex'), data.length) };
}

/** Every file a version has to upload, in the order they go: console, media, saved files, artifacts. */
export async function planUploads(source: UploadSource, version: string, warnings: string[]): Promise<PlannedFile[]> {
  const out: PlannedFile[] = [];
  const taken = new Set<string>();
  const add = (file: PlannedFile): void => {
    // Two names that differ only in characters MLflow refuses end on one path: the first keeps it.
    if (taken.has(file.path)) {
      warnings.push(`${version}: two files would be uploaded as ${file.path}; only the first was`);
      return;
    }
    taken.add(file.path);
    out.push(file);
  };

  // The console as the Run Console shows it (inherited lines first), one line per line, as W&B's output.log.
  const first = await source.consoleLines(version, { offset: 0, limit: CONSOLE_PAGE });
  if (first.total > 0) {
    const parts: string[] = first.lines.map((l) => `${l.text}\n`);
    for (let offset = first.lines.length; offset < first.total; ) {
      const page = await source.consoleLines(version, { offset, limit: CONSOLE_PAGE });
      if (page.lines.length === 0) break;
      for (const l of page.lines) parts.push(`${l.text}\n`);
      offset += page.lines.length;
    }
    add({ path: 'output.log', ...bytes(Buffer.from(parts.join(''), 'utf8')) });
  }

  // Media of the version's visible history (inherited up to the branch step): media/<key>/<step>_<n>.<format>.
  for (const info of await source.mediaKeys(version)) {
    for (let from = 0; ; ) {
      const entries = await source.mediaEntries(version, info.key, { from }, MEDIA_PAGE);
      for (const entry of entries) {
        entry.items.forEach((item, n) => {
          const stem = artifactPath('media', info.key, `${entry.step}_${n}`);
          if (item.file !== undefined && item.sha256 !== undefined && item.size !== undefined && item.format !== undefined) {
            add({ path: `${stem}.${segment(item.format)}`, size: item.size, id: contentId(item.sha256, item.size), file: item.file, table: entry.kind === 'table' });
          } else if (item.bins !== undefined && item.counts !== undefined) {
            add({ path: `${stem}.histogram.json`, ...bytes(Buffer.from(JSON.stringify({ bins: item.bins, counts: item.counts }), 'utf8')) });
          }
        });
      }
      if (entries.length < MEDIA_PAGE) break;
      from = entries[entries.length - 1].step + 1;
    }
  }

  // Artifact versions the version logged (its ancestors' up to the branch step included): the newest
  // run-files version is its saved files, under files/; every other one under artifacts/<name>/<vN>/.
  const logged = new Map<string, ArtifactUse>();
  for (const use of await source.artifacts(version)) if (use.action === 'log') logged.set(`${use.name}:${use.artifactVersion}`, use);
  const uses = [...logged.values()];
  const files = uses.filter((u) => u.type === 'run-files');
  const chosen = [...(files.length > 0 ? [files[files.length - 1]] : []), ...uses.filter((u) => u.type !== 'run-files')];
  for (const use of chosen) {
    let manifest: { manifest?: Record<string, { sha256?: string; size?: number; ref?: string }> };
    try {
      manifest = JSON.parse(fs.readFileSync(use.manifestFile, 'utf8')) as typeof manifest;
    } catch (error) {
      warnings.push(`${version}: the manifest ${use.manifestFile} of artifact ${use.name}:${use.artifactVersion} could not be read (${(error as Error).message}); its files were not uploaded`);
      continue;
    }
    const logDir = path.dirname(path.dirname(path.dirname(use.manifestFile)));
    let refs = 0;
    for (const [name, entry] of Object.entries(manifest.manifest ?? {})) {
      if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256) || typeof entry.size !== 'number') {
        refs++;
        continue;
      }
      const at = use.type === 'run-files' ? artifactPath('files', name) : artifactPath('artifacts', use.name, use.artifactVersion, name);
      add({ path: at, size: entry.size, id: contentId(entry.sha256, entry.size), file: path.join(logDir, 'objects', entry.sha256.slice(0, 2), entry.sha256) });
    }
    if (refs > 0) warnings.push(`${version}: artifact ${use.name}:${use.artifactVersion} has ${refs} reference${refs === 1 ? '' : 's'} (add_reference), not uploaded: only stored files are`);
  }
  return out;
}

/**
 * Where the tracking server takes a run's files: its proxy path for the run's artifact root. A root the
 * server does not proxy (a local path, s3://…: the server was started with --no-serve-artifacts or a
 * --default-artifact-root) cannot be written through it; the error says how to start it instead.
 */
export function artifactProxyUrl(base: string, runId: string, artifactUri: string | undefined): string {
  const uri = artifactUri ?? '';
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/+(.*)$/.exec(uri);
  if (proxied) return `${base}/api/2.0/mlflow-artifacts/artifacts/${proxied[1].replace(/\/+$/, '')}`;
  const anchor = '/api/2.0/mlflow-artifacts/artifacts/';
  if (/^https?:\/\//.test(uri) && uri.includes(anchor)) return uri.replace(/\/+$/, '');
  throw new RunRewindError('bad-argument', `the MLflow server ${base} keeps the artifacts of run ${runId} at ${JSON.stringify(uri)}, which it does not serve: files can only be uploaded through a server that proxies artifacts. Start it with \`mlflow server --serve-artifacts --artifacts-destination DIR\` (the default unless --no-serve-artifacts or --default-artifact-root is given; an experiment created before keeps its artifact location, so sync into a new one with --experiment), or sync without files (--max-upload-mb 0)`);
}

/** The request body of a file: its bytes when small, a stream when large (a checkpoint is never read into memory whole). */
export function uploadBody(file: PlannedFile, tap?: (sent: number) => void): { body: UploadBody; stream: boolean } {
  if (file.data !== undefined && !tap) return { body: file.data, stream: false };
  if (file.file !== undefined && file.size <= 1 << 20 && !tap) return { body: fs.readFileSync(file.file), stream: false };
  const source = file.data !== undefined ? Readable.from([file.data]) : fs.createReadStream(file.file!, { highWaterMark: 1 << 20 });
  let sent = 0;
  const counted = tap
    ? source.map((chunk: Buffer) => {
      sent += chunk.length;
      tap(sent);
      return chunk;
    }, { concurrency: 1 })
    : source;
  return { body: Readable.toWeb(counted) as unknown as UploadBody, stream: true };
}
