// The Python line that continues a run in a training script, for each way of continuing it.
import type { RunInfo, VersionInfo } from '../core/api';
import { type Checkpoint, checkpointLoadLine } from '../core/checkpoints';
import { formatRunSpec } from '../core/runSpec';
import { pythonString } from '../format';

export type SnippetMode = 'resume' | 'rewind' | 'fork';

/**
 * resume: keep logging to the run as it is now (after a rewind or fork made in the UI, this is the one);
 * rewind: `resume_from` — the script itself rewinds the run at `step`; fork: `fork_from` — a new run.
 */
export function resumeSnippet(
  target: { readonly run: RunInfo; readonly version?: VersionInfo },
  mode: SnippetMode,
  step?: number,
  checkpoint?: Pick<Checkpoint, 'name' | 'artifactVersion'>,
): string {
  const init = initLine(target, mode, step);
  // The weights that go with the history: loading them is the line after init (issue 14).
  return checkpoint ? `${init}\n${checkpointLoadLine(checkpoint)}` : init;
}

function initLine(target: { readonly run: RunInfo; readonly version?: VersionInfo }, mode: SnippetMode, step?: number): string {
  const project = `project=${pythonString(target.run.project)}`;
  switch (mode) {
    case 'resume':
      return `run = runrewind.init(${project}, id=${pythonString(target.run.id)}, resume="must")`;
    case 'rewind':
      return `run = runrewind.init(${project}, resume_from=${pythonString(formatRunSpec(target.run.id, step ?? 0))})`;
    case 'fork': {
      // Forking an archived version must name its immutable id: the run id means the live version.
      const source = target.version?.archived ? target.version.id : target.run.id;
      return `run = runrewind.init(${project}, fork_from=${pythonString(formatRunSpec(source, step ?? 0))})`;
    }
  }
}
