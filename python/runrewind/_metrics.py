"""``define_metric``: step metrics filled into rows (step_sync) and summary aggregates (min, max, mean,
first, last, best), with the rules the real wandb applies, checked against it by python/tests/peers."""

from .errors import UsageError

_OPS = ("min", "max", "mean", "last", "first", "copy", "none", "best")
_GOALS = {"min": "minimize", "minimize": "minimize", "max": "maximize", "maximize": "maximize"}


class Metric(object):
    """What one ``define_metric`` call said (wandb returns such an object; it needs no further use)."""

    def __init__(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None,
                 overwrite=None):
        self.name = name
        self.step_metric = step_metric
        self.step_sync = step_sync
        self.hidden = hidden
        self.summary = tuple(summary) if summary is not None else None
        self.goal = goal
        self.overwrite = overwrite

    def __repr__(self):
        return "Metric(%r, step_metric=%r, summary=%r)" % (self.name, self.step_metric, self.summary)


class _Agg(object):
    __slots__ = ("first", "last", "min", "max", "sum", "count", "seen")

    def __init__(self):
        self.seen = False
        self.count = 0
        self.sum = 0.0
        self.min = self.max = self.first = self.last = None


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _fmin(a, b):
    # NaN is sticky, as in the real wandb's summaries (Go's math.Min).
    if a != a or b != b:
        return float("nan")
    return b if b < a else a


def _fmax(a, b):
    if a != a or b != b:
        return float("nan")
    return b if b > a else a


class Metrics(object):
    """The definitions of one run and the state behind them."""

    def __init__(self):
        self.exact = {}
        self.globs = []  # [prefix, Metric] in definition order: the first match wins
        self.last_values = {}
        self.step_keys = set()
        self.aggs = {}
        self.seeded = {}  # summary changes made by define() itself, for the run to write
        self._cache = {}

    def __bool__(self):
        return bool(self.exact or self.globs)

    __nonzero__ = __bool__

    def define(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None,
               overwrite=None, seed=None):
        if not name:
            raise UsageError("define_metric() requires non-empty name argument")
        if step_metric is not None and isinstance(step_metric, Metric):
            step_metric = step_metric.name
        for arg, value, kind in (("name", name, str), ("step_metric", step_metric, str),
                                 ("step_sync", step_sync, bool), ("hidden", hidden, bool),
                                 ("summary", summary, str), ("goal", goal, str), ("overwrite", overwrite, bool)):
            if value is not None and not isinstance(value, kind):
                raise UsageError("Unhandled define_metric() arg: %s type: %s" % (arg, type(value).__name__))
        stripped = name[:-1] if name.endswith("*") else name
        if "*" in stripped:
            raise UsageError("Unhandled define_metric() arg: name (glob suffixes only): %s" % name)
        ops = None
        if summary:
            ops = []
            for op in summary.split(","):
                op = op.strip().lower()
                if op not in _OPS:
                    raise UsageError("Unhandled define_metric() arg: summary op: %s" % op)
                ops.append(op)
        if goal is not None:
            g = _GOALS.get(goal.lower())
            if g is None:
                raise UsageError("Unhandled define_metric() arg: goal: %s (use 'minimize' or 'maximize')" % goal)
            goal = g
        if step_metric and step_sync is None:
            step_sync = True
        metric = Metric(name, step_metric, step_sync, hidden, ops, goal, overwrite)
        old = self.exact.get(name) if not name.endswith("*") else next(
            (m for p, m in self.globs if m.name == name), None)
        if old is not None and not overwrite:
            # Unspecified arguments keep what an earlier call said (wandb's overwrite=False merge).
            for attr in ("step_metric", "step_sync", "hidden", "summary", "goal"):
                if getattr(metric, attr) is None:
                    setattr(metric, attr, getattr(old, attr))
        if name.endswith("*"):
            for entry in self.globs:
                if entry[1].name == name:
                    entry[1] = metric
                    break
            else:
                self.globs.append([stripped, metric])
        else:
            self.exact[name] = metric
        if metric.step_metric:
            self.step_keys.add(metric.step_metric)
        if seed is not None and ops and not name.endswith("*") and name in seed and name not in self.aggs:
            # As wandb: a summary defined after the key was logged starts from its last value.
            self._feed(name, ops, seed[name], self.seeded, metric.goal)
        self._cache.clear()
        return metric

    def lookup(self, key):
        try:
            return self._cache[key]
        except KeyError:
            pass
        m = self.exact.get(key)
        if m is None:
            for prefix, glob in self.globs:
                if key.startswith(prefix):
                    m = glob
                    break
        self._cache[key] = m
        return m

    def _feed(self, key, ops, value, changes, goal=None):
        agg = self.aggs.get(key)
        if agg is None:
            agg = self.aggs[key] = _Agg()
            if "copy" not in ops:
                changes[key] = None  # the raw last value gives way to the aggregates
        if not agg.seen:
            agg.seen = True
            agg.first = value
        agg.last = value
        if _number(value):
            agg.min = value if agg.min is None else _fmin(agg.min, value)
            agg.max = value if agg.max is None else _fmax(agg.max, value)
            agg.sum += value
            agg.count += 1
        for op in ops:
            if op == "min" and agg.min is not None:
                changes[key + ".min"] = agg.min
            elif op == "max" and agg.max is not None:
                changes[key + ".max"] = agg.max
            elif op == "mean" and agg.count:
                changes[key + ".mean"] = agg.sum / agg.count
            elif op == "first":
                changes[key + ".first"] = agg.first
            elif op == "last":
                changes[key + ".last"] = agg.last
            elif op == "best" and goal is not None:
                best = agg.max if goal == "maximize" else agg.min
                if best is not None:
                    changes[key + ".best"] = best

    def on_row(self, data):
        """Fills step metrics into ``data`` (in place) and returns the summary changes it causes:
        ``{key: None}`` hides a raw value, ``{"key.min": v}`` sets an aggregate; None if nothing."""
        lookup = self.lookup
        last_values = self.last_values
        step_keys = self.step_keys
        for key in step_keys:
            if key in data:
                last_values[key] = data[key]
        sync = None
        for key in data:
            m = lookup(key)
            if m is not None and m.step_metric and m.step_sync and m.step_metric not in data:
                if sync is None:
                    sync = {}
                # A step metric not logged yet is filled with 0, as the real wandb does.
                sync[m.step_metric] = last_values.get(m.step_metric, 0)
        if sync:
            data.update(sync)
        changes = None
        for key, value in data.items():
            m = lookup(key)
            if m is None or m.summary is None:
                continue
            ops = m.summary
            if "none" in ops:
                if changes is None:
                    changes = {}
                changes[key] = None
                continue
            if all(op == "copy" for op in ops):
                continue
            if changes is None:
                changes = {}
            self._feed(key, ops, value, changes, m.goal)
        return changes



