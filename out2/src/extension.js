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
exports.activate = activate;
exports.deactivate = deactivate;
// Run Rewind's entry point. activate() only wires things together: no store starts and no log is read
// until the Runs view is shown or a command needs a store.
const path = __importStar(require("node:path"));
const runCommands_1 = require("./commands/runCommands");
const selectionCommands_1 = require("./commands/selectionCommands");
const storeCommands_1 = require("./commands/storeCommands");
const historyDocuments_1 = require("./history/historyDocuments");
const logger_1 = require("./logger");
const charts_1 = require("./panels/charts");
const selection_1 = require("./selection");
const terminalEnvironment_1 = require("./terminalEnvironment");
const runsTree_1 = require("./views/runsTree");
const folderStores_1 = require("./workspace/folderStores");
const storeConnection_1 = require("./workspace/storeConnection");
let shutdown;
function activate(context) {
    const started = performance.now();
    const logger = new logger_1.Logger('Run Rewind');
    context.subscriptions.push(logger);
    const selection = new selection_1.StepSelection();
    // Per workspace storage; the global one when no workspace is open. Snapshots are keyed per folder.
    const folders = new folderStores_1.FolderStoresImpl(context.storageUri ?? context.globalStorageUri, logger, storeConnection_1.startStoreClient);
    const services = { logger, stores: folders, selection, extensionUri: context.extensionUri };
    const runs = new runsTree_1.RunsView(folders, logger.for('tree'));
    const history = new historyDocuments_1.HistoryDocuments(services, runs.model, logger.for('history'));
    const terminals = new terminalEnvironment_1.TerminalEnvironment(context.environmentVariableCollection, path.join(context.extensionPath, 'python'), logger.for('terminal'));
    const ctx = { services, runs, log: logger.for('commands') };
    context.subscriptions.push(selection, folders, runs, history, terminals, ...(0, runCommands_1.registerRunCommands)(ctx, history), ...(0, selectionCommands_1.registerSelectionCommands)(ctx), ...(0, storeCommands_1.registerStoreCommands)(ctx, folders));
    (0, charts_1.registerCharts)(context, services);
    shutdown = () => folders.shutdown();
    const activationMs = performance.now() - started;
    logger.for('activate').info(`activated in ${activationMs.toFixed(1)} ms`);
    return { services, folders, runs, history, terminals, activationMs };
}
/** Saves every store's snapshot before the host goes away. */
async function deactivate() {
    await shutdown?.();
    shutdown = undefined;
}
//# sourceMappingURL=extension.js.map