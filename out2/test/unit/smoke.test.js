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
const assert = __importStar(require("node:assert/strict"));
const helpers_1 = require("./helpers");
describe('engine smoke', () => {
    it('ingests a run, rewinds and forks it', async () => {
        const dir = (0, helpers_1.tempDir)();
        const run1 = (0, helpers_1.linearRun)(dir, 300, { project: 'p', name: 'first' });
        const engine = await (0, helpers_1.openEngine)(dir);
        const result = engine.ingest();
        assert.equal(result.rows, 300);
        const runs = engine.listRuns();
        assert.equal(runs.length, 1);
        assert.equal(runs[0].lastStep, 299);
        assert.equal(runs[0].state, 'finished');
        const rewound = engine.rewind(run1.run, 200);
        assert.equal(rewound.run.id, run1.run);
        assert.equal(rewound.run.lastStep, 200);
        assert.equal(rewound.archived, run1.version);
        const series = engine.series(rewound.version, 'metric');
        assert.equal(series.total, 201);
        assert.equal(series.values[200], 200);
        const w = (0, helpers_1.writer)(dir, { run: run1.run, version: rewound.version, mode: 'resume', lastStep: 200 });
        for (let i = 201; i < 300; i++)
            w.log({ metric: i * 2 });
        w.finish();
        engine.ingest();
        const after = engine.series(rewound.version, 'metric');
        assert.equal(after.total, 300);
        assert.equal(after.values[250], 500);
        const archived = engine.series(run1.version, 'metric');
        assert.equal(archived.values[250], 250);
        assert.equal(engine.getRun(run1.run).summary.metric, 598);
        const fork = engine.fork(run1.run, 250, { id: 'forked' });
        assert.equal(fork.run.forkedFrom?.run, run1.run);
        const forkSeries = engine.series('forked', 'metric');
        assert.equal(forkSeries.total, 251);
        assert.equal(forkSeries.values[250], 500);
        const ds = engine.downsample(rewound.version, 'metric', 100);
        assert.equal(ds.exact, true);
    });
});
//# sourceMappingURL=smoke.test.js.map