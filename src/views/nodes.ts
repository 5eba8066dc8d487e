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
export interface MessageNode extends Base {
  readonly kind: 'message';
  readonly message: string;
}

export type RunsNode = FolderNode | ProjectNode | RunNode | ForkedFromNode | VersionNode | ForkSourceNode | ArtifactsNode | ArtifactNode | MessageNode;

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
    case 'message':
      return `${node.folder}|message`;
  }
}

export function isRunsNode(value: unknown): value is RunsNode {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { kind?: unknown; folder?: unknown };
  return typeof v.folder === 'string' && typeof v.kind === 'string' && KINDS.has(v.kind);
}

const KINDS: ReadonlySet<string> = new Set<RunsNode['kind']>(['folder', 'project', 'run', 'forkedFrom', 'version', 'forkSource', 'artifacts', 'artifact', 'message']);

// ---------------------------------------------------------------------------------------------
// Lineage inside one run: rewinds chain archived versions, each the parent of the next.

function versionsById(run: RunInfo): Map<string, VersionInfo> {
  return new Map(run.versions.map((v) => [v.id, v]));
}

export function liveVersion(run: RunInfo): VersionInfo | undefined {
  return run.versions.find((v) => v.id === run.liveVersion);
}

export function isRewound(run: RunInfo): boolean {
  return run.versions.some((v) => v.archived);
}

/** The archived version `version` came from by a rewind, if it is in the same run. */
function archivedParent(version: VersionInfo, byId: Map<string, VersionInfo>): VersionInfo | undefined {
  const parent = version.parent ? byId.get(version.parent) : undefined;
  return parent && parent.archived && parent !== version ? parent : undefined;
}

/** Children of a run's Forked From node: the archived version the live one came from, and any strays. */
export function forkedFromChildren(run: RunInfo): VersionInfo[] {
  const byId = versionsById(run);
  const live = byId.get(run.liveVersion);
  const reached = new Set<string>();
  const first = live ? archivedParent(live, byId) : undefined;
  for (let v = first; v && !reached.has(v.id); v = archivedParent(v, byId)) reached.add(v.id);
  // Archived versions off the chain (should not happen with linear rewinds) are still shown, at the top.
  const strays = run.versions.filter((v) => v.archived && !reached.has(v.id));
  return first ? [first, ...strays] : strays;
}

/** Children of an archived version: the archived version it was itself rewound from. */
export function versionChildren(run: RunInfo, versionId: string): VersionInfo[] {
  const byId = versionsById(run);
  const version = byId.get(versionId);
  const parent = version ? archivedParent(version, byId) : undefined;
  return parent ? [parent] : [];
}

/** The version whose history continues `versionId` (the one rewound from it), if any. */
export function versionSuccessor(run: RunInfo, versionId: string): VersionInfo | undefined {
  return run.versions.find((v) => v.parent === versionId && v.runId === run.id && v.id !== versionId);
}
