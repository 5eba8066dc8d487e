// Whether a step can be rewound to or forked at, as a reason the user reads — used by the step
// prompt, the Selected Step commands and programmatic callers alike, so they refuse the same input.
import * as vscode from 'vscode';
import type { RunInfo, VersionInfo } from '../core/api';
import { parseStep } from '../core/runSpec';

export type LineageAction = 'rewind' | 'fork';

/** Why `input` cannot be used, or undefined when it can. */
export function stepRefusal(input: string | number, run: RunInfo, version: VersionInfo, action: LineageAction): string | undefined {
  const actionRefusal = targetRefusal(run, version, action);
  if (actionRefusal) return actionRefusal;
  const text = typeof input === 'number' ? String(input) : input.trim();
  let step: number;
  try {
    step = parseStep(text); // the core's one step rule
  } catch {
    return vscode.l10n.t('"{0}" is not a step: enter a whole number, 0 or more.', text);
  }
  const last = version.lastStep;
  if (last === null) return vscode.l10n.t('Run {0} has no logged steps yet.', run.id);
  if (step > last) return vscode.l10n.t('Step {0} is beyond the last step of {1} ({2}): choose a step from 0 to {2}.', step, run.id, last);
  if (action === 'rewind' && step === last) {
    // As the core refuses it (lineage.ts): the new version would hold the same rows.
    return vscode.l10n.t('Run {0} is already at step {1}: rewinding it there would change nothing. Pick an earlier step, or resume the run to log more.', run.id, step);
  }
  return undefined;
}

/** Refusals that do not depend on the step. */
export function targetRefusal(run: RunInfo, version: VersionInfo, action: LineageAction): string | undefined {
  if (action === 'rewind') {
    if (version.archived) {
      return vscode.l10n.t('Version {0} is archived and cannot be rewound; fork from it instead.', version.id);
    }
    if (run.state === 'running') {
      return vscode.l10n.t('Run {0} is still running: only a finished, failed or crashed run can be rewound. Fork it instead, or wait until it ends.', run.id);
    }
  }
  if (version.lastStep === null) return vscode.l10n.t('Run {0} has no logged steps yet.', run.id);
  return undefined;
}
