// What the runs tree knows about each folder store's runs: the last listing, refreshed when the store
// reports changes (coalesced: at most one listing in flight per folder), and diffed so the tree can
// repaint only the runs that changed instead of the whole view.
import * as vscode from 'vscode';
import type { RunInfo } from '../core/api';
import type { ComponentLogger } from '../logger';
import type { FolderStore, FolderStores } from '../services';
import { describe } from '../workspace/folderStore';

export interface FolderRuns {
  readonly runs: ReadonlyMap<string, RunInfo>;
  /** Projects in name order, each with its runs newest first. */
  readonly projects: ReadonlyMap<string, readonly RunInfo[]>;
  /** Immutable version id → run id, for every version of every run. */
  readonly versionToRun: ReadonlyMap<string, string>;
}

export type ModelChange =
  | { readonly folder: string; readonly scope: 'all' }
  | { readonly folder: string; readonly scope: 'projects'; readonly projects: readonly string[]; readonly runs: readonly string[] }
  | { readonly folder: string; readonly scope: 'runs'; readonly runs: readonly string[] };

interface FolderState {
  store: FolderStore;
  data: FolderRuns | undefined;
  error: string | undefined;
  loading: Promise<FolderRuns> | undefined;
  next: Promise<FolderRuns> | undefined;
  signatures: Map<string, string>;
}

export class RunsModel implements vscode.Disposable {
  private readonly states = new Map<string, FolderState>();
  private readonly emitter = new vscode.EventEmitter<ModelChange>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly stores: FolderStores,
    private readonly log: ComponentLogger,
  ) {
    this.disposables.push(
      this.emitter,
      stores.onDidChangeRuns((e) => {
        if (this.states.get(e.folder)?.data) void this.refresh(e.folder);
      }),
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

  /** Lists again; resolves with a listing made after this call. */
  refresh(folder: string): Promise<FolderRuns> {
    const state = this.state(folder);
    if (!state) return Promise.reject(new Error(`no store for ${folder}`));
    if (state.loading) {
      // The listing in flight may predate the change: every caller meanwhile shares one more listing.
      const current = state.loading;
      state.next ??= current.then(() => {
        state.next = undefined;
        return this.refresh(folder);
      });
      return state.next;
    }
    const loading = this.list(state).finally(() => {
      state.loading = undefined;
    });
    state.loading = loading;
    return loading;
  }

  private state(folder: string): FolderState | undefined {
    let state = this.states.get(folder);
    const store = this.stores.get(folder);
    if (!store) return undefined;
    if (!state || state.store !== store) {
      state = { store, data: undefined, error: undefined, loading: undefined, next: undefined, signatures: new Map() };
      this.states.set(folder, state);
    }
    return state;
  }

  private async list(state: FolderState): Promise<FolderRuns> {
    const key = state.store.key;
    let runs: RunInfo[];
    try {
      const store = await state.store.store();
      runs = await store.listRuns();
      state.error = undefined;
    } catch (error) {
      const message = describe(error);
      if (state.error !== message) this.log.error(`listing runs of ${state.store.name} failed: ${message}`);
      state.error = message;
      state.data = state.data ?? { runs: new Map(), projects: new Map(), versionToRun: new Map() };
      this.emitter.fire({ folder: key, scope: 'all' });
      return state.data;
    }
    const previous = state.data;
    const data = index(runs);
    const signatures = new Map(runs.map((r) => [r.id, signature(r)]));
    const changedRuns = runs.filter((r) => state.signatures.get(r.id) !== signatures.get(r.id)).map((r) => r.id);
    state.data = data;
    state.signatures = signatures;
    if (!previous) {
      this.emitter.fire({ folder: key, scope: 'all' });
    } else if (!sameKeys(previous.projects, data.projects)) {
      this.emitter.fire({ folder: key, scope: 'all' });
    } else {
      const projects = [...data.projects.keys()].filter((p) => !sameRunIds(previous.projects.get(p), data.projects.get(p)));
      if (projects.length > 0) this.emitter.fire({ folder: key, scope: 'projects', projects, runs: changedRuns });
      else if (changedRuns.length > 0) this.emitter.fire({ folder: key, scope: 'runs', runs: changedRuns });
    }
    return data;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
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
  for (const list of projects.values()) list.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  const sorted = new Map([...projects.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return { runs: byId, projects: sorted, versionToRun };
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
