"""The per-run critical section of docs/PROTOCOL.md ("Locks"), as src/core/lock.ts implements it.

``init`` reads the log directory, checks the request and creates its writer file while holding
``locks/<run id>.lock``, a file created with O_EXCL (atomic on local disks, NFSv3+ and cluster file
systems). So two processes that resume, rewind or fork one run at once are told, at once, which of them
lost; neither writes records that readers later refuse.
"""

import json
import os
import time

from .errors import RunBusyError

STALE_SECONDS = 30.0
TIMEOUT_SECONDS = 15.0


def lock_path(root, run_id):
    return os.path.join(root, "locks", run_id + ".lock")


class RunLock(object):
    """``with RunLock(root, run_id, what, host, pid):`` — the body runs while no one else holds it."""

    def __init__(self, root, run_id, what, host, pid, pid_alive, timeout=TIMEOUT_SECONDS,
                 stale=STALE_SECONDS, clock=time.time):
        self.path = lock_path(root, run_id)
        self.run_id = run_id
        self.host = host
        self.pid_alive = pid_alive
        self.timeout = timeout
        self.stale = stale
        self.content = json.dumps({"host": host, "pid": pid, "time": time.time(), "what": what})
        self.held = False
        self.clock = clock
        # The file system's clock minus this host's (``clock``), measured on the lock file when it is
        # taken: add it to this host's time to compare with files' modification times.
        self.skew = 0.0

    def __enter__(self):
        root = os.path.dirname(os.path.dirname(self.path))
        self.root_made = None if os.path.isdir(root) else root
        _make_folder(os.path.dirname(self.path))
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        while True:
            before = self.clock()
            if _try_create(self.path, self.content):
                after = self.clock()
                self.held = True
                try:
                    self.skew = os.stat(self.path).st_mtime - (before + after) / 2
                except OSError:
                    pass  # broken meanwhile: this host's clock is all there is
                return self
            held = _read(self.path)
            if held is not None and self._is_stale(held):
                _break_stale(self.path, held[0], self.stale)
                continue
            if time.monotonic() >= deadline:
                owner = held[1] if held is not None else None
                by = ("pid %s on %s (%s)" % (owner.get("pid"), owner.get("host"), owner.get("what"))
                      if owner else "another process")
                raise RunBusyError("run %s is busy: %s is changing it; nothing was written. Try again when it "
                                   "is done (or remove %s if that process is gone)"
                                   % (self.run_id, by, self.path))
            time.sleep(delay)
            delay = min(0.1, delay * 2)

    def __exit__(self, *exc):
        if self.held:
            self.held = False
            try:
                with open(self.path, "r", encoding="utf-8") as f:
                    ours = f.read() == self.content
                if ours:
                    os.unlink(self.path)
            except OSError:
                pass  # broken as stale by someone else: nothing to release
            # A refused init leaves nothing behind: the folders go when empty (a lock taken meanwhile by
            # another process keeps them; _try_create makes them again if they went under its feet).
            for folder in (os.path.dirname(self.path), self.root_made):
                if folder:
                    try:
                        os.rmdir(folder)
                    except OSError:
                        pass
        return False

    def _is_stale(self, held):
        raw, owner, mtime = held
        if owner is not None and owner.get("host") == self.host and isinstance(owner.get("pid"), int) \
                and owner.get("pid") != os.getpid() and not self.pid_alive(owner["pid"]):
            return True
        # Aged by the file's own timestamp (the file server's clock), not by the holder's clock; a lock
        # that looks old by this host's clock is aged again by the file server's (a probe file), so a
        # host whose clock is ahead never breaks a fresh lock.
        def looks_stale(age):
            return age > self.stale or (owner is None and age > 5)  # no owner: died before writing it
        now = self.clock()
        if not looks_stale(now - mtime):
            return False
        fs_now = file_system_now(os.path.dirname(self.path))
        return looks_stale((fs_now if fs_now is not None else now) - mtime)


def file_system_now(folder):
    """Now by the clock of the file system holding ``folder``, from the modification time of a probe
    file made and removed there (src/core/lock.ts ``fileSystemNow``); None when it cannot be made."""
    probe = os.path.join(folder, ".clock-%d-%s" % (os.getpid(), os.urandom(4).hex()))
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        return None
    try:
        return os.fstat(fd).st_mtime
    except OSError:
        return None
    finally:
        os.close(fd)
        try:
            os.unlink(probe)
        except OSError:
            pass


def _make_folder(folder):
    """Makes the locks folder, or leaves it to the next round: a releasing process removes it (and a log
    folder it made) when empty, so it can go between makedirs' steps (FileExistsError, FileNotFoundError);
    _try_create's FileNotFoundError then makes it again."""
    try:
        os.makedirs(folder, exist_ok=True)
    except (FileExistsError, FileNotFoundError):
        if os.path.lexists(folder) and not os.path.isdir(folder):
            raise  # a file where the folder should be: a real error


def _try_create(path, content):
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    except FileNotFoundError:
        _make_folder(os.path.dirname(path))  # removed by a releasing process meanwhile
        return False
    try:
        os.write(fd, content.encode("utf-8"))
    finally:
        os.close(fd)
    return True


def _read(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            raw = f.read()
        mtime = os.stat(path).st_mtime
    except OSError:
        return None  # released meanwhile
    try:
        owner = json.loads(raw)
        if not isinstance(owner, dict) or not isinstance(owner.get("host"), str):
            owner = None
    except ValueError:
        owner = None
    return raw, owner, mtime


def _break_stale(path, raw, stale):
    """Removes the lock judged stale, and only it: a second-level O_EXCL ``.break`` file keeps two
    breakers from removing a fresh lock that a third process took in between."""
    breaker = path + ".break"
    if not _try_create(breaker, str(os.getpid())):
        try:
            if time.time() - os.stat(breaker).st_mtime > stale:
                os.unlink(breaker)
        except OSError:
            pass
        time.sleep(0.005)
        return
    try:
        held = _read(path)
        if held is not None and held[0] == raw:
            try:
                os.unlink(path)
            except OSError:
                pass
    finally:
        try:
            os.unlink(breaker)
        except OSError:
            pass
