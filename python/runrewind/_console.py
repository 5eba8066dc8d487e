"""Console capture: what the script prints while a run is active, written as `console` records.

Two paths feed it (docs/PROTOCOL.md, "console"):

- ``sys.stdout`` and ``sys.stderr`` become line-buffered text streams (the C TextIOWrapper, as fast as
  the originals) over a small tee: once per line it queues the bytes with the time and the step pending
  then, and passes them on to the terminal. Every ``print``, logging handler made after init, warning
  and traceback takes this path, from any thread. Cutting the queue into lines, cleaning and encoding
  them happens in batches: at most about once a second (the heartbeat thread), every 1,000 lines, at an
  explicit ``flush()`` (which so acknowledges the lines: they are in the log when it returns) and at
  finish.
- File descriptor 1 (and 2 with ``console="redirect"``) is pointed at a pipe — a pseudo-terminal when it
  was a terminal, so child processes keep their line buffering and colours — that a reader thread copies
  to the terminal and queues: subprocesses, C extensions and old references to the original stream
  objects. Those lines carry the step pending when the thread read them (a moment later).

fd 2 stays on the terminal by default: a process dying in native code writes its last words there, and
they must reach the terminal even when no thread of ours survives to copy them.
"""

import codecs
import collections
import io
import os
import re
import sys
import threading
from json.encoder import encode_basestring_ascii as _encode

FLUSH_INTERVAL = 1.0
FLUSH_LINES = 1000
MAX_LINE = 64 * 1024
_FD_DRAIN_WAIT = 0.25

# Escape sequences (CSI, OSC, DCS/PM/APC, two-character escapes, 8-bit CSI) and every control character
# but tab: the stored text is plain, so any reader may show it as it is.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[PX^_][^\x1b]*\x1b\\"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_NEEDS_CLEAN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bytes that never need cleaning: printable ASCII, tab, and UTF-8 bytes but 0xc2 (the lead byte of the
# C1 controls U+0080-U+009F, and of a few printable characters, which take the slower path).
_PLAIN_BYTES = bytes(b for b in range(256) if 0x20 <= b < 0x7f or b == 0x09 or (b >= 0x80 and b != 0xc2))
_ERASE_LINE = re.compile(r"\x1b\[[02]?K")


def clean(line):
    """The text a terminal shows for one line: carriage returns overwrite from the first column (a
    progress bar keeps its final state), escape sequences and control characters are removed."""
    if _NEEDS_CLEAN.search(line) is None:
        return line
    if "\r" not in line:
        return _ESCAPES.sub("", line)
    shown = ""
    for segment in line.split("\r"):
        erase = _ERASE_LINE.search(segment) is not None
        segment = _ESCAPES.sub("", segment)
        shown = segment if erase else segment + shown[len(segment):]
    return shown


class Sink(object):
    """The console lines of one run waiting to be written, each already as JSON text."""

    def __init__(self, run, writer):
        self.run = run
        self.writer = writer
        self.clock = writer.clock
        self.lines = []
        self.closed = False

    def write(self):
        """Writes the waiting lines as one record. Call with the capture lock held."""
        if not self.lines or self.closed:
            return
        lines, self.lines = self.lines, []
        self.writer.write_aside('{"type": "console", "time": %r, "lines": [%s]}\n' % (self.clock(), ", ".join(lines)))


