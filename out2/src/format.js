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
exports.singleLine = void 0;
exports.formatNumber = formatNumber;
exports.formatCell = formatCell;
exports.formatTime = formatTime;
exports.stateLabel = stateLabel;
exports.stateIcon = stateIcon;
exports.pythonString = pythonString;
// How numbers, times and states are written in the tree, prompts, tooltips and history documents (user
// text goes through ./userText, per surface).
const vscode = __importStar(require("vscode"));
const dates_1 = require("./shared/dates");
const userText_1 = require("./userText");
var userText_2 = require("./userText");
Object.defineProperty(exports, "singleLine", { enumerable: true, get: function () { return userText_2.singleLine; } });
/** Compact but faithful: integers as they are, others to 6 significant digits. */
function formatNumber(value) {
    if (Number.isNaN(value))
        return 'NaN';
    if (!Number.isFinite(value))
        return value > 0 ? 'Infinity' : '-Infinity';
    if (Number.isInteger(value) && Math.abs(value) < 1e15)
        return String(value);
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-4 || abs >= 1e9))
        return value.toExponential(4).replace(/\.?0+e/, 'e');
    return String(Number(value.toPrecision(6)));
}
function formatCell(value) {
    if (value === null)
        return '';
    if (typeof value === 'number')
        return formatNumber(value);
    if (typeof value === 'boolean')
        return value ? 'true' : 'false';
    return (0, userText_1.singleLine)(value);
}
/** Local wall time to the second, in VS Code's display language: the one date format of the UI. */
function formatTime(unixSeconds) {
    return (0, dates_1.formatDateTime)(unixSeconds, vscode.env.language);
}
function stateLabel(state) {
    switch (state) {
        case 'running':
            return vscode.l10n.t('running');
        case 'finished':
            return vscode.l10n.t('finished');
        case 'failed':
            return vscode.l10n.t('failed');
        case 'crashed':
            return vscode.l10n.t('crashed');
    }
}
function stateIcon(state) {
    switch (state) {
        case 'running':
            return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
        case 'finished':
            return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
        case 'failed':
            return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
        case 'crashed':
            return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    }
}
/** A Python string literal for `text` (JSON string escapes are valid Python). */
function pythonString(text) {
    return JSON.stringify(text);
}
//# sourceMappingURL=format.js.map