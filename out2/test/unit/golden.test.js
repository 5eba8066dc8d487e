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
// The cross-language contract: log directories written by the Python client (test/fixtures/golden)
// must read back exactly as the independent replay in python/tests/make_golden.py says.
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const format_1 = require("../../src/core/format");
const helpers_1 = require("./helpers");
const root = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'golden');
const cases = fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'expected.json')));
describe('golden logs written by the Python client', () => {
    it('has golden cases to check', () => {
        assert.ok(cases.length >= 4, `found ${cases.join(', ')}`);
    });
    for (const name of cases) {
        it(`reads ${name} as expected.json says`, async () => {
            const expected = JSON.parse(fs.readFileSync(path.join(root, name, 'expected.json'), 'utf8'));
            const engine = await (0, helpers_1.openEngine)(path.join(root, name));
            const result = engine.ingest();
            assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'error'), []);
            const runs = engine.listRuns();
            assert.deepEqual(runs.map((r) => r.id).sort(), expected.runs.filter((r) => !r.deleted).map((r) => r.id).sort());
            for (const want of expected.runs.filter((r) => !r.deleted)) {
                const got = engine.getRun(want.id);
                assert.equal(got.name, want.name, `${want.id} name`);
                assert.equal(got.project, want.project, `${want.id} project`);
                assert.equal(got.state, want.state, `${want.id} state`);
                assert.equal(got.liveVersion, want.live_version, `${want.id} live version`);
                assert.equal(got.lastStep, want.last_step, `${want.id} last step`);
                assert.deepEqual((0, format_1.toJson)(got.config), want.config, `${want.id} config`);
                assert.deepEqual((0, format_1.toJson)(got.summary), want.summary, `${want.id} summary`);
                assert.deepEqual(got.forkedFrom && { run: got.forkedFrom.run, version: got.forkedFrom.version, step: got.forkedFrom.step }, want.forked_from, `${want.id} forked_from`);
                assert.deepEqual((0, format_1.historyJson)(engine.history(got.liveVersion)), want.history, `${want.id} history`);
                assert.deepEqual(got.versions.map((v) => v.id), want.versions.map((v) => v.id), `${want.id} version order`);
                for (const wv of want.versions) {
                    const v = got.versions.find((x) => x.id === wv.id);
                    const label = `${want.id} version ${wv.id}`;
                    assert.equal(v.archived, wv.archived, `${label} archived`);
                    assert.equal(v.kind, wv.kind, `${label} kind`);
                    assert.equal(v.parent, wv.parent, `${label} parent`);
                    assert.equal(v.branchStep, wv.branch_step, `${label} branch step`);
                    assert.equal(v.state, wv.state, `${label} state`);
                    assert.equal(v.exitCode, wv.exit_code, `${label} exit code`);
                    assert.equal(v.lastStep, wv.last_step, `${label} last step`);
                    assert.deepEqual((0, format_1.toJson)(engine.getRun(wv.id).summary), wv.summary, `${label} summary`);
                    if (wv.history)
                        assert.deepEqual((0, format_1.historyJson)(engine.history(wv.id)), wv.history, `${label} history`);
                }
            }
            engine.close();
        });
    }
});
//# sourceMappingURL=golden.test.js.map