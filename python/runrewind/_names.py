"""Run numbers: the N of a generated name "adjective-noun-N", claimed without reading other runs' logs.

A run's generated name is numbered by how many runs its project holds, as W&B numbers them: the Nth run
of a project is "...-N". Counting them by reading every run's start record costs five file system calls
per run of the log directory (minutes at 10,000 runs over NFS), so each new run (or fork) *claims* its
number instead: it creates ``names/<project key>/<N>`` with ``O_CREAT | O_EXCL`` (atomic on local disks,
NFSv3 and later, and cluster file systems, as locks are), N one more than the highest claimed. Two
inits at once on two hosts get two numbers. Every new run claims one, named or not, so the claims count
the project's runs; forks made in the extension or the command line claim too (src/core/runNumbers.ts).

``names/`` only exists once it holds a claim for every run already in the directory: the first init that
finds it missing (a log directory written before claims) counts the runs of each project from their start
records, once, writes those counts into a folder of its own, and renames that folder to ``names/``; a
loser of that race drops its folder and claims in the winner's. So a directory's first run numbers are
exactly the ones counting gave before, and each later one too, as long as every writer claims. What
does not claim (an older client, a hand-written file) is not counted: a later number may repeat one of
its runs' numbers (the adjective and noun still differ), as two inits at once did before claims.
"""

import hashlib
import os

from . import _logs

FOLDER = "names"


def project_key(project):
    """The folder of a project's claims: a hash, as a project name may hold any character."""
    return hashlib.sha256(project.encode("utf-8")).hexdigest()[:32]


def _highest(folder):
    """The highest number claimed in ``folder``, None when the folder is missing."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return None
    return max([int(n) for n in names if n.isdigit()] or [0])


def claim(root, project, run_id):
    """Claims and returns the number of a new run of ``project`` (one more than the runs it holds)."""
    names = os.path.join(root, FOLDER)
    folder = os.path.join(names, project_key(project))
    top = _highest(folder)
    if top is None:
        if not os.path.isdir(names):
            _seed(root, names)
        top = _highest(folder) or 0
    n = top + 1
    content = run_id.encode("utf-8")
    while True:
        try:
            fd = os.open(os.path.join(folder, str(n)), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            n += 1
            continue
        except FileNotFoundError:
            try:
                os.mkdir(folder)
            except FileExistsError:
                pass
            continue
        try:
            os.write(fd, content)  # which run took it, for people; readers only look at names
        finally:
            os.close(fd)
        return n


def counts(state):
    """Runs per project of a LogState, as generated names number them."""
    out = {}
    for run in state.runs.values():
        out[run.project] = out.get(run.project, 0) + 1
    return out


def _seed(root, names):
    """Makes ``names/`` for a log directory written before claims: each project's run count, counted
    from every start record (what init did on every call before), as a claim of that number."""
    tmp = os.path.join(root, ".names-%d-%s" % (os.getpid(), os.urandom(4).hex()))
    made = []  # (path, is a folder), to remove if another init made names/ first
    os.mkdir(tmp)
    made.append((tmp, True))
    try:
        for project, count in counts(_logs.read_state(root, None)).items():
            folder = os.path.join(tmp, project_key(project))
            os.mkdir(folder)
            made.append((folder, True))
            path = os.path.join(folder, str(count))
            made.append((path, False))
            with open(path, "w", encoding="utf-8") as f:
                f.write("counted")
        try:
            os.rename(tmp, names)
            made = []
        except OSError:
            if not os.path.isdir(names):
                raise
            # Another init made names/ first (a rename onto a folder with entries fails): its claims
            # count the same runs and perhaps more.
    finally:
        for path, is_folder in reversed(made):
            try:
                (os.rmdir if is_folder else os.unlink)(path)
            except OSError:
                pass
