// A run's checkpoints among the artifacts its version logged (inherited ones included), and the one a
// rewind or fork at step N should load: the newest at or before N. Shared by the CLI, the commands and
// the resume snippet, so every way of rewinding names the same checkpoint. Pure: no store, no vscode.
import type { ArtifactUse } from './api';

/** Artifact types that hold a model's weights (W&B's `log_model` uses "model"). */
export const CHECKPOINT_TYPES: ReadonlySet<string> = new Set(['model', 'checkpoint']);

export interface Checkpoint {
  readonly name: string;
  /** `v0`, `v1`, … */
  readonly artifactVersion: string;
  /** The training step whose weights it holds: `metadata.step` when the script said so, else the step it was logged at. */
  readonly step: number;
  readonly type: string;
  readonly aliases: readonly string[];
  /** The run version that logged it. */
  readonly recordedBy: string;
  readonly inherited: boolean;
  readonly manifestFile: string;
}

function metadataStep(a: ArtifactUse): number | undefined {
  const s = a.metadata.step;
  return typeof s === 'number' && Number.isSafeInteger(s) && s >= 0 ? s : undefined;
}

/**
 * The checkpoints among `artifacts` (logged, not used: a version that loaded a checkpoint does not hold
 * it), oldest step first. A checkpoint is an artifact of type model or checkpoint logged at a step, or
 * any artifact whose metadata names its step (`metadata={"step": N}`), as issue 14 defines it.
 */
export function checkpoints(artifacts: readonly ArtifactUse[]): Checkpoint[] {
  const out: Checkpoint[] = [];
  for (const a of artifacts) {
    if (a.action !== 'log') continue;
    const step = metadataStep(a) ?? (CHECKPOINT_TYPES.has(a.type) ? a.step : null);
    if (step === null || step === undefined) continue;
    out.push({ name: a.name, artifactVersion: a.artifactVersion, step, type: a.type, aliases: a.aliases, recordedBy: a.recordedBy, inherited: a.inherited, manifestFile: a.manifestFile });
  }
  // Stable: of two checkpoints at one step, the one logged later comes last (and wins below).
  return out.map((c, i) => [c, i] as const).sort((x, y) => x[0].step - y[0].step || x[1] - y[1]).map(([c]) => c);
}

/** The newest checkpoint at or before `step` (the one logged last, if several share its step). */
export function checkpointAtOrBefore(artifacts: readonly ArtifactUse[], step: number): Checkpoint | undefined {
  return newestAtOrBefore(checkpoints(artifacts), step);
}

/** The same over checkpoints already listed by `checkpoints` (oldest step first). */
export function newestAtOrBefore(sorted: readonly Checkpoint[], step: number): Checkpoint | undefined {
  let found: Checkpoint | undefined;
  for (const c of sorted) {
    if (c.step > step) break;
    found = c;
  }
  return found;
}

/** `name:vN`, what `use_artifact` takes. */
export function checkpointSpec(c: Pick<Checkpoint, 'name' | 'artifactVersion'>): string {
  return `${c.name}:${c.artifactVersion}`;
}

/** The Python line that loads a checkpoint's files in a resumed script (a folder of links, no copy). */
export function checkpointLoadLine(c: Pick<Checkpoint, 'name' | 'artifactVersion'>, variable = 'checkpoint_dir'): string {
  return `${variable} = run.use_artifact("${checkpointSpec(c)}").download()`;
}
