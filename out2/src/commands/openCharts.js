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
exports.openCharts = openCharts;
// Open Charts: one chart panel per folder store, overlaying every chosen run (archived versions by
// their immutable id, so the panel draws that exact version).
const vscode = __importStar(require("vscode"));
const charts_1 = require("../panels/charts");
const userText_1 = require("../userText");
function openCharts(ctx, targets) {
    const byFolder = new Map();
    for (const t of targets) {
        const entries = byFolder.get(t.folder) ?? [];
        entries.push(t.version.archived ? t.version.id : t.run.id);
        byFolder.set(t.folder, entries);
    }
    for (const [folder, entries] of byFolder) {
        try {
            (0, charts_1.openCharts)(ctx.services, folder, entries);
        }
        catch (error) {
            void vscode.window.showErrorMessage((0, userText_1.messageText)(error instanceof Error ? error.message : String(error), 500));
        }
    }
}
//# sourceMappingURL=openCharts.js.map