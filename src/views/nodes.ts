// The runs tree's elements: plain data naming what a row shows. Everything displayed is looked up in
// the run index when the item is built, so an element stays valid while its run changes.
import type { ArtifactUse, ForkedFrom, RunInfo, VersionInfo } from '../core/api';

interface Base {
  /** Key of the folder store the element belongs to. */
  readonly folder: string;
}

export interface FolderNode extends Base {
  readonly kind: 'folder';
}
export interface ProjectNode extends Base {
  readonly kind: 'project';
  readonly project: string;
}
export interface RunNode extends Base {
  readonly kind: 'run';
  readonly runId: string;
}
/** Under a rewound run: holds the archived versions it came from. */
export interface ForkedFromNode extends Base {
  readonly kind: 'forkedFrom';
  readonly runId: string;
}
/** An archived version of a run. */
export interface VersionNode extends Base {
  readonly kind: 'version';
  readonly runId: string;
  readonly versionId: string;
}
/** Under a forked run: the run and step it was forked from. */
export interface ForkSourceNode extends Base {
  readonly kind: 'forkSource';
  readonly runId: string;
  readonly source: ForkedFrom;
}
/** Under a run or an archived version: the artifacts that version logged, used or linked (inherited ones too). */
export interface ArtifactsNode extends Base {
  readonly kind: 'artifacts';
  readonly runId: string;
  readonly versionId: string;
}
/** One artifact version a run version logged, used or linked; the record never changes, so it is kept here. */
export interface ArtifactNode extends Base {
  readonly kind: 'artifact';
  readonly runId: string;
  readonly versionId: string;
  /** Its place among the version's artifact records (one version may use an artifact twice). */
  readonly index: number;
  readonly use: ArtifactUse;
}
/** Under an artifact a version logged: one run version that used or linked it (W&B's "used by"). */
export interface ArtifactUserNode extends Base {
  readonly kind: 'artifactUser';
  /** The artifact's row (its parent). */
  readonly artifact: ArtifactNode;
  /** The record of the use: recordedBy is the version that used it. */
  readonly user: ArtifactUse;
  readonly index: number;
}
export interface MessageNode extends Base {
  readonly kind: 'message';
  readonly message: string;
}
/** The last row of a long list (a project's runs, a long rewind chain): shows the next page when clicked. */
export interface MoreNode extends Base {
  readonly kind: 'more';
  /** The node whose children are paged. */
  readonly parent: ProjectNode | ForkedFromNode;
}

export type RunsNode = FolderNode | ProjectNode | RunNode | ForkedFromNode | VersionNode | ForkSourceNode | ArtifactsNode | ArtifactNode | ArtifactUserNode | MessageNode | MoreNode;

/**
 * Rewind chains with more archived versions than this are listed flat under Rewinds, newest first and
 * numbered, instead of nested: VS Code reveals a row by resolving its parents one at a time (a version
 * 1,000 rewinds deep never finished revealing), and a thousand levels of indentation cannot be read.
 */
export const NEST_LIMIT = 10;
/** Rows a long list shows before its "Show more…" row, and how many more each click adds. */
export const PAGE_SIZE = 200;

/** Stable across refreshes and rewinds, unique in the tree: what keeps selection and expansion. */
export function nodeId(node: RunsNode): string {
  switch (node.kind) {
    case 'folder':
      return `${node.folder}|folder`;
    case 'project':
      return `${node.folder}|project|${node.project}`;
    case 'run':
      return `${node.folder}|run|${node.runId}`;
    case 'forkedFrom':
      return `${node.folder}|forkedFrom|${node.runId}`;
    case 'version':
      return `${node.folder}|version|${node.versionId}`;
    case 'forkSource':
      return `${node.folder}|forkSource|${node.runId}`;
    case 'artifacts':
      return `${node.folder}|artifacts|${node.versionId}`;
    case 'artifact':
      return `${node.folder}|artifact|${node.versionId}|${node.index}|${node.use.name}:${node.use.artifactVersion}`;
    case 'artifactUser':
      return `${nodeId(node.artifact)}|user|${node.index}|${node.user.recordedBy}`;
    case 'message':
      return `${node.folder}|message`;
    case 'more':
      return `${node.folder}|more|${nodeId(node.parent)}`;
  }
}

