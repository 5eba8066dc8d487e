"""The wandb API around a run (python/runrewind/_wandb_compat.py, _metrics.py, _settings.py) and the
`wandb` package switch, with the standard library only. The real wandb is compared in tests/peers."""

import importlib
import os
import subprocess
import sys

import runrewind
from runrewind import errors
from tests.helpers import LogDirTest, PYTHON_DIR, records, rows, tree

SHIM = os.path.join(PYTHON_DIR, "wandb-shim")


class WandbApiTest(LogDirTest):
    def test_define_metric_summaries_are_written_as_summary_keys(self):
        run = self.init()
        run.define_metric("loss", summary="min,max,mean,first,last")
        for v in (3, 1, 2):
            run.log({"loss": v, "other": v})
        run.finish()
        self.assertEqual(runrewind.summary.get("loss.min"), 1)
        self.assertNotIn("loss", run.summary)
        merged = {}
        for r in records(run.log_file):
            if r["type"] == "summary":
                merged.update(r["summary"])
        self.assertEqual(merged, {"loss": None, "loss.min": 1, "loss.max": 3, "loss.mean": 2.0, "loss.first": 3,
                                  "loss.last": 2})
        self.assertEqual([d for _, d in rows(run.log_file)][-1], {"loss": 2, "other": 2})

    def test_step_metric_is_filled_into_rows_and_globs_match_prefixes(self):
        run = self.init()
        run.define_metric("val/*", step_metric="epoch")
        run.log({"val/loss": 1})
        run.log({"epoch": 3})
        run.log({"val/loss": 2, "train": 1})
        run.finish()
        self.assertEqual([d for _, d in rows(run.log_file)],
                         [{"val/loss": 1, "epoch": 0}, {"epoch": 3}, {"val/loss": 2, "train": 1, "epoch": 3}])

    def test_define_metric_refuses_bad_arguments(self):
        run = self.init()
        for kwargs in ({"name": "a*b"}, {"name": "x", "summary": "median"}, {"name": ""}, {"name": "x", "hidden": 1}):
            with self.assertRaises(runrewind.Error):
                run.define_metric(**kwargs)
        run.finish()

    def test_disabled_mode_writes_nothing_and_accepts_every_call(self):
        for how in ({"mode": "disabled"}, {"settings": runrewind.Settings(mode="disabled")}):
            run = self.init(**how)
            run.log({"a": 1})
            run.config.update({"b": 2})
            run.summary["c"] = 3
            run.define_metric("a", summary="min")
            run.log({"a": [1, 2]})
            self.assertTrue(run.disabled)
            self.assertTrue(os.path.isdir(run.dir))
            run.finish()
        self.assertFalse(os.path.exists(self.root))

    def test_second_init_returns_the_active_run_unless_reinit_says_otherwise(self):
        first = self.init(name="one")
        self.assertIs(self.init(name="two"), first)
        other = self.init(name="three", reinit="create_new")
        self.assertIsNot(other, first)
        self.assertIs(runrewind.run, first)
        other.finish()
        third = self.init(name="four", reinit="finish_previous")
        self.assertTrue(first._finished)
        self.assertIs(runrewind.run, third)
        third.finish()
        with self.assertRaises(errors.BadArgumentError):
            self.init(reinit="sometimes")

    def test_environment_variables_fill_what_init_does_not_say(self):
        env = {"WANDB_PROJECT": "envp", "WANDB_NAME": "envn", "WANDB_TAGS": "a, b", "WANDB_NOTES": "nn",
               "WANDB_RUN_GROUP": "g", "WANDB_JOB_TYPE": "train", "WANDB_RUN_ID": "envid1"}
        saved = dict((k, os.environ.get(k)) for k in env)
        os.environ.update(env)
        try:
            run = runrewind.init(dir=self.root)
            self._runs.append(run)
            run.finish()
            self.assertEqual((run.project, run.name, run.tags, run.notes, run.group, run.job_type, run.id),
                             ("envp", "envn", ("a", "b"), "nn", "g", "train", "envid1"))
            start = records(run.log_file)[0]
            self.assertEqual((start["group"], start["job_type"]), ("g", "train"))
            run = runrewind.init(dir=self.root, project="argp", id="argid1")
            self._runs.append(run)
            run.finish()
            self.assertEqual((run.project, run.id), ("argp", "argid1"))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def test_config_change_needs_allow_val_change_and_keys_lose_dashes(self):
        run = self.init(config={"lr": 0.1}, config_exclude_keys=["x"])
        with self.assertRaises(runrewind.sdk.lib.config_util.ConfigError):
            run.config.update({"lr": 0.2})
        run.config.update({"lr": 0.1})
        run.config.update({"lr": 0.3}, allow_val_change=True)
        run.config.update({"--dash-key": 1})
        self.assertEqual(run.config.as_dict(), {"lr": 0.3, "dash-key": 1})
        run.finish()
        run = self.init(config={"a": 1, "b": 2}, config_include_keys=["b"])
        self.assertEqual(run.config.as_dict(), {"b": 2})
        run.finish()

    def test_run_spec_steps_in_any_numeric_form(self):
        run = self.finished_run(300)
        for spec in ("200", "200.0", "2e2", " 200 "):
            rewound = self.init(resume_from="%s?_step=%s" % (run.id, spec))
            self.assertEqual(rewound.step, 201)
            rewound.finish()
        for bad in ("12.5", "-1", "nan", "inf", "x"):
            with self.assertRaises(errors.BadSpecError):
                self.init(resume_from="%s?_step=%s" % (run.id, bad))

    def test_identity_paths_and_no_ops(self):
        run = self.init(entity="me", group="g")
        self.assertEqual(run.path, "me/test/%s" % run.id)
        self.assertIsNone(run.url)
        self.assertEqual(run.starting_step, 0)
        run.tags = ("x",)
        run.notes = "n"
        run.alert("t", "text")
        run.mark_preempting()
        run.watch(None)
        run._label(code="x")
        with open(os.path.join(self.tmp, "model.h5"), "w") as f:
            f.write("weights")
        saved = run.save(os.path.join(self.tmp, "model.h5"))
        self.assertEqual(saved, [os.path.join(run.dir, "model.h5")])
        other = self.init(reinit="create_new")
        self.assertNotEqual(other.dir, run.dir)
        other.finish()
        run.finish()
        runrewind.termlog("x", repeat=False)
        self.assertTrue(runrewind.login())
        self.assertEqual(len(runrewind.util.generate_id()), 8)


