"""Values of every kind, as the protocol writes them."""

import math
import os
import warnings

import runrewind
from tests.helpers import LogDirTest, rows


class FakeScalar(object):
    """Stands for numpy/torch scalars and 0-d arrays/tensors: only ``.item()``."""

    def __init__(self, value):
        self.value = value

    def item(self):
        return self.value


class FakeArray(object):
    """Stands for an array of several values: ``.item()`` raises, as numpy's does."""

    def item(self):
        raise ValueError("can only convert an array of size 1 to a Python scalar")


class FakeImage(object):
    pass


class FloatSub(float):
    pass


class ValueTest(LogDirTest):
    def test_every_kind(self):
        run = self.init()
        run.log({"int": 3, "float": 0.5, "bool": True, "false": False, "nan": float("nan"),
                 "inf": float("inf"), "ninf": float("-inf"), "text": "warmup", "none": None})
        run.log({"np_float": FakeScalar(1.25), "np_int": FakeScalar(7), "np_bool": FakeScalar(True),
                 "tensor_nan": FakeScalar(float("nan")), "sub": FloatSub(2.5)})
        run.log({"nested": {"a": 1, "b": {"c": 2.5, "d": "x"}}, "top": 1})
        run.log({1: "int key"})
        run.finish()
        got = rows(run.log_file)
        self.assertEqual(got[0][1]["int"], 3)
        self.assertIs(got[0][1]["bool"], True)
        self.assertIs(got[0][1]["false"], False)
        self.assertTrue(math.isnan(got[0][1]["nan"]))
        self.assertEqual(got[0][1]["inf"], float("inf"))
        self.assertEqual(got[0][1]["ninf"], float("-inf"))
        self.assertEqual(got[0][1]["text"], "warmup")
        self.assertIsNone(got[0][1]["none"])
        self.assertEqual(got[1][1]["np_float"], 1.25)
        self.assertEqual(got[1][1]["np_int"], 7)
        self.assertIs(got[1][1]["np_bool"], True)
        self.assertTrue(math.isnan(got[1][1]["tensor_nan"]))
        self.assertEqual(got[1][1]["sub"], 2.5)
        self.assertEqual(got[2][1], {"nested.a": 1, "nested.b.c": 2.5, "nested.b.d": "x", "top": 1})
        self.assertEqual(got[3][1], {"1": "int key"})

    def test_non_finite_floats_are_written_bare(self):
        run = self.init()
        run.log({"nan": float("nan"), "inf": float("inf"), "ninf": -float("inf")})
        run.log({"nested": {"nan": float("nan")}, "x": FakeScalar(float("inf"))})
        run.finish()
        with open(run.log_file) as f:
            lines = f.read().split("\n")
        self.assertIn('"data": {"nan": NaN, "inf": Infinity, "ninf": -Infinity}', lines[1])
        self.assertIn('"data": {"nested.nan": NaN, "x": Infinity}', lines[2])

    def test_unsupported_values_are_skipped_with_one_warning_per_key(self):
        run = self.init()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for i in range(5):
                run.log({"img": FakeImage(), "hist": [1, 2, 3], "arr": FakeArray(), "loss": i,
                         "tbl": {"t": (1, 2)}})
        run.finish()
        messages = [str(w.message) for w in caught]
        for key in ("img", "arr"):
            self.assertEqual(sum(1 for m in messages if repr(key) in m), 1, (key, messages))
        # Lists (and tuples) of scalars are kept as lists, as wandb keeps them in history.
        self.assertEqual(rows(run.log_file),
                         [(i, {"hist": [1, 2, 3], "loss": i, "tbl.t": [1, 2]}) for i in range(5)])

    def test_summary_and_config(self):
        run = self.init(config={"lr": 0.1, "layers": [1, 2]})
        self.assertEqual(run.config.lr, 0.1)
        self.assertEqual(run.config["layers"], [1, 2])
        run.config.batch = 32
        run.config["opt"] = "adam"
        run.config.update({"seed": 1, "obj": FakeScalar(3)})
        run.log({"loss": 1.0})
        run.log({"loss": 0.5})
        self.assertEqual(run.summary["loss"], 0.5)
        run.summary["best"] = FakeScalar(0.25)
        run.summary.update({"epochs": 2})
        del run.summary["best"]
        run.finish()
        from tests.helpers import records
        recs = records(run.log_file)
        self.assertEqual(recs[0]["config"], {"lr": 0.1, "layers": [1, 2]})
        configs = [r["config"] for r in recs if r["type"] == "config"]
        self.assertEqual(configs, [{"batch": 32}, {"opt": "adam"}, {"seed": 1, "obj": 3}])
        summaries = [r["summary"] for r in recs if r["type"] == "summary"]
        self.assertEqual(summaries, [{"best": 0.25}, {"epochs": 2}, {"best": None}])

    def test_module_level_functions(self):
        run = runrewind.init(dir=self.root, project="m")
        self._runs.append(run)
        self.assertIs(runrewind.run, run)
        self.assertIs(runrewind.config, run.config)
        self.assertIs(runrewind.summary, run.summary)
        runrewind.log({"a": 1})
        runrewind.config.update({"b": 2})
        runrewind.finish()
        self.assertIsNone(runrewind.run)
        self.assertEqual(rows(run.log_file), [(0, {"a": 1})])
        with self.assertRaises(runrewind.RunRewindError):
            runrewind.log({"a": 2})

    def test_identity_and_rename(self):
        run = self.init(name="first", tags=["a"], notes="n")
        self.assertEqual(run.name, "first")
        self.assertEqual(run.project, "test")
        self.assertTrue(run.version_id.startswith("v") and len(run.version_id) == 13)
        self.assertEqual(run.immutable_id, run.version_id)
        self.assertEqual(len(run.id), 8)
        self.assertEqual(run.log_dir, self.root)
        # run.dir is the run version's own files directory (two runs' model.h5 never collide, nor a
        # rewind's with the version it replaced).
        self.assertEqual(run.dir, os.path.join(self.root, "files", run.id, run.version_id))
        self.assertTrue(os.path.isdir(run.dir))
        run.name = "second"
        run.finish()
        from tests.helpers import records
        recs = records(run.log_file)
        self.assertEqual(recs[0]["name"], "first")
        self.assertEqual(recs[0]["tags"], ["a"])
        self.assertEqual(recs[1], {"type": "rename", "time": recs[1]["time"], "run": run.id, "name": "second"})
        generated = self.init()
        parts = generated.name.split("-")
        self.assertEqual(len(parts), 3)
        self.assertTrue(parts[2].isdigit())
        generated.finish()

    def test_dir_from_environment(self):
        os.environ["RUNREWIND_DIR"] = os.path.join(self.tmp, "envdir")
        run = runrewind.init(project="e")
        self._runs.append(run)
        run.finish()
        self.assertTrue(run.log_file.startswith(os.path.join(self.tmp, "envdir", "runs", run.id)))
