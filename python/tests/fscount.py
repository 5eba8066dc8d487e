"""Counts (and, for the benchmark, slows) the file system calls of the code run inside ``counting()``: the
Python client reaches the file system only through ``os`` and ``open``, so wrapping those is what an
``LD_PRELOAD`` shim would see, without one."""

import builtins
import contextlib
import os
import time

CALLS = ("open", "stat", "lstat", "fstat", "listdir", "scandir", "mkdir", "rmdir", "rename", "replace",
         "unlink", "remove", "read", "write", "close")


class Counter(object):
    def __init__(self):
        self.by_call = {}

    @property
    def total(self):
        return sum(self.by_call.values())

    def add(self, name):
        self.by_call[name] = self.by_call.get(name, 0) + 1


@contextlib.contextmanager
def counting(delay=0.0):
    """``with counting(delay) as c:`` — every call of CALLS (and ``open()``) inside is counted in
    ``c.by_call`` and, with ``delay`` seconds, made to take that much longer (a network round trip)."""
    counter = Counter()
    saved = dict((name, getattr(os, name)) for name in CALLS)
    saved_open = builtins.open

    def wrap(name, real):
        def call(*args, **kwargs):
            counter.add(name)
            if delay:
                time.sleep(delay)
            return real(*args, **kwargs)
        return call

    for name, real in saved.items():
        setattr(os, name, wrap(name, real))
    builtins.open = wrap("open()", saved_open)
    try:
        yield counter
    finally:
        for name, real in saved.items():
            setattr(os, name, real)
        builtins.open = saved_open