class PackageSwitchTest(LogDirTest):
    def script(self, code, **env):
        full = dict(os.environ)
        full.pop("RUNREWIND_DIR", None)
        full.update(env)
        full["PYTHONPATH"] = os.pathsep.join([SHIM, PYTHON_DIR])
        return subprocess.run([sys.executable, "-c", code], cwd=self.tmp, env=full, capture_output=True, text=True,
                              timeout=60)

    def test_import_wandb_is_run_rewind_with_package_metadata(self):
        out = self.script(
            "import importlib.metadata as m, wandb, wandb.sdk.lib.telemetry, wandb.wandb_run\n"
            "from wandb.sdk.lib import RunDisabled\n"
            "import runrewind\n"
            "print(wandb.__version__, m.version('wandb'), wandb.init.__module__, wandb.wandb_run.Run is runrewind.Run,"
            " wandb.sdk.lib.config_util.ConfigError is runrewind.errors.ConfigError)")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.split(), ["0.31.0", "0.31.0+runrewind.0.1.0", "runrewind._wandb_compat",
                                              "True", "True"])

    def test_wandb_dir_is_a_parent_and_runrewind_dir_wins(self):
        code = ("import wandb\nrun = wandb.init(project='p', dir='out')\nrun.log({'a': 1})\n"
                "print(wandb.run.log_dir)\nrun.finish()")
        out = self.script(code)
        self.assertEqual(out.stdout.strip(), os.path.join(os.path.realpath(self.tmp), "out", ".runrewind"), out.stderr)
        out = self.script(code, RUNREWIND_DIR=self.root)
        self.assertEqual(out.stdout.strip(), self.root, out.stderr)
        self.assertTrue(any(p.endswith(".jsonl") for p in tree(self.root)))
