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
exports.StepSelection = void 0;
exports.sameStep = sameStep;
// The step the user picked in the editor — on a chart or on a line of a run's history document. One
// selection for the whole window: it drives the "Selected Step" commands, their key bindings (through
// a context key) and the "run@step" status bar item.
const vscode = __importStar(require("vscode"));
const ids_1 = require("./ids");
const userText_1 = require("./userText");
function sameStep(a, b) {
    if (a === b)
        return true;
    if (!a || !b)
        return false;
    return a.folder === b.folder && a.runId === b.runId && a.versionId === b.versionId && a.step === b.step && a.source === b.source;
}
class StepSelection {
    selected;
    emitter = new vscode.EventEmitter();
    statusItem;
    /** Fires after the selection changed (not when it is set to an equal value). */
    onDidChange = this.emitter.event;
    constructor() {
        this.statusItem = vscode.window.createStatusBarItem('runRewind.selectedStep', vscode.StatusBarAlignment.Left, 50);
        this.statusItem.name = vscode.l10n.t('Run Rewind: Selected Step');
        this.statusItem.command = ids_1.CommandId.SelectedStepActions;
        void vscode.commands.executeCommand('setContext', ids_1.ContextKey.HasSelectedStep, false);
    }
    get current() {
        return this.selected;
    }
    set(step) {
        if (sameStep(step, this.selected))
            return;
        this.selected = step;
        void vscode.commands.executeCommand('setContext', ids_1.ContextKey.HasSelectedStep, step !== undefined);
        if (step) {
            this.statusItem.text = `$(debug-step-over) ${(0, userText_1.labelText)(step.runId, 60)}@${step.step}`;
            this.statusItem.tooltip = vscode.l10n.t('Selected step {0} of run {1} (version {2}). Click to rewind or fork here.', step.step, (0, userText_1.singleLine)(step.runId), (0, userText_1.singleLine)(step.versionId));
            this.statusItem.show();
        }
        else {
            this.statusItem.hide();
        }
        this.emitter.fire(step);
    }
    dispose() {
        this.statusItem.dispose();
        this.emitter.dispose();
    }
}
exports.StepSelection = StepSelection;
//# sourceMappingURL=selection.js.map