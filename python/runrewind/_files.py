"""``run.dir`` and ``run.save``: a run version's files kept as versions of one artifact of type
``run-files`` named after the run (docs/PROTOCOL.md, "Saved files"), so their contents share the
artifacts' object store (each content stored once) and a rewind or fork inherits the files saved up to
its branch step as it inherits checkpoints. Standard library only."""

import glob as _glob
import os
import re
import shutil

from . import _artifacts, _term
from .errors import BadArgumentError

FILES_TYPE = "run-files"
POLICIES = ("live", "now", "end")


def artifact_name(run_id):
    """``run-<id>-files``; characters an artifact name cannot hold become ``_``."""
    return "run-%s-files" % re.sub(r"[^A-Za-z0-9_.-]", "_", str(run_id))[:110]


def inherited(root, state, version_id, step):
    """The manifest of the newest ``run-files`` version logged in the history of ``version_id`` up to
    ``step`` (its own records, then each ancestor's up to its branch step), or {}: what a rewind, fork
    or resume starts from."""
    found = None
    for version, limit in _artifacts.lineage(root, state, version_id, step):
        for name, av, kind, rec_step, _ in version.logged:
            if kind != FILES_TYPE or (limit is not None and rec_step is not None and rec_step > limit):
                continue
            found = (name, av)
    if found is None:
        return {}
    try:
        art = _artifacts.resolve(root, "%s:%s" % found)
    except Exception as e:  # a removed manifest loses the inherited files, not the run
        _term.termwarn("the saved files %s:%s of the run's history are gone (%s)" % (found[0], found[1], e))
        return {}
    return dict((k, v) for k, v in art.manifest.items() if "sha256" in v)


class SavedFiles(object):
    """One run version's saved files: the globs to copy again at finish, the inherited manifest and the
    digest last recorded (a snapshot equal to it records nothing)."""

    def __init__(self, run, base):
        self.run = run
        self.base = dict(base or {})
        self.globs = []  # (glob, base_path, policy) for "live" and "end"
        self.copied = {}  # source path -> (size, mtime_ns) when last copied
        self.hashes = {}  # stored path -> ((size, mtime_ns), sha256)
        # Inherited files are recorded already (by the version they come from): equal is no change.
        self.recorded = dict(self.base) if self.base else None

    def save(self, glob_str, base_path, policy):
        if policy not in POLICIES:
            raise BadArgumentError("save(policy=%r): the policy is one of 'live', 'now' or 'end'" % (policy,))
        glob_str = os.fspath(glob_str)
        if base_path is None:
            base_path = os.path.dirname(glob_str) if os.path.isabs(glob_str) else "."
        base_path = os.path.abspath(os.fspath(base_path))
        if policy != "now":
            self.globs.append((glob_str, base_path, policy))
        if policy == "end":
            return [dst for _, dst in self._matches(glob_str, base_path)]
        out = self._copy(glob_str, base_path, False)
        self.snapshot()
        return out

    def finish(self):
        """"live" files changed since their copy and "end" files are copied, then the whole of run.dir
        is recorded if it differs from the last record (wandb keeps everything written to run.dir)."""
        for glob_str, base_path, policy in self.globs:
            self._copy(glob_str, base_path, policy == "live")
        if self.globs or self.recorded is not None or os.path.isdir(self.run._version_dir()):
            self.snapshot()

    def _matches(self, glob_str, base_path):
        target = self.run.dir
        out = []
        for src in sorted(_glob.glob(glob_str, recursive=True)):
            if not os.path.isfile(src):
                continue
            src = os.path.abspath(src)
            inside = os.path.relpath(src, target)
            # A file already in run.dir keeps its place there; others go where base_path puts them.
            rel = inside if not inside.startswith("..") else os.path.relpath(src, base_path)
            if rel.startswith(".."):
                rel = os.path.basename(src)
            out.append((src, os.path.join(target, rel)))
        return out

    def _copy(self, glob_str, base_path, only_changed):
        out = []
        for src, dst in self._matches(glob_str, base_path):
            out.append(dst)
            if src == dst:
                continue
            try:
                st = os.stat(src)
                stamp = (st.st_size, st.st_mtime_ns)
                if only_changed and self.copied.get(src) == stamp and os.path.exists(dst):
                    continue
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)
                self.copied[src] = stamp
            except OSError as e:
                _term.termwarn("run.save(%r): could not copy %s: %s" % (glob_str, src, e))
        return out

    def snapshot(self):
        """Records the inherited files overlaid with run.dir's as the next version of the run's
        ``run-files`` artifact, unless nothing changed."""
        run = self.run
        root = run._root
        manifest = dict(self.base)
        top = run._version_dir()
        for base, dirs, files in os.walk(top):
            dirs.sort()
            for f in sorted(files):
                path = os.path.join(base, f)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                stamp = (st.st_size, st.st_mtime_ns)
                known = self.hashes.get(path)
                if known is None or known[0] != stamp:
                    try:
                        sha, size = _artifacts._hash_file(path)
                        _artifacts._store_file(root, path, sha)
                    except OSError as e:
                        _term.termwarn("run.save: could not keep %s: %s" % (path, e))
                        continue
                    known = (stamp, sha)
                    self.hashes[path] = known
                manifest[os.path.relpath(path, top).replace(os.sep, "/")] = {"sha256": known[1], "size": stamp[0]}
        if not manifest or manifest == self.recorded:
            return
        art = _artifacts.Artifact(artifact_name(run._id), FILES_TYPE)
        art._entries = dict((k, dict(v)) for k, v in manifest.items())
        run.log_artifact(art)
        self.recorded = manifest
