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
// The command line: outputs for scripts and one clear line on bad input.
const assert = __importStar(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const path = __importStar(require("node:path"));
const cli_1 = require("../../src/cli");
const helpers_1 = require("./helpers");
const cliPath = path.join(__dirname, '..', '..', 'src', 'cli.js');
async function capture(argv) {
    let out = '';
    const code = await (0, cli_1.main)(argv, (text) => {
        out += text;
    });
    assert.equal(code, 0);
    return out;
}
function cli(argv, env = {}) {
    const r = (0, node_child_process_1.spawnSync)(process.execPath, [cliPath, ...argv], { encoding: 'utf8', env: { ...process.env, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
describe('runrewind command line', () => {
    it('prints history as JSON with _step, _timestamp and non-finite values as strings', async () => {
        const dir = (0, helpers_1.tempDir)();
        let t = 100;
        const w = (0, helpers_1.writer)(dir, { clock: () => t++ });
        w.log({ loss: 0.5, acc: Number.NaN });
        w.log({ loss: Number.POSITIVE_INFINITY, note: 'hi' });
        w.finish();
        const rows = JSON.parse(await capture(['history', w.run, '--dir', dir, '--json']));
        assert.deepEqual(rows, [
            { _step: 0, _timestamp: 101, acc: 'NaN', loss: 0.5 },
            { _step: 1, _timestamp: 102, loss: 'Infinity', note: 'hi' },
        ]);
        const csv = await capture(['history', w.run, '--dir', dir, '--csv', '--keys', 'loss']);
        assert.equal(csv, '_step,_timestamp,loss\n0,101,0.5\n1,102,Infinity\n');
    });
    it('shows a run with its versions, lineage and forked_from, and rewinds and forks', async () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.linearRun)(dir, 50, { config: { lr: 3 } });
        const rewound = JSON.parse(await capture(['rewind', w.run, '--step', '20', '--dir', dir, '--json']));
        assert.equal(rewound.archived, w.version);
        const forked = JSON.parse(await capture(['fork', w.run, '--step', '10', '--id', 'f1', '--name', 'Fork one', '--dir', dir, '--json']));
        assert.deepEqual([forked.run.id, forked.run.name], ['f1', 'Fork one']);
        const shown = JSON.parse(await capture(['show', 'f1', '--dir', dir, '--json']));
        assert.deepEqual(shown.forked_from, { run: w.run, version: rewound.version, step: 10 });
        assert.deepEqual(shown.config, { lr: 3 });
        assert.equal(shown.last_step, 10);
        const run = JSON.parse(await capture(['show', w.run, '--dir', dir, '--json']));
        assert.deepEqual(run.versions.map((v) => [v.id, v.archived, v.parent, v.branch_step]), [[rewound.version, false, w.version, 20], [w.version, true, null, null]]);
        const list = await capture(['list', '--dir', dir]);
        assert.match(list, new RegExp(`└ ${w.version}\\s+archived`));
        assert.match(list, new RegExp(`forked from ${w.run}@10`));
    });
    it('says what was wrong in one line and exits non-zero, writing nothing', () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.linearRun)(dir, 5);
        const before = (0, helpers_1.snapshotTree)(dir);
        const cases = [
            [['rewind', w.run, '--step', '9', '--dir', dir, '--no-cache'], 1, /Cannot rewind run \w+ to step 9: its last step is 4/],
            [['rewind', w.run, '--step', 'x', '--dir', dir, '--no-cache'], 1, /step must be a non-negative integer, got "x"/],
            [['rewind', w.run, '--dir', dir, '--no-cache'], 2, /rewind needs --step N/],
            [['fork', 'ghost', '--step', '1', '--dir', dir, '--no-cache'], 1, /no run or version "ghost"/],
            [['frobnicate', '--dir', dir], 2, /unknown command "frobnicate"/],
            [['list', '--bogus'], 2, /unknown option --bogus/],
            [['list', '--dir', path.join(dir, 'missing')], 1, /does not exist/],
        ];
        for (const [argv, code, pattern] of cases) {
            const r = cli(argv);
            assert.equal(r.code, code, argv.join(' '));
            assert.match(r.stderr, pattern);
            assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${argv.join(' ')}`);
        }
        assert.deepEqual((0, helpers_1.snapshotTree)(dir), before);
    });
    it('reads RUNREWIND_DIR when --dir is not given', () => {
        const dir = (0, helpers_1.tempDir)();
        const w = (0, helpers_1.linearRun)(dir, 3);
        const r = cli(['list', '--json'], { RUNREWIND_DIR: dir });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout)[0].id, w.run);
    });
});
//# sourceMappingURL=cli.test.js.map