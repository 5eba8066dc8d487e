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
// Live ingestion: a training process appends lines while the view is open and the tree follows,
// repainting only the run that changed, keeping the selection.
const assert = __importStar(require("node:assert/strict"));
const helpers_1 = require("./helpers");
describe('live ingestion', () => {
    before(async () => {
        await (0, helpers_1.showRunsViewAndStore)();
    });
    it('shows a new run and its new steps within a second, repainting only that run', async () => {
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('lv');
        const writer = (0, helpers_1.logRun)(id, 3, { finish: false });
        try {
            const row = await (0, helpers_1.waitFor)(() => (0, helpers_1.runRow)(api, id), `${id} in the tree`, 5_000);
            assert.match(String(row.item.description), /step 2/);
            await api.runs.view.reveal(row.node, { select: true });
            const repainted = [];
            const subscription = api.runs.provider.onDidChangeTreeData((e) => {
                const nodes = Array.isArray(e) ? e : [e];
                for (const n of nodes)
                    repainted.push(n ? `${n.kind}:${n.kind === 'run' ? n.runId : ''}` : 'root');
            });
            try {
                const appended = Date.now();
                writer.log({ loss: 0.5, acc: 0.9 });
                await (0, helpers_1.waitFor)(async () => /step 3/.test(String((await (0, helpers_1.runRow)(api, id))?.item.description)), 'step 3 in the tree', 5_000);
                const took = Date.now() - appended;
                assert.ok(took < 1500, `the tree followed in ${took} ms`);
            }
            finally {
                subscription.dispose();
            }
            assert.ok(!repainted.includes('root'), `no full repaint: ${repainted.join(', ')}`);
            assert.ok(repainted.includes(`run:${id}`), repainted.join(', '));
            assert.ok(api.runs.view.selection.some((n) => n.kind === 'run' && n.runId === id), 'the selection survived');
        }
        finally {
            writer.finish();
        }
        await (0, helpers_1.waitFor)(async () => (await (0, helpers_1.listedRun)(api, id))?.state === 'finished', `${id} finished`);
        const icon = (await (0, helpers_1.runRow)(api, id))?.item.iconPath;
        assert.equal(icon.id, 'pass');
    });
    it('notices a writer that died: the run becomes crashed', async function () {
        this.timeout(30_000);
        const api = await (0, helpers_1.extensionApi)();
        const id = (0, helpers_1.uniqueId)('dead');
        const writer = (0, helpers_1.logRun)(id, 2, { finish: false });
        await (0, helpers_1.waitFor)(async () => (await (0, helpers_1.listedRun)(api, id))?.state === 'running', `${id} running`);
        // Stops writing without a finish record; with heartbeat 1 s the run looks dead after 4 s of silence.
        writer.abandon();
        await (0, helpers_1.waitFor)(async () => (await (0, helpers_1.listedRun)(api, id))?.state === 'crashed', `${id} crashed`, 15_000);
        await (0, helpers_1.waitFor)(async () => (await (0, helpers_1.runRow)(api, id))?.item.iconPath?.id === 'warning', 'the crashed icon');
    });
});
//# sourceMappingURL=live.test.js.map