class _Source(object):
    """One stream of text (the Python stream, or an fd reader): chunks ``(time, step, text)`` waiting to
    be cut into lines, and the line not ended yet. A line takes the time and step of the chunk that
    ended it."""

    def __init__(self, stream, encoding="utf-8"):
        self.stream = stream
        self.prefix = '[%%s, "%s", %%d, %%s]' % stream
        self.quoted = '[%%s, "%s", %%d, "%%s"]' % stream
        self.encoding = encoding or "utf-8"
        self.pending = collections.deque()
        self.partial = ""

    def cut(self, out, times=None):
        """Moves the waiting chunks into ``out`` as JSON lines (and their times into ``times``, if
        given). Call with the capture lock held."""
        pending = self.pending
        items = [pending.popleft() for _ in range(len(pending))]
        if not items:
            return
        prefix = self.prefix
        stamp = _Stamp()
        if not self.partial and items[0][2].__class__ is bytes:
            # The common case, one printed line per chunk: checked and decoded in one go.
            joined = b"".join([x[2] for x in items])
            n = len(items)
            if joined.translate(None, _PLAIN_BYTES) == b"\n" * n \
                    and [x[2][-1:] for x in items].count(b"\n") == n:
                lines = joined.decode(self.encoding, "replace").split("\n")
                if joined.isascii() and b'"' not in joined and b"\\" not in joined:
                    quoted = self.quoted  # nothing to escape: no JSON encoder call per line
                    encode = None
                else:
                    encode = _encode
                last_ms = None
                when = ""
                for i, (t, step, _) in enumerate(items):
                    ms = int(t * 1000.0)
                    if ms != last_ms:
                        last_ms = ms
                        when = "%d.%03d" % divmod(ms, 1000)
                    line = lines[i]
                    if len(line) > MAX_LINE:
                        _long(out, prefix, when, step, line)
                    elif encode is None:
                        out.append(quoted % (when, step, line))
                    else:
                        out.append(prefix % (when, step, encode(line)))
                    if times is not None:
                        times.extend([t] * (len(out) - len(times)))
                return
        partial = self.partial
        for t, step, data in items:
            if data.__class__ is bytes:
                data = data.decode(self.encoding, "replace")
            if "\n" not in data:
                partial += data
                if len(partial) > 4096:
                    partial = _collapse(partial, out, prefix, stamp(t), step)
                    if times is not None:
                        times.extend([t] * (len(out) - len(times)))
                continue
            parts = data.split("\n")
            if partial:
                parts[0] = partial + parts[0]
            partial = parts.pop()
            when = stamp(t)
            for text in parts:
                if _NEEDS_CLEAN.search(text) is not None:
                    text = clean(text)
                if len(text) > MAX_LINE:
                    _long(out, prefix, when, step, text)
                else:
                    out.append(prefix % (when, step, _encode(text)))
            if times is not None:
                times.extend([t] * (len(out) - len(times)))
        self.partial = partial

    def end(self, out, t, step, times=None):
        if self.partial:
            self.pending.append((t, step, "\n"))
        self.cut(out, times)


class _Stamp(object):
    """Line times as JSON text, to the millisecond; formatted once per distinct millisecond (a tight
    print loop writes many lines in one)."""

    __slots__ = ("ms", "text")

    def __init__(self):
        self.ms = None
        self.text = ""

    def __call__(self, t):
        ms = int(t * 1000.0)
        if ms != self.ms:
            self.ms = ms
            self.text = "%d.%03d" % divmod(ms, 1000)
        return self.text


def _long(out, prefix, when, step, text):
    for i in range(0, len(text), MAX_LINE):
        out.append(prefix % (when, step, _encode(text[i:i + MAX_LINE])))


def _collapse(partial, out, prefix, t, step):
    # A progress bar redrawn for an hour stays one short line in memory: what is before the last
    # carriage return is resolved now (clean() of the whole line gives the same text later).
    cut = partial.rfind("\r")
    if cut > 0:
        partial = clean(partial[:cut]) + "\r" + partial[cut + 1:]
    if len(partial) > MAX_LINE:
        _long(out, prefix, t, step, clean(partial))
        return ""
    return partial


