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
// The store survives the extension host going away: stores close (saving snapshots) and start again
// from them, reading only what was appended meanwhile, with no run or row counted twice.
const assert = __importStar(require("node:assert/strict"));
const helpers_1 = require("./helpers");
describe('persistence', () => {
    it('reopens from the snapshot without re-reading the logs or duplicating rows', async function () {
        this.timeout(60_000);
        const api = await (0, helpers_1.showRunsViewAndStore)();
        const id = (0, helpers_1.uniqueId)('ps');
        (0, helpers_1.logRun)(id, 25);
        await (0, helpers_1.waitFor)(() => (0, helpers_1.listedRun)(api, id), `${id} ingested`);
        const key = api.folders.all[0]?.key ?? '';
        const before = await api.runs.model.refresh(key);
        const historyBefore = await (await api.folders.all[0].store()).history('base01', { limit: 1 });
        await api.folders.reopen();
        const folder = api.folders.all[0];
        assert.ok(folder);
        assert.equal(folder.started, false);
        await folder.store();
        const first = folder.firstIngest;
        assert.ok(first);
        assert.equal(first.rows, 0, `the snapshot covered every row (read ${first.rows} rows, ${first.bytes} bytes)`);
        const after = await api.runs.model.refresh(key);
        assert.deepEqual([...after.runs.keys()].sort(), [...before.runs.keys()].sort());
        for (const [runId, r] of before.runs) {
            assert.equal(after.runs.get(runId)?.lastStep, r.lastStep, `${runId} last step`);
            assert.equal(after.runs.get(runId)?.versions.length, r.versions.length, `${runId} versions`);
        }
        const historyAfter = await (await folder.store()).history('base01', { limit: 1 });
        assert.equal(historyAfter.total, historyBefore.total, 'no duplicated rows');
    });
});
//# sourceMappingURL=persistence.test.js.map