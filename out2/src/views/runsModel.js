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
exports.RunsModel = void 0;
// What the runs tree knows about each folder store's runs: the last listing, refreshed when the store
// reports changes (coalesced: at most one listing in flight per folder), and diffed so the tree can
// repaint only the runs that changed instead of the whole view.
const vscode = __importStar(require("vscode"));
const errors_1 = require("../core/errors");
const folderStore_1 = require("../workspace/folderStore");
class RunsModel {
    stores;
    log;
    states = new Map();
    emitter = new vscode.EventEmitter();
    disposables = [];
    onDidChange = this.emitter.event;
    constructor(stores, log) {
        this.stores = stores;
        this.log = log;
        this.disposables.push(this.emitter, stores.onDidChangeRuns((e) => {
            // Appends, renames and rewinds touch runs the tree already has; forks, deletes and rebuilds
            // add or remove runs, which only a full listing shows.
            const partial = e.reason === 'ingest' || e.reason === 'rename' || e.reason === 'rewind';
            if (this.states.get(e.folder)?.data)
                void this.refresh(e.folder, partial ? e.changedRuns : undefined);
        }), stores.onDidChangeFolders(() => {
            for (const key of [...this.states.keys()]) {
                const state = this.states.get(key);
                if (!state || stores.get(key) !== state.store)
                    this.states.delete(key);
            }
            this.emitter.fire({ folder: '', scope: 'all' });
        }));
    }
    /** The last listing of a folder, if one was made. */
    get(folder) {
        return this.states.get(folder)?.data;
    }
    error(folder) {
        return this.states.get(folder)?.error;
    }
    run(folder, runId) {
        return this.get(folder)?.runs.get(runId);
    }
    /** Finds a run by run id or version id in the listings made so far, first folder first. */
    find(runOrVersion, folder) {
        const keys = folder ? [folder] : this.stores.all.map((s) => s.key);
        for (const key of keys) {
            const data = this.get(key);
            const runId = data?.runs.has(runOrVersion) ? runOrVersion : data?.versionToRun.get(runOrVersion);
            const run = runId ? data?.runs.get(runId) : undefined;
            if (run)
                return { folder: key, run };
        }
        return undefined;
    }
    /** The listing, made now if there is none yet (starting the store if needed). */
    load(folder) {
        const state = this.state(folder);
        if (!state)
            return Promise.reject(new Error(`no store for ${folder}`));
        if (state.data)
            return Promise.resolve(state.data);
        return this.refresh(folder);
    }
    /**
     * Lists again — only `runs` when given and already known (one cheap getRun each instead of listing a
     * thousand runs for one appended line), else everything. Resolves with data read after this call;
     * requests made while one is in flight join the same pass.
     */
    refresh(folder, runs) {
        const state = this.state(folder);
        if (!state)
            return Promise.reject(new Error(`no store for ${folder}`));
        const known = state.data;
        if (runs && known && runs.length <= PARTIAL_LIMIT && runs.every((id) => known.runs.has(id))) {
            for (const id of runs)
                state.pendingRuns.add(id);
        }
        else {
            state.pendingFull = true;
        }
        state.draining ??= this.drain(state).finally(() => {
            state.draining = undefined;
        });
        return state.draining;
    }
    state(folder) {
        let state = this.states.get(folder);
        const store = this.stores.get(folder);
        if (!store)
            return undefined;
        if (!state || state.store !== store) {
            state = { store, data: undefined, error: undefined, draining: undefined, pendingFull: false, pendingRuns: new Set(), signatures: new Map() };
            this.states.set(folder, state);
        }
        return state;
    }
    async drain(state) {
        // Let requests made in the same tick join this pass.
        await Promise.resolve();
        let data = state.data;
        while (state.pendingFull || state.pendingRuns.size > 0) {
            const full = state.pendingFull;
            try {
                const store = await state.store.store();
                if (full) {
                    state.pendingFull = false;
                    state.pendingRuns.clear();
                    data = this.apply(state, await store.listRuns());
                }
                else {
                    const ids = [...state.pendingRuns];
                    state.pendingRuns.clear();
                    const updated = await Promise.all(ids.map((id) => store.getRun(id).then(runInfo)));
                    const merged = new Map(state.data?.runs);
                    for (const r of updated)
                        merged.set(r.id, r);
                    data = this.apply(state, [...merged.values()]);
                }
                state.error = undefined;
            }
            catch (error) {
                // A run gone meanwhile (deleted) fails its getRun: list everything instead.
                if (!full && state.data && !isStartFailure(error)) {
                    state.pendingFull = true;
                    continue;
                }
                const message = (0, folderStore_1.describe)(error);
                if (state.error !== message)
                    this.log.error(`listing runs of ${state.store.name} failed: ${message}`);
                state.error = message;
                state.pendingFull = false;
                state.pendingRuns.clear();
                state.data = state.data ?? { runs: new Map(), projects: new Map(), versionToRun: new Map() };
                data = state.data;
                this.emitter.fire({ folder: state.store.key, scope: 'all' });
            }
        }
        return data ?? { runs: new Map(), projects: new Map(), versionToRun: new Map() };
    }
    /** Stores a new listing and tells the tree which rows it changes. */
    apply(state, runs) {
        const key = state.store.key;
        const previous = state.data;
        const data = index(runs);
        const signatures = new Map(runs.map((r) => [r.id, signature(r)]));
        const changedRuns = runs.filter((r) => state.signatures.get(r.id) !== signatures.get(r.id)).map((r) => r.id);
        state.data = data;
        state.signatures = signatures;
        if (!previous || !sameKeys(previous.projects, data.projects)) {
            this.emitter.fire({ folder: key, scope: 'all' });
        }
        else {
            const projects = [...data.projects.keys()].filter((p) => !sameRunIds(previous.projects.get(p), data.projects.get(p)));
            if (projects.length > 0)
                this.emitter.fire({ folder: key, scope: 'projects', projects, runs: changedRuns });
            else if (changedRuns.length > 0)
                this.emitter.fire({ folder: key, scope: 'runs', runs: changedRuns });
        }
        return data;
    }
    dispose() {
        for (const d of this.disposables)
            d.dispose();
    }
}
exports.RunsModel = RunsModel;
/** Above this many changed runs one listing is cheaper than a getRun each. */
const PARTIAL_LIMIT = 50;
/** The RunInfo part of an overview: the model keeps listings, not config and summaries. */
function runInfo(o) {
    const { id, project, name, state, liveVersion, createdAt, updatedAt, lastStep, headline, forkedFrom, tags, notes, versions } = o;
    return { id, project, name, state, liveVersion, createdAt, updatedAt, lastStep, headline, forkedFrom, tags, notes, versions };
}
function isStartFailure(error) {
    return error instanceof errors_1.RunRewindError && error.code === 'internal';
}
function index(runs) {
    const byId = new Map();
    const projects = new Map();
    const versionToRun = new Map();
    for (const run of runs) {
        byId.set(run.id, run);
        for (const v of run.versions)
            versionToRun.set(v.id, run.id);
        const list = projects.get(run.project) ?? [];
        list.push(run);
        projects.set(run.project, list);
    }
    for (const list of projects.values())
        list.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
    const sorted = new Map([...projects.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return { runs: byId, projects: sorted, versionToRun };
}
/** Everything the tree shows of a run; when it is unchanged, the run's row is not repainted. */
function signature(run) {
    return JSON.stringify([
        run.name,
        run.project,
        run.state,
        run.lastStep,
        run.headline?.key,
        run.headline ? String(run.headline.value) : null,
        run.liveVersion,
        run.forkedFrom,
        run.versions.map((v) => [v.id, v.state, v.lastStep, v.parent, v.branchStep, v.archived]),
    ]);
}
function sameKeys(a, b) {
    if (a.size !== b.size)
        return false;
    for (const k of a.keys())
        if (!b.has(k))
            return false;
    return true;
}
function sameRunIds(a, b) {
    if (!a || !b || a.length !== b.length)
        return false;
    return a.every((r, i) => r.id === b[i]?.id);
}
//# sourceMappingURL=runsModel.js.map