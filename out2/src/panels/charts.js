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
exports.registerCharts = registerCharts;
// Wires the chart panel into the extension: the serializer that restores panels after a reload
// (activated by onWebviewPanel:runRewind.charts), the export commands, opening panels for runs, and
// two commands the integration tests use to look into and act on the webview.
const vscode = __importStar(require("vscode"));
const errors_1 = require("../core/errors");
const ids_1 = require("../ids");
const userText_1 = require("../userText");
const protocol_1 = require("../shared/protocol");
const chartPanel_1 = require("./chartPanel");
const chartHtml_1 = require("./chartHtml");
/** Opens (or reveals) the chart panel for these runs (run ids or immutable version ids) of a folder store. */
function openCharts(services, folderKey, runs) {
    const folder = services.stores.get(folderKey);
    if (!folder)
        throw new errors_1.RunRewindError('bad-argument', `no run store for ${folderKey}`);
    if (runs.length === 0)
        throw new errors_1.RunRewindError('bad-argument', 'no run to chart');
    return chartPanel_1.ChartPanel.createOrShow(services, folder, [...new Set(runs)]);
}
function registerCharts(context, services) {
    context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(protocol_1.CHART_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => {
            const folder = (0, protocol_1.isChartViewState)(state) ? services.stores.get(state.folder) : undefined;
            if (!(0, protocol_1.isChartViewState)(state) || !folder || state.runs.length === 0) {
                panel.webview.html = (0, chartHtml_1.messageHtml)(vscode.l10n.t('This chart panel could not be restored: its runs are not in an open workspace folder. Close it and open the charts from the Runs view.'));
                return;
            }
            chartPanel_1.ChartPanel.revive(panel, services, folder, state);
        },
    }), { dispose: () => chartPanel_1.ChartPanel.all.forEach((p) => p.dispose()) }, vscode.commands.registerCommand(ids_1.CommandId.ExportChartPng, (key, target) => exportChart(services, 'png', key, target)), vscode.commands.registerCommand(ids_1.CommandId.ExportChartCsv, (key, target) => exportChart(services, 'csv', key, target)), vscode.commands.registerCommand(ids_1.InternalCommandId.InspectChart, async () => {
        const panel = chartPanel_1.ChartPanel.active;
        if (!panel)
            return undefined;
        const snapshot = await panel.inspect();
        return { ...snapshot, title: panel.panel.title, folder: panel.folder.key, entries: panel.shownEntries, panels: chartPanel_1.ChartPanel.all.length };
    }), vscode.commands.registerCommand(ids_1.InternalCommandId.ActOnChart, async (action) => {
        const panel = chartPanel_1.ChartPanel.active;
        if (!panel)
            throw new Error('no chart panel is open');
        await panel.perform(action);
    }));
}
/** Saves a chart of the active panel: to `target` when given (a path or uri), else where the user picks. */
async function exportChart(services, kind, key, target) {
    const panel = chartPanel_1.ChartPanel.active;
    if (!panel) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a chart panel first (Run Rewind: Open Charts).'));
        return undefined;
    }
    let metric = typeof key === 'string' ? key : undefined;
    if (metric === undefined) {
        // Keys are user text: a quick pick label renders $(icon), so each is shown through labelText.
        const items = panel.metricKeys.map((k) => ({ label: (0, userText_1.labelText)(k), key: k }));
        metric = (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Which chart?') }))?.key;
        if (metric === undefined)
            return undefined;
    }
    if (!panel.metricKeys.includes(metric))
        throw new errors_1.RunRewindError('bad-argument', `no chart for metric ${JSON.stringify(metric)} in this panel`);
    let uri = target instanceof vscode.Uri ? target : typeof target === 'string' ? vscode.Uri.file(target) : undefined;
    if (!uri) {
        const base = panel.folder.folder?.uri ?? vscode.Uri.file(panel.folder.logDir);
        uri = await vscode.window.showSaveDialog({
            defaultUri: vscode.Uri.joinPath(base, `${(0, chartPanel_1.safeFileName)(metric)}.${kind}`),
            filters: kind === 'png' ? { 'PNG image': ['png'] } : { CSV: ['csv'] },
        });
        if (!uri)
            return undefined;
    }
    const bytes = kind === 'png' ? await panel.png(metric) : new TextEncoder().encode(await panel.csv(metric));
    await vscode.workspace.fs.writeFile(uri, bytes);
    services.logger.for('charts').info(`exported ${metric} as ${kind} to ${uri.fsPath}`);
    return uri;
}
//# sourceMappingURL=charts.js.map