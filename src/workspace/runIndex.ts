// The run index: each folder store's last run listing, the one place the extension asks "which runs are
// there, and what are they like now". A workspace service (built in activate(), handed out through
// Services): the runs tree renders it, commands resolve their targets in it, history documents title
// their tabs from it. It refreshes when a store reports changes (coalesced: at most one listing in
// flight per folder), and diffs each listing so the tree can repaint only the runs that changed.
import * as vscode from 'vscode';
import type { RunInfo, RunOverview } from '../core/api';
import { RunRewindError } from '../core/errors';
import { Disposable } from '../dispose';
import { ContextKey } from '../ids';
import { type ComponentLogger, describe } from '../logger';
import type { FolderStore, FolderStores } from '../services';

export interface FolderRuns {
  readonly runs: ReadonlyMap<string, RunInfo>;
  /** Projects in name order, each with its runs newest first. */
  readonly projects: ReadonlyMap<string, readonly RunInfo[]>;
  /** Immutable version id → run id, for every version of every run. */
  readonly versionToRun: ReadonlyMap<string, string>;
}

/** What changed in the index, as precisely as the tree can use it. */
export type RunIndexChange =
  | { readonly folder: string; readonly scope: 'all' }
  | { readonly folder: string; readonly scope: 'projects'; readonly projects: readonly string[]; readonly runs: readonly string[] }
  | { readonly folder: string; readonly scope: 'runs'; readonly runs: readonly string[] };

interface FolderState {
  store: FolderStore;
  data: FolderRuns | undefined;
  error: string | undefined;
  draining: Promise<FolderRuns> | undefined;
  pendingFull: boolean;
  pendingRuns: Set<string>;
  signatures: Map<string, string>;
}

export class RunIndex extends Disposable {
  private readonly states = new Map<string, FolderState>();
  private readonly emitter = this._register(new vscode.EventEmitter<RunIndexChange>());
  readonly onDidChange = this.emitter.event;
  private loaded = false;
  /** Full listings made (the output log and tests: a change to a few runs should not need one). */
  fullListings = 0;

  constructor(
    private readonly stores: FolderStores,
    private readonly log: ComponentLogger,
  ) {
    super();
    this._register(
      stores.onDidChangeRuns((e) => {
        // A change names its runs: each is read again (a new one added, a deleted one removed), so the
        // cost follows the runs changed, not the 10,000 listed. A rebuild lists everything.
        if (this.states.get(e.folder)?.data) void this.refresh(e.folder, e.reason === 'rebuild' ? undefined : e.changedRuns);
      }),
    );
    this._register(
      stores.onDidChangeFolders(() => {
        for (const key of [...this.states.keys()]) {
          const state = this.states.get(key);
          if (!state || stores.get(key) !== state.store) this.states.delete(key);
        }
        this.emitter.fire({ folder: '', scope: 'all' });
      }),
    );
  }

  /** The last listing of a folder, if one was made. */
  get(folder: string): FolderRuns | undefined {
    return this.states.get(folder)?.data;
  }

  error(folder: string): string | undefined {
    return this.states.get(folder)?.error;
  }

  run(folder: string, runId: string): RunInfo | undefined {
    return this.get(folder)?.runs.get(runId);
  }

  /** Finds a run by run id or version id in the listings made so far, first folder first. */
  find(runOrVersion: string, folder?: string): { readonly folder: string; readonly run: RunInfo } | undefined {
    const keys = folder ? [folder] : this.stores.all.map((s) => s.key);
    for (const key of keys) {
      const data = this.get(key);
      const runId = data?.runs.has(runOrVersion) ? runOrVersion : data?.versionToRun.get(runOrVersion);
      const run = runId ? data?.runs.get(runId) : undefined;
      if (run) return { folder: key, run };
    }
    return undefined;
  }

  /** The listing, made now if there is none yet (starting the store if needed). */
  load(folder: string): Promise<FolderRuns> {
    const state = this.state(folder);
    if (!state) return Promise.reject(new Error(`no store for ${folder}`));
    if (state.data) return Promise.resolve(state.data);
    return this.refresh(folder);
  }

  /**
   * Lists again — only `runs` when given (one cheap getRun each instead of listing ten thousand runs for
   * one appended line, a fork or a delete), else everything. Resolves with data read after this call;
   * requests made while one is in flight join the same pass.
   */
  refresh(folder: string, runs?: readonly string[]): Promise<FolderRuns> {
    const state = this.state(folder);
    if (!state) return Promise.reject(new Error(`no store for ${folder}`));
    if (runs && state.data && runs.length <= PARTIAL_LIMIT) {
      for (const id of runs) state.pendingRuns.add(id);
    } else {
      state.pendingFull = true;
    }
    state.draining ??= this.drain(state).finally(() => {
      state.draining = undefined;
    });
    return state.draining;
  }

