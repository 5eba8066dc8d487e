"""The differential corpus: each case is a small training script written against the wandb API. The
peers stage runs every case twice — under the real wandb (offline) and under Run Rewind through the
`wandb` package switch — and compares what each recorded (python/tests/peers/test_differential.py).

    python corpus.py CASE
"""

import argparse
import os
import sys

import wandb

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def init(**kwargs):
    kwargs.setdefault("project", "corpus")
    return wandb.init(**kwargs)


@case
def basic_log():
    run = init(name="basic")
    for i in range(10):
        run.log({"loss": 1.0 / (i + 1), "acc": i / 10})
    run.finish()


@case
def explicit_steps_with_gaps():
    run = init()
    for s in (0, 3, 4, 10):
        run.log({"x": s * 2}, step=s)
    run.log({"y": 1})
    run.finish()


@case
def same_step_merges():
    run = init()
    run.log({"a": 1}, step=2)
    run.log({"b": 2}, step=2)
    run.log({"c": 3}, step=3)
    run.finish()


@case
def commit_false_accumulates():
    run = init()
    run.log({"a": 1}, commit=False)
    run.log({"b": 2}, commit=False)
    run.log({"c": 3})
    run.log({"d": 4}, commit=False)
    run.finish()


@case
def smaller_step_is_dropped():
    run = init()
    run.log({"a": 1}, step=5)
    run.log({"a": 2}, step=3)
    run.log({"a": 3}, step=6)
    run.finish()


@case
def step_with_commit_true():
    run = init()
    run.log({"a": 1}, step=1, commit=True)
    run.log({"b": 2}, step=1)
    run.log({"c": 3})
    run.finish()


@case
def step_then_plain_log():
    run = init()
    run.log({"a": 1}, step=4)
    run.log({"a": 2})
    run.log({"a": 3})
    run.finish()


@case
def nested_dicts():
    run = init()
    for i in range(3):
        run.log({"train": {"loss": 1.0 / (i + 1), "sub": {"deep": i}}, "top": i})
    run.finish()


@case
def lists_of_numbers():
    run = init()
    run.log({"vec": [1, 2, 3], "pair": (0.5, 1.5), "words": ["a", "b"], "x": 1})
    run.log({"vec": [4, 5, 6], "x": 2})
    run.finish()


@case
def nan_and_infinity():
    run = init()
    run.log({"v": float("nan"), "w": float("inf")})
    run.log({"v": float("-inf"), "w": 1.0})
    run.log({"v": 2.0, "w": float("nan")})
    run.finish()


@case
def bools_strings_none():
    run = init()
    run.log({"flag": True, "phase": "warmup", "nothing": None, "n": 1})
    run.log({"flag": False, "phase": "train", "n": 2})
    run.finish()


@case
def numbers_int_float_big():
    run = init()
    run.log({"i": 1, "f": 1.0, "big": 9007199254740991, "tiny": 1e-300, "neg": -3})
    run.finish()


@case
def numpy_scalars():
    import numpy as np
    run = init()
    run.log({"f32": np.float32(0.5), "i64": np.int64(3), "b": np.bool_(True), "zero_d": np.array(2.5)})
    run.log({"small_array": np.array([1.0, 2.0, 3.0])})
    run.finish()


@case
def torch_scalars():
    import torch
    run = init()
    run.log({"t": torch.tensor(0.25), "ti": torch.tensor(7)})
    run.finish()


@case
def config_at_init_and_update():
    run = init(config={"lr": 0.1, "opt": {"name": "adam", "betas": [0.9, 0.99]}, "layers": 3})
    run.config.update({"batch": 32})
    run.config.dropout = 0.1
    run.config["seed"] = 7
    run.log({"a": 1})
    run.finish()


@case
def config_change_needs_allow_val_change():
    run = init(config={"lr": 0.1})
    try:
        run.config.update({"lr": 0.2})
        print("NO_ERROR")
    except wandb.sdk.lib.config_util.ConfigError:
        print("CONFIG_ERROR")
    run.config.update({"lr": 0.1})  # same value: allowed
    run.config.update({"lr": 0.3}, allow_val_change=True)
    run.finish()


@case
def config_setdefaults_and_dashes():
    run = init(config={"a": 1})
    run.config.setdefaults({"a": 2, "b": 3})
    run.config.update({"--flag-name": 1})
    run.finish()


@case
def config_from_namespace():
    ns = argparse.Namespace(lr=0.01, epochs=3, name="x")
    run = init(config=ns)
    run.finish()


@case
def config_exclude_and_include():
    run = init(config={"a": 1, "b": 2, "c": 3}, config_exclude_keys=["b"])
    run.finish()
    run = init(config={"a": 1, "b": 2, "c": 3}, config_include_keys=["a", "c"])
    run.finish()


@case
def summary_explicit_values():
    run = init()
    for i in range(3):
        run.log({"loss": 3 - i})
    run.summary["best"] = 0.5
    run.summary.update({"final": "done", "n": 3})
    run.finish()


@case
def summary_overwritten_by_later_log():
    run = init()
    run.log({"loss": 1})
    run.summary["loss"] = 0
    run.log({"loss": 5})
    run.log({"loss": 6})
    run.finish()


@case
def summary_nested_value():
    run = init()
    run.summary["stats"] = {"a": 1, "b": {"c": 2}}
    run.log({"x": 1})
    run.finish()


@case
def define_metric_min_max():
    run = init()
    run.define_metric("loss", summary="min,max")
    for v in (3, 1, 2):
        run.log({"loss": v})
    run.finish()


@case
def define_metric_mean_first_last():
    run = init()
    run.define_metric("acc", summary="mean,first,last")
    for v in (0.5, 0.7, 0.9):
        run.log({"acc": v})
    run.finish()


