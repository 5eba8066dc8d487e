"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.stepRefusal = stepRefusal;
exports.targetRefusal = targetRefusal;
// Whether a step can be rewound to or forked at, as a reason the user reads — used by the step
// prompt, the Selected Step commands and programmatic callers alike, so they refuse the same input.
const vscode = __importStar(require("vscode"));
/** Why `input` cannot be used, or undefined when it can. */
function stepRefusal(input, run, version, action) {
    const actionRefusal = targetRefusal(run, version, action);
    if (actionRefusal)
        return actionRefusal;
    const text = typeof input === 'number' ? String(input) : input.trim();
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        return vscode.l10n.t('"{0}" is not a step: enter a whole number, 0 or more.', text);
    }
    const step = Number(text);
    const last = version.lastStep;
    if (last === null)
        return vscode.l10n.t('Run {0} has no logged steps yet.', run.id);
    if (step > last)
        return vscode.l10n.t('Step {0} is beyond the last step of {1} ({2}): choose a step from 0 to {2}.', step, run.id, last);
    return undefined;
}
/** Refusals that do not depend on the step. */
function targetRefusal(run, version, action) {
    if (action === 'rewind') {
        if (version.archived) {
            return vscode.l10n.t('Version {0} is archived and cannot be rewound; fork from it instead.', version.id);
        }
        if (run.state === 'running') {
            return vscode.l10n.t('Run {0} is still running: only a finished, failed or crashed run can be rewound. Fork it instead, or wait until it ends.', run.id);
        }
    }
    if (version.lastStep === null)
        return vscode.l10n.t('Run {0} has no logged steps yet.', run.id);
    return undefined;
}
//# sourceMappingURL=stepInput.js.map