  private state(folder: string): FolderState | undefined {
    let state = this.states.get(folder);
    const store = this.stores.get(folder);
    if (!store) return undefined;
    if (!state || state.store !== store) {
      state = { store, data: undefined, error: undefined, draining: undefined, pendingFull: false, pendingRuns: new Set(), signatures: new Map() };
      this.states.set(folder, state);
    }
    return state;
  }

  private async drain(state: FolderState): Promise<FolderRuns> {
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
          this.fullListings++;
          data = this.apply(state, await store.listRuns());
        } else {
          const ids = [...state.pendingRuns];
          state.pendingRuns.clear();
          // A run deleted (or never listed: a version of a deleted run) answers unknown-run: it goes.
          const read = await Promise.all(ids.map((id) => store.getRun(id).then(runInfo, (error: unknown) => {
            if (error instanceof RunRewindError && error.code === 'unknown-run') return id;
            throw error;
          })));
          const before = state.data;
          const updated = read.filter((r): r is RunInfo => typeof r !== 'string');
          const removed = read.filter((r): r is string => typeof r === 'string');
          data = this.applyChanges(state, updated, removed);
          // Forks show their source's name and whether it was deleted: read them again when that changed.
          const sources = new Set([...removed, ...updated.filter((r) => before?.runs.get(r.id)?.name !== r.name).map((r) => r.id)]);
          if (sources.size > 0) for (const r of data.runs.values()) if (r.forkedFrom && sources.has(r.forkedFrom.run) && !ids.includes(r.id)) state.pendingRuns.add(r.id);
        }
        state.error = undefined;
      } catch (error) {
        // Anything else unexpected about a partial read: list everything instead.
        if (!full && state.data && !isStartFailure(error)) {
          state.pendingFull = true;
          continue;
        }
        const message = describe(error);
        if (state.error !== message) this.log.error(`listing runs of ${state.store.name} failed: ${message}`);
        state.error = message;
        state.pendingFull = false;
        state.pendingRuns.clear();
        state.data = state.data ?? { runs: new Map(), projects: new Map(), versionToRun: new Map() };
        data = state.data;
        this.emitter.fire({ folder: state.store.key, scope: 'all' });
      }
    }
    this.noteLoaded();
    return data ?? { runs: new Map(), projects: new Map(), versionToRun: new Map() };
  }

  /** Once every folder has answered a listing (or failed to), the welcome view may show: it no longer flashes while the stores start. */
  private noteLoaded(): void {
    if (this.loaded || !this.stores.all.every((s) => this.states.get(s.key)?.data)) return;
    this.loaded = true;
    void vscode.commands.executeCommand('setContext', ContextKey.Loaded, true);
  }

  /**
   * Puts a few re-read runs in place, adds new ones where a full listing would put them and takes
   * removed ones out: the cost follows the runs re-read, not the 10,000 listed. Tells the tree the
   * narrowest change: rows repainted, the projects whose run lists changed, or everything when the set
   * of projects did.
   */
  private applyChanges(state: FolderState, updated: readonly RunInfo[], removed: readonly string[]): FolderRuns {
    const previous: FolderRuns = state.data ?? { runs: new Map(), projects: new Map(), versionToRun: new Map() };
    const runs = new Map<string, RunInfo>(previous.runs);
    const projects = new Map<string, readonly RunInfo[]>(previous.projects);
    let versionToRun: Map<string, string> | undefined;
    const touched = new Set<string>();
    let projectSetChanged = false;
    const take = (id: string): void => {
      const old = runs.get(id);
      if (!old) return;
      runs.delete(id);
      const list = (projects.get(old.project) ?? []).filter((r) => r.id !== id);
      if (list.length > 0) projects.set(old.project, list);
      else {
        projects.delete(old.project);
        projectSetChanged = true;
      }
      touched.add(old.project);
      versionToRun ??= new Map(previous.versionToRun);
      for (const v of old.versions) if (versionToRun.get(v.id) === id) versionToRun.delete(v.id);
    };
    for (const id of removed) {
      take(id);
      state.signatures.delete(id);
    }
    const changed: string[] = [];
    for (const r of updated) {
      const old = runs.get(r.id);
      if (old && old.project === r.project && old.createdAt === r.createdAt) {
        const list = [...(projects.get(r.project) ?? [])];
        const at = list.indexOf(old);
        if (at >= 0) list[at] = r;
        projects.set(r.project, list);
        runs.set(r.id, r);
      } else {
        take(r.id);
        runs.set(r.id, r);
        const list = [...(projects.get(r.project) ?? [])];
        if (list.length === 0) projectSetChanged = true;
        let at = 0;
        while (at < list.length && compareRuns(list[at], r) < 0) at++;
        list.splice(at, 0, r);
        projects.set(r.project, list);
        touched.add(r.project);
      }
      for (const v of r.versions) {
        if ((versionToRun ?? previous.versionToRun).get(v.id) === r.id) continue;
        versionToRun ??= new Map(previous.versionToRun);
        versionToRun.set(v.id, r.id);
      }
      const sig = signature(r);
      if (state.signatures.get(r.id) !== sig) changed.push(r.id);
      state.signatures.set(r.id, sig);
    }
    const data: FolderRuns = {
      runs,
      projects: projectSetChanged ? new Map([...projects.entries()].sort(([a], [b]) => a.localeCompare(b))) : projects,
      versionToRun: versionToRun ?? previous.versionToRun,
    };
    state.data = data;
    const key = state.store.key;
    if (projectSetChanged) this.emitter.fire({ folder: key, scope: 'all' });
    else if (touched.size > 0) this.emitter.fire({ folder: key, scope: 'projects', projects: [...touched], runs: changed });
    else if (changed.length > 0) this.emitter.fire({ folder: key, scope: 'runs', runs: changed });
    return data;
  }

  /** Stores a new listing and tells the tree which rows it changes. */
  private apply(state: FolderState, runs: readonly RunInfo[]): FolderRuns {
    const key = state.store.key;
    const previous = state.data;
    const data = index(runs);
    const signatures = new Map(runs.map((r) => [r.id, signature(r)]));
    const changedRuns = runs.filter((r) => state.signatures.get(r.id) !== signatures.get(r.id)).map((r) => r.id);
    state.data = data;
    state.signatures = signatures;
    if (!previous || !sameKeys(previous.projects, data.projects)) {
      this.emitter.fire({ folder: key, scope: 'all' });
    } else {
      const projects = [...data.projects.keys()].filter((p) => !sameRunIds(previous.projects.get(p), data.projects.get(p)));
      if (projects.length > 0) this.emitter.fire({ folder: key, scope: 'projects', projects, runs: changedRuns });
      else if (changedRuns.length > 0) this.emitter.fire({ folder: key, scope: 'runs', runs: changedRuns });
    }
    return data;
  }
}