@case
def define_metric_none():
    run = init()
    run.define_metric("hidden_sum", summary="none")
    run.log({"hidden_sum": 1, "shown": 2})
    run.finish()


@case
def define_metric_glob_step_metric():
    run = init()
    run.define_metric("epoch")
    run.define_metric("val/*", step_metric="epoch")
    for e in range(3):
        run.log({"epoch": e})
        run.log({"val/loss": 1.0 / (e + 1), "val/acc": e / 3})
    run.finish()


@case
def define_metric_step_sync_false():
    run = init()
    run.define_metric("val/*", step_metric="epoch", step_sync=False)
    run.log({"epoch": 1})
    run.log({"val/loss": 0.5})
    run.finish()


@case
def define_metric_transformers_style():
    run = init()
    run.define_metric("train/global_step")
    run.define_metric("*", step_metric="train/global_step", step_sync=True)
    for s in range(1, 4):
        run.log({"train/loss": 1.0 / s, "train/global_step": s * 10})
    run.log({"eval/loss": 0.3})
    run.finish()


@case
def define_metric_step_metric_never_logged():
    run = init()
    run.define_metric("x/*", step_metric="ep")
    run.log({"x/a": 1})
    run.log({"ep": 4})
    run.log({"x/a": 2})
    run.finish()


@case
def define_metric_with_nan():
    run = init()
    run.define_metric("l", summary="min,max,mean")
    for v in (2.0, float("nan"), 1.0):
        run.log({"l": v})
    run.finish()


@case
def define_metric_first_glob_wins():
    run = init()
    run.define_metric("b*", summary="max")
    run.define_metric("bb*", summary="min")
    for v in (1, 3, 2):
        run.log({"bbz": v})
    run.finish()


@case
def define_metric_after_logging():
    run = init()
    run.log({"late": 5})
    run.define_metric("late", summary="max")
    run.log({"late": 1})
    run.log({"late": 2})
    run.finish()


@case
def define_metric_bad_arguments():
    run = init()
    for kwargs in ({"name": "a*b"}, {"name": "x", "summary": "median"}, {"name": ""}):
        try:
            run.define_metric(**kwargs)
            print("NO_ERROR", kwargs)
        except wandb.Error:
            print("ERROR", kwargs)
    run.log({"ok": 1})
    run.finish()


@case
def finish_with_exit_code():
    run = init()
    run.log({"a": 1})
    run.finish(exit_code=3)


@case
def uncaught_exception():
    run = init()
    run.log({"a": 1})
    raise RuntimeError("boom")


@case
def no_finish_call():
    run = init()
    run.log({"a": 1})
    run.log({"a": 2})


@case
def module_level_functions():
    wandb.init(project="corpus", config={"k": 1})
    wandb.log({"a": 1})
    wandb.config.update({"j": 2})
    wandb.summary["s"] = 3
    wandb.log({"a": 2})
    wandb.finish()


@case
def second_init_returns_active_run():
    run1 = init(name="first")
    run2 = init(name="second")
    print("SAME" if run1 is run2 else "DIFFERENT")
    run2.log({"a": 1})
    run1.finish()


@case
def reinit_finish_previous():
    run1 = init(name="one")
    run1.log({"a": 1})
    run2 = init(name="two", reinit="finish_previous")
    run2.log({"b": 2})
    run2.finish()


@case
def reinit_create_new():
    run1 = init(name="one")
    run2 = init(name="two", reinit="create_new")
    run1.log({"a": 1})
    run2.log({"b": 2})
    run2.finish()
    run1.finish()


@case
def environment_variables():
    os.environ.update({"WANDB_PROJECT": "envproj", "WANDB_NAME": "env-name", "WANDB_TAGS": "t1,t2",
                       "WANDB_NOTES": "from env"})
    run = wandb.init()
    run.log({"a": 1})
    run.finish()


@case
def init_arguments_win_over_environment():
    os.environ.update({"WANDB_PROJECT": "envproj", "WANDB_NAME": "env-name"})
    run = wandb.init(project="argproj", name="arg-name", tags=["x"])
    run.finish()


@case
def log_after_finish_is_ignored():
    run = init()
    run.log({"a": 1})
    run.finish()
    try:
        run.log({"a": 2})
    except Exception as e:  # the real wandb raises; the run itself is already closed
        print("RAISED", type(e).__name__)


@case
def empty_log_still_makes_a_step():
    run = init()
    run.log({})
    run.log({"a": 1})
    run.finish()


@case
def keys_with_dots_and_slashes():
    run = init()
    run.log({"a.b": 1, "c/d": 2, "e f": 3})
    run.finish()


@case
def disabled_mode_writes_nothing():
    run = init(mode="disabled")
    run.log({"a": 1})
    run.config.update({"x": 1})
    run.summary["s"] = 1
    run.define_metric("a", summary="min")
    run.finish()


@case
def context_manager_exception():
    try:
        with init() as run:
            run.log({"a": 1})
            raise ValueError("inside")
    except ValueError:
        pass


@case
def resume_allow_continues():
    run = init(id="resumeallow1")
    run.log({"a": 1})
    run.log({"a": 2})
    run.finish()
    run = init(id="resumeallow1", resume="allow")
    run.log({"a": 3})
    run.finish()


@case
def resume_must_of_a_missing_run():
    try:
        run = init(id="missingrun99", resume="must")
        run.log({"a": 1})
        run.finish()
        print("STARTED")
    except Exception as e:
        print("REFUSED", isinstance(e, wandb.Error))


if __name__ == "__main__":
    name = sys.argv[1]
    CASES[name]()