class _Tee(io.RawIOBase):
    """The binary layer under the ``sys.stdout`` / ``sys.stderr`` of a run: the text layer above is a
    line-buffered TextIOWrapper (C code, as fast as the original), so this runs once per line. Each
    chunk is queued with its time and the step pending now, then passed on to the terminal."""

    def __init__(self, capture, source, original, out, out_flush, flush_each):
        io.RawIOBase.__init__(self)
        self._capture = capture
        self._source = source
        self._pending = source.pending
        self._original = original
        self._out = out
        self._out_flush = out_flush
        self._flush_each = flush_each
        self._append = source.pending.append
        self.recording = False
        self._set_flush()

    def write(self, b):
        if b.__class__ is not bytes:
            b = bytes(b)  # a caller's buffer may change after write returns
        if self.recording:
            self._append((self._clock(), self._run._step, b))
            if len(self._pending) >= FLUSH_LINES:
                self._capture.flush()
        self._out(b)
        return len(b)

    def follow(self, sink):
        """Records for ``sink`` from now on (None: records nothing)."""
        self.recording = sink is not None
        if sink is not None:
            self._clock = sink.clock
            self._run = sink.run

    def flush(self):
        # The text layer calls this at every line end (its line buffering is ours, for the steps); an
        # instance attribute replaces it (see _set_flush) so that the call costs no Python frame.
        if self._flush_each:
            self._out_flush()

    def _set_flush(self):
        # The terminal is flushed at each line end only if the original stream was line-buffered or
        # unbuffered too; otherwise it keeps its own buffering and the call does nothing.
        self.flush = self._out_flush if self._flush_each else _nothing

    def flush_out(self):
        try:
            self._out_flush()
        except (OSError, ValueError):
            pass

    def close(self):
        # Interpreter shutdown closes sys.stdout's layers; the original stream is not ours to close.
        self.flush_out()

    def writable(self):
        return True

    def readable(self):
        return False

    def seekable(self):
        return False

    def fileno(self):
        # The original descriptor: bytes written there are captured by the fd reader (if any).
        return self._original.fileno()

    def isatty(self):
        try:
            return self._original.isatty()
        except (AttributeError, ValueError, OSError):
            return False

    def passthrough(self):
        """After the run: straight to the original stream, for whoever kept a reference."""
        self.recording = False
        self.flush_out()
        self._out, self._out_flush = _text_writer(self._original)
        self._flush_each = False
        self._set_flush()


class _Stream(io.TextIOWrapper):
    """``sys.stdout`` / ``sys.stderr`` during a run: the C text layer, plus an explicit ``flush()`` that
    acknowledges — the lines written so far are in the log when it returns (print(..., flush=True))."""

    def flush(self):
        io.TextIOWrapper.flush(self)
        tee = self.buffer
        tee.flush_out()
        if tee.recording and tee._pending:
            tee._capture.flush()


_nothing = tuple  # a C callable that does nothing: the cheapest no-op flush


def _text_writer(original):
    encoding = getattr(original, "encoding", None) or "utf-8"

    def out(b):
        original.write(b.decode(encoding, "replace"))
    return out, original.flush


class _FdSource(object):
    """One captured file descriptor: its saved original, the pipe or pty read end, the decoder."""

    def __init__(self, fd, source):
        self.fd = fd
        self.source = source
        self.saved = os.dup(fd)
        self.read_fd = None
        self.eof = False
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        write_fd = None
        try:
            if os.isatty(fd):
                write_fd = self._open_pty()
            if write_fd is None:
                self.read_fd, write_fd = os.pipe()
            os.set_blocking(self.read_fd, False)
            os.dup2(write_fd, fd)
        except BaseException:
            if self.read_fd is not None:
                os.close(self.read_fd)
            os.close(self.saved)
            raise
        finally:
            if write_fd is not None:
                os.close(write_fd)

    def _open_pty(self):
        try:
            import fcntl
            import termios
            master, slave = os.openpty()
        except (ImportError, OSError, AttributeError):
            return None
        try:
            attrs = termios.tcgetattr(slave)
            attrs[1] &= ~termios.OPOST  # "\n" stays "\n": the real terminal translates it itself
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            try:
                size = fcntl.ioctl(self.saved, termios.TIOCGWINSZ, b"\0" * 8)
                fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
            except OSError:
                pass
        except Exception:
            os.close(master)
            os.close(slave)
            return None
        self.read_fd = master
        return slave

    def read(self, sink):
        """Copies what is waiting to the terminal and queues it for ``sink``; False at the end."""
        try:
            data = os.read(self.read_fd, 65536)
        except BlockingIOError:
            return True
        except OSError:  # EIO: a pty whose every writer is gone
            data = b""
        if not data:
            self.eof = True
            return False
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.saved, view):]
            except BlockingIOError:
                continue
            except OSError:
                break  # the terminal is gone; the lines are still recorded
        if sink is not None:
            self.source.pending.append((sink.clock(), sink.run._step, self.decoder.decode(data)))
        return True

    def restore(self):
        try:
            os.dup2(self.saved, self.fd)
        except OSError:
            pass

    def close(self):
        for fd in (self.read_fd, self.saved):
            try:
                os.close(fd)
            except OSError:
                pass


