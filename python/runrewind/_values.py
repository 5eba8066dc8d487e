"""Turns what a training loop logs into values the protocol accepts, without ever raising."""

import warnings

PLAIN = frozenset((int, float, str, bool, type(None)))
_SCALAR_ITEMS = (bool, int, float, str)


def flatten(data, warned, out=None, prefix=""):
    """Flattens nested mappings to dotted keys and converts scalars; skips (and warns once per key)
    anything the protocol cannot hold. ``warned`` is the set of keys already warned about."""
    if out is None:
        out = {}
    for k, v in data.items():
        key = prefix + (k if type(k) is str else str(k))
        t = type(v)
        if t in PLAIN:
            out[key] = v
            continue
        if isinstance(v, dict) or (hasattr(v, "items") and hasattr(v, "keys") and not hasattr(v, "item")):
            try:
                flatten(v, warned, out, key + ".")
            except Exception as e:  # a hostile mapping must not stop the loop
                _warn_once(warned, key, "its value could not be read as a mapping (%s)" % e)
            continue
        from . import _media  # late: _media imports this module
        if _media.is_media(v):
            out[key] = v  # written as a `media` record by Run.log
            continue
        value = scalar(v)
        if value is _SKIP:
            value = as_list(v)
        if value is _SKIP and _long_array(v):
            # As wandb: an array of more than 32 numbers is logged as a histogram of its values.
            try:
                value = _media.Histogram(v)
            except Exception:
                value = _SKIP
        if value is _SKIP:
            _warn_once(warned, key, "a %s is not a number, boolean, string, None or a list of them"
                       % _type_name(v))
        else:
            out[key] = value
    return out


# wandb keeps short arrays as lists and turns longer ones into histograms (a media type).
MAX_ARRAY = 32


def as_list(v):
    """A JSON list for a list or tuple of scalars, or a 1-d numpy/torch array of at most 32 values, as
    wandb keeps them in history; _SKIP for anything else."""
    if isinstance(v, (list, tuple)):
        items = v
    else:
        shape = getattr(v, "shape", None)
        tolist = getattr(v, "tolist", None)
        if shape is None or not callable(tolist) or len(shape) != 1 or shape[0] > MAX_ARRAY:
            return _SKIP
        try:
            items = tolist()
        except Exception:
            return _SKIP
        if not isinstance(items, list):
            return _SKIP
    out = []
    for item in items:
        if type(item) in PLAIN:
            out.append(item)
            continue
        x = scalar(item)
        if x is _SKIP:
            return _SKIP
        out.append(x)
    return out


_SKIP = object()

# Per numpy scalar type (np.float32, np.int64, np.bool_...), the builtin that converts it: a numpy
# scalar is always 0-d, so its type alone decides, and log()'s hot path converts with one dict lookup
# instead of the isinstance chain below (issue 12: numpy scalars within 1.5x of plain floats).
# Tensors are not cached by type: a torch.Tensor may have any shape.
NUMERIC = {}
_BUILTIN_OF_ITEM = {float: float, int: int, bool: bool}


def numeric_converter(t, v):
    """The cached converter for ``type(v)`` if it is a numpy scalar type whose ``.item()`` is a float,
    int or bool; None for anything else (the caller takes the general path)."""
    conv = NUMERIC.get(t)
    if conv is not None:
        return conv
    # numpy.generic (every numpy scalar type) without importing numpy; ndarray is excluded: a 0-d
    # array has shape () but another array of the same type does not.
    if not any(c.__name__ == "generic" and c.__module__ == "numpy" for c in getattr(t, "__mro__", ())):
        return None
    try:
        conv = _BUILTIN_OF_ITEM.get(type(v.item()))
    except Exception:
        return None
    if conv is not None:
        NUMERIC[t] = conv
    return conv


def _long_array(v):
    shape = getattr(v, "shape", None)
    return shape is not None and callable(getattr(v, "tolist", None)) and len(shape) >= 1 \
        and all(isinstance(n, int) for n in shape) and _size(shape) > MAX_ARRAY


def _size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def scalar(v):
    """A JSON-ready scalar for ``v``, or _SKIP. Subclasses of bool/int/float/str, and numpy or torch
    scalars and 0-d arrays (anything whose ``.item()`` gives a scalar) are converted."""
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str(v)
    item = getattr(v, "item", None)
    if callable(item):
        try:
            x = item()
        except Exception:
            return _SKIP
        if isinstance(x, _SCALAR_ITEMS) or x is None:
            return scalar(x) if x is not None else None
    return _SKIP


def _type_name(v):
    t = type(v)
    mod = getattr(t, "__module__", "")
    return t.__name__ if mod in ("builtins", "") else "%s.%s" % (mod, t.__name__)


def _warn_once(warned, key, why):
    if key in warned:
        return
    warned.add(key)
    warnings.warn("runrewind: skipping logged key %r: %s (warned once per key)" % (key, why),
                  RuntimeWarning, stacklevel=4)


def jsonable(v):
    """``default=`` hook for json.dumps of config and summary values."""
    x = scalar(v)
    if x is not _SKIP:
        return x
    to_json = getattr(v, "to_json", None)
    if callable(to_json) and type(v).__module__.startswith("runrewind."):
        return to_json()  # a media value in a summary or config: its item, without storing a file
    if hasattr(v, "__dict__") and not callable(v):
        return dict(vars(v))
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    return str(v)
