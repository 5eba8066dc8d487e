"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.nodeId = nodeId;
exports.isRunsNode = isRunsNode;
exports.liveVersion = liveVersion;
exports.isRewound = isRewound;
exports.forkedFromChildren = forkedFromChildren;
exports.versionChildren = versionChildren;
exports.versionSuccessor = versionSuccessor;
/** Stable across refreshes and rewinds, unique in the tree: what keeps selection and expansion. */
function nodeId(node) {
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
        case 'message':
            return `${node.folder}|message`;
    }
}
function isRunsNode(value) {
    if (typeof value !== 'object' || value === null)
        return false;
    const v = value;
    return typeof v.folder === 'string' && typeof v.kind === 'string' && KINDS.has(v.kind);
}
const KINDS = new Set(['folder', 'project', 'run', 'forkedFrom', 'version', 'forkSource', 'message']);
// ---------------------------------------------------------------------------------------------
// Lineage inside one run: rewinds chain archived versions, each the parent of the next.
function versionsById(run) {
    return new Map(run.versions.map((v) => [v.id, v]));
}
function liveVersion(run) {
    return run.versions.find((v) => v.id === run.liveVersion);
}
function isRewound(run) {
    return run.versions.some((v) => v.archived);
}
/** The archived version `version` came from by a rewind, if it is in the same run. */
function archivedParent(version, byId) {
    const parent = version.parent ? byId.get(version.parent) : undefined;
    return parent && parent.archived && parent !== version ? parent : undefined;
}
/** Children of a run's Forked From node: the archived version the live one came from, and any strays. */
function forkedFromChildren(run) {
    const byId = versionsById(run);
    const live = byId.get(run.liveVersion);
    const reached = new Set();
    const first = live ? archivedParent(live, byId) : undefined;
    for (let v = first; v && !reached.has(v.id); v = archivedParent(v, byId))
        reached.add(v.id);
    // Archived versions off the chain (should not happen with linear rewinds) are still shown, at the top.
    const strays = run.versions.filter((v) => v.archived && !reached.has(v.id));
    return first ? [first, ...strays] : strays;
}
/** Children of an archived version: the archived version it was itself rewound from. */
function versionChildren(run, versionId) {
    const byId = versionsById(run);
    const version = byId.get(versionId);
    const parent = version ? archivedParent(version, byId) : undefined;
    return parent ? [parent] : [];
}
/** The version whose history continues `versionId` (the one rewound from it), if any. */
function versionSuccessor(run, versionId) {
    return run.versions.find((v) => v.parent === versionId && v.runId === run.id && v.id !== versionId);
}
//# sourceMappingURL=nodes.js.map