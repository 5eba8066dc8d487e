// Queries of a version's media and artifacts (protocol 1.2): media keys, the steps of one key, the entry
// at (or nearest before) a step, entries over a step range; the artifact versions a version logged or used.
// Both are history: a version shows its ancestors' up to each branch step, then its own, as console
// lines (recordingQueries.ts). Read-only.
import * as path from 'node:path';
import type { ArtifactUse, MediaEntry, MediaFileItem, MediaKeyInfo, StepRange } from './api';
import { mediaFile, parseLine } from './protocol';
import type { ArtifactRecord, MediaItem } from './protocol';
import type { RunStore } from './store';
import { compareKeys } from '../shared/keys';

/** One version's part of a visible history: its media with step <= cap. */
interface Part {
  readonly version: string;
  readonly cap: number;
}

export class MediaQueries {
  constructor(
    private readonly store: RunStore,
    /** The log directory: item files are resolved under it. */
    private readonly logDir: string,
  ) {}

  /** The parts of a version's media, the version's own first, then each ancestor up to the smallest branch step below it. */
  private parts(version: string): Part[] {
    return this.store.inheritedParts(version);
  }

  mediaKeys(version: string): MediaKeyInfo[] {
    this.store.requireVersion(version);
    const byKey = new Map<string, { kind: string; kindStep: number; steps: Set<number>; first: number; last: number }>();
    for (const part of this.parts(version)) {
      this.store.db.each('SELECT key, step, kind FROM media WHERE version=? AND step<=? ORDER BY seq', [part.version, part.cap], (r) => {
        const key = r[0] as string;
        const step = r[1] as number;
        let info = byKey.get(key);
        if (!info) {
          info = { kind: r[2] as string, kindStep: step, steps: new Set(), first: step, last: step };
          byKey.set(key, info);
        }
        info.steps.add(step);
        if (step < info.first) info.first = step;
        if (step > info.last) info.last = step;
        if (step > info.kindStep) {
          info.kind = r[2] as string;
          info.kindStep = step;
        }
      });
    }
    return [...byKey.keys()].sort(compareKeys).map((key) => {
      const info = byKey.get(key)!;
      return { key, kind: info.kind, steps: info.steps.size, firstStep: info.first, lastStep: info.last };
    });
  }

  mediaSteps(version: string, key: string): number[] {
    this.store.requireVersion(version);
    const steps = new Set<number>();
    for (const part of this.parts(version)) {
      this.store.db.each('SELECT DISTINCT step FROM media WHERE version=? AND key=? AND step<=?', [part.version, key, part.cap], (r) => {
        steps.add(r[0] as number);
      });
    }
    return [...steps].sort((a, b) => a - b);
  }

  mediaAt(version: string, key: string, step: number): MediaEntry | null {
    this.store.requireVersion(version);
    let best: { row: unknown[]; part: Part } | undefined;
    // The nearest at or before `step`; the version's own part comes first and wins a tie.
    for (const part of this.parts(version)) {
      const row = this.store.db.get('SELECT step, kind, time, items FROM media WHERE version=? AND key=? AND step<=? ORDER BY step DESC, seq DESC LIMIT 1', [part.version, key, Math.min(step, part.cap)]);
      if (row && (!best || (row[0] as number) > (best.row[0] as number))) best = { row, part };
    }
    if (!best) {
      for (const part of this.parts(version)) {
        if (part.cap <= step) continue;
        const row = this.store.db.get('SELECT step, kind, time, items FROM media WHERE version=? AND key=? AND step>? AND step<=? ORDER BY step ASC, seq DESC LIMIT 1', [part.version, key, step, part.cap]);
        if (row && (!best || (row[0] as number) < (best.row[0] as number))) best = { row, part };
      }
    }
    return best ? this.entry(key, best.row, best.part.version, version) : null;
  }

  mediaEntries(version: string, key: string, range: StepRange = {}, limit = 10_000): MediaEntry[] {
    this.store.requireVersion(version);
    const lo = range.from ?? 0;
    const hi = range.to ?? Number.MAX_SAFE_INTEGER;
    // By step: the last record of a step wins (a key logged twice at one step shows the second, as wandb).
    const byStep = new Map<number, MediaEntry>();
    const parts = this.parts(version).reverse();
    for (const part of parts) {
      this.store.db.each('SELECT step, kind, time, items FROM media WHERE version=? AND key=? AND step>=? AND step<=? ORDER BY step, seq', [part.version, key, lo, Math.min(hi, part.cap)], (r) => {
        byStep.set(r[0] as number, this.entry(key, r, part.version, version));
      });
    }
    return [...byStep.keys()].sort((a, b) => a - b).slice(0, limit).map((s) => byStep.get(s)!);
  }

  artifacts(version: string): ArtifactUse[] {
    this.store.requireVersion(version);
    const out: ArtifactUse[] = [];
    for (const part of this.parts(version).reverse()) {
      this.store.db.each('SELECT record FROM artifacts WHERE version=? AND (step IS NULL OR step<=?) ORDER BY seq', [part.version, part.cap], (r) => {
        const use = this.artifactUse(r[0] as string, part.version, part.version !== version);
        if (use) out.push(use);
      });
    }
    return out;
  }

  artifactRecords(name: string, artifactVersion: string): ArtifactUse[] {
    const out: ArtifactUse[] = [];
    this.store.db.each('SELECT version, record FROM artifacts WHERE name=? AND artifact_version=? ORDER BY action=\'log\' DESC, version, seq', [name, artifactVersion], (r) => {
      const use = this.artifactUse(r[1] as string, r[0] as string, false);
      if (use) out.push(use);
    });
    return out;
  }

  private artifactUse(text: string, recordedBy: string, inherited: boolean): ArtifactUse | undefined {
    let r: ArtifactRecord;
    try {
      r = parseLine(text) as ArtifactRecord;
    } catch {
      return undefined;
    }
    return {
      action: r.action, name: r.name, artifactVersion: r.version, type: r.artifact_type, aliases: r.aliases ?? [],
      digest: r.digest ?? null, size: r.size ?? null, files: r.files ?? null, metadata: r.metadata ?? {}, step: r.step ?? null,
      recordedBy, inherited, sourceVersion: r.action === 'log' ? recordedBy : r.source_version ?? null,
      manifestFile: path.join(this.logDir, 'artifacts', r.name, `${r.version}.json`),
    };
  }

  private entry(key: string, r: readonly unknown[], from: string, version: string): MediaEntry {
    let items: MediaFileItem[] = [];
    try {
      const parsed = parseLine(r[3] as string);
      if (Array.isArray(parsed)) items = (parsed as MediaItem[]).map((item) => this.withFile(item));
    } catch {
      // A row this store wrote itself; unreadable only if the database was damaged: shown empty.
    }
    return { key, step: r[0] as number, kind: r[1] as string, time: typeof r[2] === 'number' ? r[2] : Number.NaN, items, version: from, inherited: from !== version };
  }

  private withFile(item: MediaItem): MediaFileItem {
    const rel = mediaFile(item);
    return rel === undefined ? item : { ...item, file: path.join(this.logDir, ...rel.split('/')) };
  }
}
