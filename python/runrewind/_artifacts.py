"""wandb's Artifact, kept locally: files content-addressed under ``<log dir>/objects/``, one manifest per
version in ``<log dir>/artifacts/<name>/v<N>.json`` (created exclusively, so two writers never take the
same number), and an `artifact` record in the run's log naming the version it logged or used
(docs/PROTOCOL.md). Standard library only."""

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile

from .errors import BadArgumentError, Error

NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,128}")
ALIAS_RE = re.compile(r"[^\s:/]{1,128}")
_VERSION_FILE = re.compile(r"v(0|[1-9][0-9]{0,8})\.json")
OBJECTS_DIR = "objects"
ARTIFACTS_DIR = "artifacts"
_CHUNK = 1 << 20


def object_path(root, sha):
    return os.path.join(root, OBJECTS_DIR, sha[:2], sha)


def _hash_file(path):
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def _store_file(root, path, sha):
    """Copies ``path`` into the object store once per content (temporary name, then rename)."""
    dest = object_path(root, sha)
    if os.path.exists(dest):
        return dest
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".tmp-")
    os.close(fd)
    try:
        shutil.copyfile(path, tmp)
        # Objects are shared by every version and every download link: never written in place.
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return dest


class Artifact(object):
    """``wandb.Artifact(name, type, description=None, metadata=None)``: files (``add_file``, ``add_dir``,
    ``new_file``) and references (``add_reference``, recorded, never fetched), logged with
    ``run.log_artifact`` as version v0, v1, … of its name."""

    def __init__(self, name, type, description=None, metadata=None, incremental=False, use_as=None, **kwargs):
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise BadArgumentError("Artifact(name=%r): a name is 1 to 128 letters, digits, '_', '-' and '.'" % (name,))
        if not isinstance(type, str) or not type:
            raise BadArgumentError("Artifact(type=%r): the type must be a non-empty string such as 'model' or 'dataset'" % (type,))
        self.name = name
        self.type = type
        self.description = description
        self.metadata = dict(metadata or {})
        self._entries = {}  # name -> {"path": local path} or {"ref": uri}
        self._tmp = None
        self.version = None
        self.digest = None
        self.aliases = []
        self._manifest = None
        self._root = None
        self.source_run = None
        self.source_version = None
        self.step = None

    # --- building -----------------------------------------------------------------------------------

    def add_file(self, local_path, name=None, is_tmp=False, skip_cache=None, policy="mutable", overwrite=False):
        local_path = os.fspath(local_path)
        if not os.path.isfile(local_path):
            raise ValueError("Artifact.add_file(%r): not a file" % local_path)
        entry = _entry_name(name or os.path.basename(local_path))
        if entry in self._entries and not overwrite:
            raise ValueError("Artifact %s already has a file named %r (pass overwrite=True)" % (self.name, entry))
        self._entries[entry] = {"path": os.path.abspath(local_path)}
        return entry

    def add_dir(self, local_path, name=None, skip_cache=None, policy="mutable", merge=False):
        local_path = os.fspath(local_path)
        if not os.path.isdir(local_path):
            raise ValueError("Artifact.add_dir(%r): not a directory" % local_path)
        for base, dirs, files in os.walk(local_path):
            dirs.sort()
            for f in sorted(files):
                path = os.path.join(base, f)
                rel = os.path.relpath(path, local_path).replace(os.sep, "/")
                self.add_file(path, name=(name.rstrip("/") + "/" + rel) if name else rel, overwrite=merge)

    @contextlib.contextmanager
    def new_file(self, name, mode="x", encoding=None):
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="runrewind-artifact-")
        path = os.path.join(self._tmp, *_entry_name(name).split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode.replace("x", "w"), encoding=encoding) as f:
            yield f
        self.add_file(path, name=name, overwrite=True)

    def add_reference(self, uri, name=None, checksum=True, max_objects=None):
        uri = str(uri)
        entry = _entry_name(name or uri.rstrip("/").rsplit("/", 1)[-1] or uri)
        self._entries[entry] = {"ref": uri}
        return [entry]

    def remove(self, item):
        self._entries.pop(str(item), None)

    def save(self, *args, **kwargs):
        return self

    def wait(self, timeout=None):
        return self

    # --- reading --------------------------------------------------------------------------------------

    @property
    def manifest(self):
        return dict(self._manifest or {})

    @property
    def size(self):
        return sum(e.get("size", 0) for e in (self._manifest or {}).values())

    @property
    def qualified_name(self):
        return "%s:%s" % (self.name, self.version) if self.version else self.name

    @property
    def id(self):
        return self.digest

    def files(self):
        return sorted((self._manifest or self._entries).keys())

    def get_path(self, name):
        """The stored object of one file (read-only)."""
        entry = (self._manifest or {}).get(name)
        if entry is None or "sha256" not in entry:
            raise KeyError("artifact %s has no file %r" % (self.qualified_name, name))
        return object_path(self._root, entry["sha256"])

    get_entry = get_path

    def download(self, root=None, allow_missing_references=False, skip_cache=None, path_prefix=None, **kwargs):
        """A folder with the version's files as links to the stored objects (hard links where the file
        system allows, else symbolic links, else copies), so a 10 GB checkpoint is not copied."""
        if self._manifest is None or self._root is None:
            raise Error("Artifact %s is not logged yet: download() needs a logged or used artifact" % self.name)
        root = os.fspath(root) if root else os.path.join(self._root, "downloads", "%s-%s" % (self.name, self.version))
        for entry, info in sorted(self._manifest.items()):
            if "sha256" not in info or (path_prefix and not entry.startswith(path_prefix)):
                continue
            dest = os.path.join(root, *entry.split("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if os.path.exists(dest):
                os.unlink(dest)
            src = object_path(self._root, info["sha256"])
            try:
                os.link(src, dest)
            except OSError:
                try:
                    os.symlink(src, dest)
                except OSError:
                    shutil.copyfile(src, dest)
        return root

    def file(self, root=None):
        files = [e for e, i in (self._manifest or {}).items() if "sha256" in i]
        if len(files) != 1:
            raise ValueError("Artifact.file() needs an artifact of exactly one file; %s has %d" % (self.qualified_name, len(files)))
        return os.path.join(self.download(root), *files[0].split("/"))

    def __repr__(self):
        return "<runrewind.Artifact %s type=%s>" % (self.qualified_name, self.type)

    # --- logging (called by Run) -----------------------------------------------------------------------

    def _commit(self, root, run_id, version_id, step, aliases, t):
        """Stores the files, takes the next version number (or the latest one, if its content is the
        same, as wandb does) and returns the version document."""
        manifest = {}
        for entry, info in sorted(self._entries.items()):
            if "ref" in info:
                manifest[entry] = {"ref": info["ref"]}
                continue
            if "sha256" in info:  # already in the object store (run.save's files, inherited ones)
                manifest[entry] = {"sha256": info["sha256"], "size": info["size"]}
                continue
            sha, size = _hash_file(info["path"])
            _store_file(root, info["path"], sha)
            manifest[entry] = {"sha256": sha, "size": size}
        digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode("utf-8")).hexdigest()
        folder = os.path.join(root, ARTIFACTS_DIR, self.name)
        os.makedirs(folder, exist_ok=True)
        aliases = _aliases(aliases)
        doc = None
        versions = list_versions(root, self.name)
        if versions and versions[-1].get("digest") == digest:
            doc = versions[-1]
        n = (versions[-1]["n"] + 1) if versions else 0
        while doc is None:
            doc = {"name": self.name, "type": self.type, "version": "v%d" % n, "n": n, "digest": digest,
                   "description": self.description, "metadata": self.metadata, "aliases": aliases,
                   "manifest": manifest, "size": sum(e.get("size", 0) for e in manifest.values()),
                   "created": t, "run": run_id, "run_version": version_id, "step": step}
            try:
                fd = os.open(os.path.join(folder, "v%d.json" % n), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                n += 1
                doc = None
                continue
            with os.fdopen(fd, "w") as f:
                json.dump(doc, f, default=str, sort_keys=True)
        self._loaded(root, doc)
        self.aliases = sorted(set(aliases) | set(doc.get("aliases") or ()))
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        return doc

    def _loaded(self, root, doc):
        self._root = root
        self.version = doc["version"]
        self.digest = doc["digest"]
        self._manifest = dict(doc.get("manifest") or {})
        self.metadata = dict(doc.get("metadata") or {})
        self.description = doc.get("description")
        self.type = doc.get("type", self.type)
        self.aliases = list(doc.get("aliases") or [])
        self.source_run = doc.get("run")
        self.source_version = doc.get("run_version")
        self.step = doc.get("step")
        return self


def _entry_name(name):
    name = str(name).replace(os.sep, "/").strip("/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise ValueError("an artifact file name must be a relative path inside the artifact, got %r" % (name,))
    return "/".join(parts)


def _aliases(aliases):
    if aliases is None:
        aliases = []
    elif isinstance(aliases, str):
        aliases = [aliases]
    out = ["latest"]
    for a in aliases:
        a = str(a)
        if not ALIAS_RE.fullmatch(a):
            raise BadArgumentError("artifact alias %r: an alias has no spaces, ':' or '/'" % a)
        if a not in out:
            out.append(a)
    return out


def list_versions(root, name):
    """Every logged version of ``name``, oldest first."""
    folder = os.path.join(root, ARTIFACTS_DIR, name)
    out = []
    try:
        names = os.listdir(folder)
    except OSError:
        return out
    for f in names:
        if not _VERSION_FILE.fullmatch(f):
            continue
        try:
            with open(os.path.join(folder, f)) as fh:
                doc = json.load(fh)
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("n"), int):
            out.append(doc)
    out.sort(key=lambda d: d["n"])
    return out


def resolve(root, spec, type=None):
    """The Artifact a ``use_artifact`` spec names: ``name``, ``name:latest``, ``name:vN`` or
    ``name:<alias>`` (the newest version logged with that alias); an ``entity/project/`` prefix is
    ignored, as every artifact here is local."""
    spec = str(spec)
    name, _, alias = spec.rpartition("/")[2].partition(":")
    alias = alias or "latest"
    if not NAME_RE.fullmatch(name):
        raise BadArgumentError("use_artifact(%r): %r is not an artifact name" % (spec, name))
    versions = list_versions(root, name)
    if not versions:
        raise Error("use_artifact(%r): no artifact named %r was logged in %s" % (spec, name, root))
    found = None
    if alias == "latest":
        found = versions[-1]
    elif re.fullmatch(r"v[0-9]+", alias):
        found = next((d for d in versions if d["version"] == alias), None)
    else:
        found = next((d for d in reversed(versions) if alias in (d.get("aliases") or ())), None)
    if found is None:
        raise Error("use_artifact(%r): artifact %r has no version or alias %r (versions v0 to v%d)"
                    % (spec, name, alias, versions[-1]["n"]))
    if type is not None and found.get("type") != type:
        raise Error("use_artifact(%r): the artifact's type is %r, not %r" % (spec, found.get("type"), type))
    art = Artifact(name, found.get("type") or "unspecified")
    return art._loaded(root, found)


def record(action, art, step, t, aliases=None, extra=None):
    rec = {"type": "artifact", "time": t, "action": action, "step": step, "name": art.name,
           "version": art.version, "artifact_type": art.type, "digest": art.digest, "size": art.size,
           "files": len(art._manifest or {}), "aliases": list(aliases if aliases is not None else art.aliases)}
    if action == "log":
        rec["metadata"] = art.metadata
        if art.description:
            rec["description"] = art.description
    else:
        rec["source_run"] = art.source_run
        rec["source_version"] = art.source_version
    if extra:
        rec.update(extra)
    return json.dumps(rec, default=str) + "\n"


CHECKPOINT_TYPES = ("model", "checkpoint")


def find_checkpoint(root, state, version_id, step):
    """``(name, "vN", step)`` of the newest checkpoint at or before ``step`` in the history of
    ``version_id`` (its own artifacts, then each ancestor's up to the branch step, as the store's
    ``artifacts(version)``), or None. A checkpoint is an artifact of type model or checkpoint logged at a
    step, or one whose metadata names its step; of two at one step the one logged later wins. The same
    rule as src/core/checkpoints.ts, so the extension's snippet and ``run.checkpoint`` agree."""
    found = None
    for version, limit in lineage(root, state, version_id, None):
        for name, av, kind, rec_step, meta_step in version.logged:
            if limit is not None and rec_step is not None and rec_step > limit:
                continue
            at = meta_step if meta_step is not None else (rec_step if kind in CHECKPOINT_TYPES else None)
            if at is None or at > step:
                continue
            if found is None or at >= found[2]:
                found = (name, av, at)
    return found


def lineage(root, state, version_id, step):
    """``(version, step limit)`` of ``version_id`` (limit ``step``) and of each ancestor (limit: the
    lowest branch step below it), oldest first: whose ``artifact`` records a version inherits. An
    ancestor in another run (a fork's source) is read now, as init read the focus run's files only."""
    from . import _logs
    parts = []
    cap = step
    v = state.versions.get(version_id)
    seen = set()
    while v is not None and v.id not in seen:
        seen.add(v.id)
        parts.append((v, cap))
        if v.parent is None or v.branch_step is None:
            break
        cap = v.branch_step if cap is None else min(cap, v.branch_step)
        v = state.versions.get(v.parent)
    if not parts:
        return []
    others = set(p.run for p, _ in parts if p.run != parts[0][0].run)
    more = _logs.read_runs(root, others) if others else None
    out = []
    for version, limit in reversed(parts):
        if more is not None and version.run in others:
            version = more.versions.get(version.id, version)
        out.append((version, limit))
    return out
