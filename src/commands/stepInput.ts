// Whether a step can be rewound to or forked at, as a reason the user reads — used by the step
// prompt, the Selected Step commands and programmatic callers alike, so they refuse the same input.
import * as vscode from 'vscode';
import type { RunInfo, VersionInfo } from '../core/api';

export type LineageAction = 'rewind' | 'fork';

/** Why `input` cannot be used, or undefined when it can. */
export function stepRefusal(input: string | number, run: RunInfo, version: VersionInfo, action: LineageAction): string | undefined {
  const actionRefusal = targetRefusal(run, version, action);
  if (actionRefusal) return actionRefusal;
  const text = typeof input === 'number' ? String(input) : input.trim();
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    return vscode.l10n.t('"{0}" is not a step: enter a whole number, 0 or more.', text);
  }
  const step = Number(text);
  const last = version.lastStep;
  if (last === null) return vscode.l10n.t('Run {0} has no logged steps yet.', run.id);
  if (step > last) return vscode.l10n.t('Step {0} is beyond the last step of {1} ({2}): choose a step from 0 to {2}.', step, run.id, last);
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
