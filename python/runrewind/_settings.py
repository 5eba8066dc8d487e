"""``wandb.Settings``: accepts every keyword the real one does; the few that mean something locally
(mode, project, run id/name/group/tags/notes, reinit, resume, root_dir, silent, console, x_disable_stats,
x_stats_sampling_interval, x_disable_meta) are read by ``init``."""

# Settings that init reads, and the init argument each stands for.
INIT_FIELDS = {
    "project": "project", "entity": "entity", "run_name": "name", "run_id": "id", "run_group": "group",
    "run_job_type": "job_type", "run_tags": "tags", "run_notes": "notes", "mode": "mode",
    "reinit": "reinit", "resume": "resume", "root_dir": "dir", "resume_from": "resume_from",
    "fork_from": "fork_from",
}

_DEFAULTS = {
    "mode": "offline", "silent": False, "quiet": False, "show_info": True, "show_warnings": True,
    "show_errors": True, "console": "auto", "save_code": False, "disable_code": True, "disable_git": True,
    "x_disable_stats": False, "x_disable_meta": False, "x_stats_sampling_interval": 10.0, "anonymous": None, "start_method": None,
    "init_timeout": 90.0, "reinit": "default", "resume": None, "base_url": "", "api_key": None,
    "program": None, "entity": "", "project": None, "run_name": None, "run_id": None, "run_group": None,
    "run_job_type": None, "run_tags": None, "run_notes": None, "root_dir": None, "files_dir": None,
    "sync_dir": None, "log_dir": None, "offline": True, "disabled": False, "_offline": True,
    "_disable_stats": False, "_disable_meta": False, "_jupyter": False, "_noop": False,
}


class Settings(object):
    """Keyword settings, as ``wandb.Settings(...)``. Unknown names read as None rather than raising:
    integrations probe settings of many wandb versions."""

    def __init__(self, **kwargs):
        object.__setattr__(self, "_values", dict(kwargs))

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        values = object.__getattribute__(self, "_values")
        if key in values:
            return values[key]
        return _DEFAULTS.get(key)

    def __setattr__(self, key, value):
        self._values[key] = value

    def update(self, settings=None, **kwargs):
        if settings is not None:
            if isinstance(settings, Settings):
                self._values.update(settings._values)
            else:
                self._values.update(dict(settings))
        self._values.update(kwargs)

    def update_from_dict(self, d):
        self.update(d)

    def to_dict(self):
        out = dict(_DEFAULTS)
        out.update(self._values)
        return out

    model_dump = to_dict

    def model_copy(self, *args, **kwargs):
        return Settings(**self._values)

    copy = model_copy

    def given(self):
        """The settings passed explicitly (not the defaults)."""
        return dict(self._values)

    def __repr__(self):
        return "Settings(%s)" % ", ".join("%s=%r" % kv for kv in sorted(self._values.items()))


def as_settings(value):
    """``init(settings=...)`` takes a Settings or a dict."""
    if value is None:
        return Settings()
    if isinstance(value, Settings):
        return value
    if isinstance(value, dict):
        return Settings(**value)
    given = getattr(value, "model_dump", None) or getattr(value, "to_dict", None)
    if callable(given):
        try:
            return Settings(**{k: v for k, v in given().items() if v is not None})
        except Exception:
            pass
    return Settings()
