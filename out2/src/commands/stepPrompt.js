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
exports.promptStep = promptStep;
// The step prompt of Rewind/Fork: a quick pick of the logged steps with their values, most recent
// first, paged so a run with a million steps costs one small query, that also takes a typed step and
// shows in place why a typed step cannot be used.
const vscode = __importStar(require("vscode"));
const format_1 = require("../format");
const userText_1 = require("../userText");
const stepInput_1 = require("./stepInput");
const PAGE = 200;
/** Values shown beside each step; the headline first. */
const SHOWN_KEYS = 4;
async function promptStep(target, action) {
    const { run, version, store } = target;
    const picker = vscode.window.createQuickPick();
    const label = version.archived ? `${run.name} (${version.id})` : run.name;
    picker.title =
        action === 'rewind'
            ? vscode.l10n.t('Rewind {0} to Step', (0, userText_1.labelText)(label, 120))
            : vscode.l10n.t('Fork {0} at Step', (0, userText_1.labelText)(label, 120));
    picker.placeholder =
        version.lastStep === null
            ? ''
            : vscode.l10n.t('Type a step from 0 to {0}, or pick a logged step', version.lastStep);
    picker.matchOnDescription = false;
    const disposables = [picker];
    const blocked = (0, stepInput_1.targetRefusal)(run, version, action);
    let loaded = [];
    let loadedFrom = 0;
    const render = () => {
        if (blocked) {
            picker.items = [{ label: `$(error) ${(0, userText_1.labelText)(blocked, 500)}`, alwaysShow: true }];
            return;
        }
        const value = picker.value.trim();
        const typed = [];
        if (value) {
            const refusal = (0, stepInput_1.stepRefusal)(value, run, version, action);
            typed.push(refusal
                ? { label: `$(error) ${(0, userText_1.labelText)(refusal, 500)}`, alwaysShow: true, typed: { refusal } }
                : {
                    label: stepLabel(Number(value)),
                    description: action === 'rewind' ? vscode.l10n.t('Rewind to this step') : vscode.l10n.t('Fork at this step'),
                    alwaysShow: true,
                    typed: { step: Number(value) },
                });
        }
        const earlier = loadedFrom > 0 ? [{ label: `$(ellipsis) ${vscode.l10n.t('Earlier steps…')}`, alwaysShow: true, earlier: true }] : [];
        picker.items = [...typed, ...loaded, ...earlier];
    };
    const loadPage = async (keys, total) => {
        const offset = Math.max(0, (loadedFrom || total) - PAGE);
        const table = await store.history(version.id, { offset, limit: (loadedFrom || total) - offset, keys });
        const columns = table.columns;
        const items = [...table.rows].reverse().map((row) => stepItem(row, columns));
        loaded = [...loaded, ...items];
        loadedFrom = offset;
    };
    const result = new Promise((resolve) => {
        disposables.push(picker.onDidChangeValue(() => render()), picker.onDidAccept(async () => {
            const item = picker.selectedItems[0] ?? picker.activeItems[0];
            if (!item || blocked)
                return;
            if (item.earlier) {
                picker.busy = true;
                try {
                    await loadPage(keys, total);
                }
                finally {
                    picker.busy = false;
                }
                render();
                return;
            }
            // A refused typed step keeps the prompt open: the reason is already on screen.
            const step = item.typed ? item.typed.step : item.step;
            if (step === undefined)
                return;
            resolve(step);
            picker.hide();
        }), picker.onDidHide(() => resolve(undefined)));
    });
    let keys = [];
    let total = 0;
    picker.busy = !blocked;
    render();
    picker.show();
    if (!blocked) {
        try {
            keys = await shownKeys(target);
            total = (await store.history(version.id, { limit: 1 })).total;
            await loadPage(keys, total);
        }
        catch (error) {
            picker.items = [{ label: `$(error) ${(0, userText_1.labelText)(error instanceof Error ? error.message : String(error), 500)}`, alwaysShow: true }];
        }
        picker.busy = false;
        render();
    }
    try {
        return await result;
    }
    finally {
        for (const d of disposables)
            d.dispose();
    }
}
/** The row's step as W&B names it (`_step`), apart from any logged key called "step". */
function stepLabel(step) {
    return `_step ${step}`;
}
function stepItem(row, columns) {
    const values = columns
        .map((key, i) => [key, row.cells[i] ?? null])
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}=${(0, format_1.formatCell)(v)}`);
    return {
        label: stepLabel(row.step),
        // One line per step: a dense list is what finding the spike before a divergence needs. Values are
        // `key=value`, so a logged key named "step" never reads like the row's `_step` label.
        description: (0, userText_1.labelText)(values.join(' · '), 300),
        step: row.step,
    };
}
async function shownKeys(target) {
    const keys = (await target.store.metricKeys(target.version.id)).filter((k) => k.numeric).map((k) => k.key);
    const headline = target.run.headline?.key;
    const ordered = headline && keys.includes(headline) ? [headline, ...keys.filter((k) => k !== headline)] : keys;
    return ordered.slice(0, SHOWN_KEYS);
}
//# sourceMappingURL=stepPrompt.js.map