export function isRunsNode(value: unknown): value is RunsNode {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { kind?: unknown; folder?: unknown };
  return typeof v.folder === 'string' && typeof v.kind === 'string' && KINDS.has(v.kind);
}

const KINDS: ReadonlySet<string> = new Set<RunsNode['kind']>(['folder', 'project', 'run', 'forkedFrom', 'version', 'forkSource', 'artifacts', 'artifact', 'artifactUser', 'message', 'more']);

// ---------------------------------------------------------------------------------------------
// Lineage inside one run: rewinds chain archived versions, each the parent of the next.

/** A run's rewind chain, worked out once per listing of the run (RunInfo objects are replaced when it changes). */
interface Chain {
  readonly byId: ReadonlyMap<string, VersionInfo>;
  /** Archived versions from the one the live version came from back to the first. */
  readonly archived: readonly VersionInfo[];
  /** Archived versions off the chain (should not happen with linear rewinds). */
  readonly strays: readonly VersionInfo[];
  /** The version rewound from each version, by id. */
  readonly successor: ReadonlyMap<string, VersionInfo>;
  /** Each chained archived version's index in `archived`. */
  readonly position: ReadonlyMap<string, number>;
}

const chains = new WeakMap<RunInfo, Chain>();

function chainOf(run: RunInfo): Chain {
  let chain = chains.get(run);
  if (chain) return chain;
  const byId = new Map(run.versions.map((v) => [v.id, v]));
  const successor = new Map<string, VersionInfo>();
  for (const v of run.versions) if (v.parent && v.parent !== v.id && v.runId === run.id && !successor.has(v.parent)) successor.set(v.parent, v);
  const archived: VersionInfo[] = [];
  const reached = new Set<string>();
  const live = byId.get(run.liveVersion);
  for (let v = live ? archivedParent(live, byId) : undefined; v && !reached.has(v.id); v = archivedParent(v, byId)) {
    reached.add(v.id);
    archived.push(v);
  }
  const strays = run.versions.filter((v) => v.archived && !reached.has(v.id));
  chain = { byId, archived, strays, successor, position: new Map(archived.map((v, i) => [v.id, i])) };
  chains.set(run, chain);
  return chain;
}

export function liveVersion(run: RunInfo): VersionInfo | undefined {
  return chainOf(run).byId.get(run.liveVersion);
}

export function isRewound(run: RunInfo): boolean {
  return run.versions.some((v) => v.archived);
}

/** The archived version `version` came from by a rewind, if it is in the same run. */
function archivedParent(version: VersionInfo, byId: ReadonlyMap<string, VersionInfo>): VersionInfo | undefined {
  const parent = version.parent ? byId.get(version.parent) : undefined;
  return parent && parent.archived && parent !== version ? parent : undefined;
}

/** Whether a run's archived versions are listed flat under Rewinds (a chain longer than NEST_LIMIT). */
export function isFlat(run: RunInfo): boolean {
  const chain = chainOf(run);
  return chain.archived.length + chain.strays.length > NEST_LIMIT;
}

/**
 * Children of a run's Rewinds node: the archived version the live one came from (nested chains), or
 * every archived version newest first (flat ones); archived versions off the chain at the top.
 */
export function forkedFromChildren(run: RunInfo): VersionInfo[] {
  const { archived, strays } = chainOf(run);
  if (isFlat(run)) return [...strays, ...archived];
  return archived.length > 0 ? [archived[0], ...strays] : [...strays];
}

/** Children of an archived version: the archived version it was itself rewound from (nested chains only). */
export function versionChildren(run: RunInfo, versionId: string): VersionInfo[] {
  if (isFlat(run)) return [];
  const { byId } = chainOf(run);
  const version = byId.get(versionId);
  const parent = version ? archivedParent(version, byId) : undefined;
  return parent ? [parent] : [];
}

/** The version whose history continues `versionId` (the one rewound from it), if any. */
export function versionSuccessor(run: RunInfo, versionId: string): VersionInfo | undefined {
  return chainOf(run).successor.get(versionId);
}

/** An archived version's place in its run's rewind chain, counted from the first version (#1). */
export function versionNumber(run: RunInfo, versionId: string): number | undefined {
  const { archived, position } = chainOf(run);
  const at = position.get(versionId);
  return at === undefined ? undefined : archived.length - at;
}
