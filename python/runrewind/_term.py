"""``termlog``/``termwarn``/``termerror``: the one-line messages wandb prints to stderr, as integrations call them."""

import os
import sys

PREFIX = "runrewind"
_printed = set()


def _silent():
    return os.environ.get("WANDB_SILENT", "").lower() in ("1", "true", "yes")


def termsetup(settings=None, logger=None):
    """wandb configures its terminal output here; there is nothing to configure."""


def _emit(string, newline, repeat, prefix, level, stream=None):
    string = str(string)
    # repeat=False prints a message once per process (transformers relies on it to warn once).
    if not repeat:
        if string in _printed:
            return
        _printed.add(string)
    if level == "log" and _silent():
        return
    tag = {"log": "", "warn": "WARNING ", "error": "ERROR "}[level]
    lines = string.split("\n")
    head = "%s: %s" % (PREFIX, tag) if prefix else ""
    text = "\n".join(head + line for line in lines)
    out = stream or sys.stderr
    try:
        out.write(text + ("\n" if newline else ""))
        out.flush()
    except (OSError, ValueError):  # a closed stderr must not stop a training script
        pass


def termlog(string="", newline=True, repeat=True, prefix=True):
    _emit(string, newline, repeat, prefix, "log")


def termwarn(string, newline=True, repeat=True, prefix=True):
    _emit(string, newline, repeat, prefix, "warn")


def termerror(string, newline=True, repeat=True, prefix=True):
    _emit(string, newline, repeat, prefix, "error")
