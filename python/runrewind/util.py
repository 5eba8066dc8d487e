"""``wandb.util``: the helpers integrations import from it."""

import importlib
import os
import secrets

from . import _values

_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def generate_id(length=8):
    """A random base-36 id of ``length`` characters, like a generated run id."""
    return "".join(secrets.choice(_ID_CHARS) for _ in range(length))


def get_module(name, required=None, lazy=True):
    """The module ``name``, or None if it cannot be imported (an ImportError naming ``required`` if given)."""
    try:
        return importlib.import_module(name)
    except Exception:
        if required:
            raise ImportError(required if isinstance(required, str) else "%s is required" % name)
        return None


def json_friendly(obj):
    """(value, converted) as wandb's: numpy/torch scalars become Python numbers."""
    value = _values.scalar(obj)
    if value is _values._SKIP:
        listed = _values.as_list(obj)
        if listed is not _values._SKIP:
            return listed, True
        return obj, False
    return value, value is not obj


def json_friendly_val(obj):
    return json_friendly(obj)[0]


def to_forward_slash_path(path):
    return path.replace(os.sep, "/") if os.sep != "/" else path


def make_artifact_name_safe(name):
    import re
    cleaned = re.sub(r"[^a-zA-Z0-9_\-.]", "_", name)
    return cleaned[-128:]


def mkdir_exists_ok(path):
    os.makedirs(path, exist_ok=True)
    return True