/** Above this many changed runs one listing is cheaper than a getRun each. */
const PARTIAL_LIMIT = 50;

/** The RunInfo part of an overview: the index keeps listings, not config and summaries. */
function runInfo(o: RunOverview): RunInfo {
  const { id, project, name, state, liveVersion, createdAt, updatedAt, lastStep, headline, forkedFrom, tags, notes, versions, origin } = o;
  // An imported run says where it is read from, as in a full listing (a run read alone kept no origin).
  return { id, project, name, state, liveVersion, createdAt, updatedAt, lastStep, headline, forkedFrom, tags, notes, versions, ...(origin ? { origin } : {}) };
}

function isStartFailure(error: unknown): boolean {
  return error instanceof RunRewindError && error.code === 'internal';
}

function index(runs: readonly RunInfo[]): FolderRuns {
  const byId = new Map<string, RunInfo>();
  const projects = new Map<string, RunInfo[]>();
  const versionToRun = new Map<string, string>();
  for (const run of runs) {
    byId.set(run.id, run);
    for (const v of run.versions) versionToRun.set(v.id, run.id);
    const list = projects.get(run.project) ?? [];
    list.push(run);
    projects.set(run.project, list);
  }
  for (const list of projects.values()) list.sort(compareRuns);
  const sorted = new Map([...projects.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return { runs: byId, projects: sorted, versionToRun };
}

/** A project's order: newest first, then by id. */
function compareRuns(a: RunInfo, b: RunInfo): number {
  return b.createdAt - a.createdAt || a.id.localeCompare(b.id);
}

/** Everything the tree shows of a run; when it is unchanged, the run's row is not repainted. */
function signature(run: RunInfo): string {
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

function sameKeys(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}

function sameRunIds(a: readonly RunInfo[] | undefined, b: readonly RunInfo[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((r, i) => r.id === b[i]?.id);
}