class Capture(object):
    """The process-wide capture: the stream layers, the fd readers, the runs recording (the console
    goes to the run started last of those still active)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.sinks = []
        self.current = None
        self.sources = []
        self.tees = []
        self.fds = []
        self.thread = None
        self.stopping = False
        self.wake_r = self.wake_w = None
        self.drained = threading.Event()

    def install(self, mode, use_fds):
        fd_streams = {"auto": ("stdout",), "redirect": ("stdout", "stderr")}.get(mode, ()) if use_fds else ()
        for name, fd in (("stdout", 1), ("stderr", 2)):
            original = getattr(sys, name)
            if original is None:
                continue
            try:
                original.flush()
            except (AttributeError, OSError, ValueError):
                pass
            encoding = getattr(original, "encoding", None) or "utf-8"
            errors = getattr(original, "errors", None) or "strict"
            source = _Source(name, encoding)
            self.sources.append(source)
            out = None
            if name in fd_streams and _fd_of(original) == fd:
                try:
                    fds = _FdSource(fd, _Source(name))
                except (OSError, ValueError):
                    fds = None
                if fds is not None:
                    self.fds.append(fds)
                    self.sources.append(fds.source)
                    write_through = bool(getattr(original, "write_through", False))
                    raw = io.FileIO(fds.saved, "w", closefd=False)
                    buffered = raw if write_through else io.BufferedWriter(raw)
                    out = (buffered.write, buffered.flush,
                           write_through or bool(getattr(original, "line_buffering", False)))
            if out is None:
                write, flush = _text_writer(original)
                out = (write, flush, False)
            tee = _Tee(self, source, original, *out)
            self.tees.append((name, tee))
            stream = _Stream(tee, encoding=encoding, errors=errors, line_buffering=True)
            tee.stream = stream
            setattr(sys, name, stream)
        if self.fds:
            self.wake_r, self.wake_w = os.pipe()
            self.thread = threading.Thread(target=self._read_loop, name="runrewind-console", daemon=True)
            self.thread.start()

    def set_current(self, sink):
        self.current = sink
        for _, tee in self.tees:
            tee.follow(sink)

    def flush(self, sink=None):
        """Cuts every waiting chunk into lines and writes them (one record per run)."""
        with self.lock:
            for fds in self.fds:
                if not fds.eof:
                    fds.read(self.current)
            sink = sink or self.current
            if sink is None:
                return
            _cut_all(self.sources, sink.lines)
            sink.write()

    def _read_loop(self):
        import select
        fds = list(self.fds)
        recording = True
        while fds:
            try:
                ready, _, _ = select.select([f.read_fd for f in fds] + [self.wake_r], [], [],
                                            _FD_DRAIN_WAIT if self.stopping and recording else None)
            except (OSError, ValueError):
                break
            if self.stopping and recording and not ready:
                recording = False  # idle after the run ended: its last lines are in
                self.drained.set()
                continue
            if self.wake_r in ready:
                try:
                    os.read(self.wake_r, 64)
                except OSError:
                    pass
            full = False
            with self.lock:
                sink = self.current if recording else None
                for f in list(fds):
                    if f.read_fd in ready and not f.read(sink):
                        fds.remove(f)
                    full = full or len(f.source.pending) >= FLUSH_LINES
            if full:
                self.flush()
        if recording:
            self.drained.set()
        for f in self.fds:
            f.close()
        for fd in (self.wake_r, self.wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def uninstall(self, sink):
        """Puts the streams and descriptors back; what is still in the pipes is recorded."""
        for name, tee in self.tees:
            stream = tee.stream
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
            if getattr(sys, name) is stream:
                setattr(sys, name, tee._original)
        for fds in self.fds:
            fds.restore()  # closes our write end: the reader sees the end once no child holds it
        if self.thread is not None:
            self.stopping = True
            try:
                os.write(self.wake_w, b"x")
            except OSError:
                pass
            self.drained.wait(5)
        with self.lock:
            for _, tee in self.tees:
                tee.passthrough()
            _cut_all(self.sources, sink.lines, sink)


def _cut_all(sources, out, ending=None):
    """Cuts every source's chunks into ``out`` (``ending``: the run that ends, whose unfinished lines
    are ended too). Lines of several streams are merged in the order of their times."""
    busy = [x for x in sources if x.pending or (ending is not None and x.partial)]
    if len(busy) == 1 and ending is None:
        busy[0].cut(out)
        return
    lines, times = [], []
    for source in busy:
        if ending is None:
            source.cut(lines, times)
        else:
            source.end(lines, ending.clock(), ending.run._step, times)
    out.extend(lines[i] for i in sorted(range(len(lines)), key=times.__getitem__))


def _fd_of(stream):
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


_capture = [None]
_fork_hook = [False]


def _after_fork_in_child():
    # A forked child (a data loader worker) does not own the run: its prints go to the original streams
    # (fd 1 is the parent's pipe, so the parent records them) and nothing is recorded here.
    capture = _capture[0]
    if capture is None:
        return
    _capture[0] = None
    capture.current = None
    capture.sinks = []
    for name, tee in capture.tees:
        tee.recording = False
        tee._out, tee._out_flush = _text_writer(tee._original)
        tee._flush_each = False
        tee._set_flush()
        if getattr(sys, name) is tee.stream:
            setattr(sys, name, tee._original)


def start(run, writer, mode, threads):
    """Starts recording the console of ``run`` (``mode``: "auto", "wrap", "redirect"); returns the
    function that stops it (``stop(abandon)``), or None."""
    capture = _capture[0]
    if capture is None:
        capture = Capture()
        use_fds = threads and os.name == "posix" and hasattr(os, "set_blocking")
        try:
            capture.install(mode, use_fds)
        except Exception as e:  # never stop a run from starting
            import warnings
            warnings.warn("runrewind: console capture is off: %s" % e, RuntimeWarning, stacklevel=3)
            return None
        _capture[0] = capture
        if not _fork_hook[0] and hasattr(os, "register_at_fork"):
            _fork_hook[0] = True
            os.register_at_fork(after_in_child=_after_fork_in_child)
    sink = Sink(run, writer)
    with capture.lock:
        if capture.current is not None:
            capture.flush()  # what was printed so far belongs to the run started before
        capture.sinks.append(sink)
        capture.set_current(sink)

    def stop(abandon=False):
        if abandon:
            sink.closed = True
        with capture.lock:
            if sink is capture.current:
                capture.flush(sink)
            last = capture.sinks == [sink]
            if not last:
                if sink in capture.sinks:
                    capture.sinks.remove(sink)
                capture.set_current(capture.sinks[-1] if capture.sinks else None)
        if last:
            capture.uninstall(sink)
            with capture.lock:
                sink.write()
                capture.sinks = []
                capture.set_current(None)
            if _capture[0] is capture:
                _capture[0] = None
        sink.closed = True
    return stop


def flush_all():
    """Writes every waiting line (the heartbeat thread calls this about once a second)."""
    capture = _capture[0]
    if capture is not None and capture.current is not None:
        capture.flush()
