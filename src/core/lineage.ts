// Rewind and fork as API calls: the rules of the README's "What rewind and fork mean here" (docs/ARCHITECTURE.md, *Rewind and fork*) checked against the store, and the op
// records that carry them out. Nothing is written unless every check passes.
import { RunRewindError } from './errors';
import { generateRunName } from './names';
import { newRunId, newVersionId } from './protocol';
import type { ForkRecord, RewindRecord } from './protocol';
import { isStep, validRunName, validateRunId } from './runSpec';
import type { RunRow, RunStore, VersionRow } from './store';

/** A run or a version as named by the user: run id first, then immutable version id. */
export function resolveSource(store: RunStore, target: string): { run: Readonly<RunRow>; version: Readonly<VersionRow> } {
  const run = store.runs.get(target);
  if (run && !run.deleted) return { run, version: store.requireVersion(run.liveVersion) };
  const version = store.versions.get(target);
  if (version) {
    const owner = store.runs.get(version.runId);
    if (owner && !owner.deleted) return { run: owner, version };
    throw new RunRewindError('unknown-run', `Version ${target} belongs to run ${version.runId}, which was deleted.`);
  }
  if (run?.deleted) throw new RunRewindError('unknown-run', `Run ${target} was deleted.`);
  throw new RunRewindError('unknown-run', `There is no run or version ${JSON.stringify(target)} in this log directory.`);
}

function checkStep(what: string, target: string, version: Readonly<VersionRow>, step: number): void {
  const at = `${what} ${target} ${what.startsWith('rewind') ? 'to' : 'at'} step ${step}`;
  if (!isStep(step)) {
    throw new RunRewindError('bad-step', `Cannot ${at}: the step must be a non-negative integer.`);
  }
  if (version.lastStep === null) {
    throw new RunRewindError('no-history', `Cannot ${at}: it has no logged steps yet.`);
  }
  if (step > version.lastStep) {
    throw new RunRewindError('step-out-of-range', `Cannot ${at}: its last step is ${version.lastStep}. Pick a step from 0 to ${version.lastStep}.`);
  }
}

/** Checks a rewind of a run's live version to `step` and returns the record that makes it. */
export function planRewind(store: RunStore, runId: string, step: number, time: number): RewindRecord {
  const run = store.runs.get(runId);
  if (!run || run.deleted) {
    const version = store.versions.get(runId);
    if (version) throw new RunRewindError('unknown-run', `${runId} is a version id; rewind takes a run id (this version belongs to run ${version.runId}). To branch from this exact version, fork it.`);
    throw new RunRewindError('unknown-run', `Cannot rewind run ${runId} to step ${step}: there is no run ${JSON.stringify(runId)}${run?.deleted ? ' (it was deleted)' : ''}.`);
  }
  const live = store.requireVersion(run.liveVersion);
  if (store.stateOf(live) === 'running') {
    throw new RunRewindError('run-running', `Cannot rewind run ${runId} to step ${step}: it is still running. Rewind needs a run that has finished, failed or crashed; to branch from a running run, fork it.`);
  }
  checkStep('rewind run', runId, live, step);
  if (step === live.lastStep) {
    // The new version would hold the same rows as the live one: a rewind that changes nothing (and two
    // people rewinding one run to one step at once would otherwise both succeed, the second emptily).
    const since = live.kind === 'rewind' && live.ownLastStep === null ? ` (its live version ${live.id} was rewound to step ${step} and has logged nothing since)` : '';
    throw new RunRewindError('nothing-to-rewind', `Run ${runId} is already at step ${step}${since}: rewinding it there would change nothing, so nothing was written. To continue logging after step ${step}, resume it: init(id="${runId}", resume="must").`);
  }
  return { type: 'rewind', time, run: runId, source: live.id, version: newVersionId(), step };
}

export interface ForkPlanOptions {
  readonly id?: string;
  readonly name?: string;
  /**
   * The number of the new run in its project, given how many runs the store counts there: by default
   * that count plus one; the engine claims it in the log directory (runNumbers.ts), for every fork,
   * named or not, so that claims count a project's runs.
   */
  readonly number?: (project: string, inStore: number) => number;
}

/** Checks a fork of a run (its live version) or of an exact version at `step`. */
export function planFork(store: RunStore, target: string, step: number, options: ForkPlanOptions, time: number): ForkRecord {
  const { run, version } = resolveSource(store, target);
  checkStep('fork', target === run.id ? `run ${run.id}` : `version ${target} of run ${run.id}`, version, step);
  let id = options.id;
  if (id !== undefined) {
    validateRunId(id, 'fork id');
    if (id === run.id) {
      throw new RunRewindError('id-conflict', `A fork is a new run, so its id cannot be ${id}, the source run's. To continue run ${id} from step ${step} under the same id, rewind it: resume_from="${id}?_step=${step}".`);
    }
    if (store.runs.has(id)) throw new RunRewindError('id-conflict', `Cannot fork ${target} at step ${step} as run ${id}: run ${id} already exists. Choose another id.`);
  } else {
    do id = newRunId();
    while (store.runs.has(id));
  }
  let name = options.name === undefined ? undefined : validRunName(options.name);
  if (name === undefined || options.number) {
    const inProject = [...store.runs.values()].filter((r) => r.project === run.project).length;
    const number = options.number ? options.number(run.project, inProject) : inProject + 1;
    name ??= generateRunName(number);
  }
  return { type: 'fork', time, run: id, version: newVersionId(), project: run.project, name, source: { run: run.id, version: version.id, step } };
}
