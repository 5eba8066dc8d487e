"""log() of numpy values with the real numpy: the hot path's per-type converters (runrewind._values
NUMERIC) write exactly what the general path writes — the value of ``.item()`` as a JSON int, float or
bool — and never take an array, a string or a complex for a scalar."""

import json
import math
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

import numpy as np  # noqa: E402

import runrewind  # noqa: E402
from runrewind import _values  # noqa: E402


def logged_rows(root):
    rows = []
    for dirpath, _dirs, files in os.walk(os.path.join(root, "runs")):
        for name in sorted(files):
            with open(os.path.join(dirpath, name)) as f:
                rows += [r["data"] for r in map(json.loads, f) if r["type"] == "row"]
    return rows


class NumpyLogTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="runrewind-numpy-")
        self.addCleanup(shutil.rmtree, self.root, True)

    def log(self, *dicts):
        run = runrewind.init(project="numpy", dir=self.root, reinit="create_new", console="off")
        for d in dicts:
            run.log(d)
        run.finish()
        return logged_rows(self.root)

    def test_scalars_are_written_as_their_item(self):
        values = {"f32": np.float32(0.1), "f16": np.float16(0.3), "f64": np.float64(1 / 3), "i8": np.int8(-7),
                  "u64": np.uint64(2 ** 63), "i64": np.int64(3), "b": np.bool_(True), "nan": np.float32("nan"),
                  "inf": np.float64("inf"), "plain": 2.5}
        got = self.log(values, values)
        for row in got:
            for key, v in values.items():
                want = v.item() if hasattr(v, "item") else v
                if isinstance(want, float) and math.isnan(want):
                    self.assertTrue(math.isnan(row[key]), key)
                else:
                    self.assertEqual(row[key], want, key)
                    self.assertIs(type(row[key]), type(want), key)
        for t in (np.float32, np.float16, np.float64, np.int8, np.uint64, np.int64, np.bool_):
            self.assertIn(t, _values.NUMERIC)

    def test_arrays_strings_and_complex_take_the_general_path(self):
        got = self.log({"zero_d": np.array(2.5), "vec": np.array([1.0, 2.0]), "s": np.str_("warmup"),
                        "c": np.complex64(1 + 2j), "ok": np.float32(1.5)})
        self.assertEqual(got[0]["zero_d"], 2.5)
        self.assertEqual(got[0]["vec"], [1.0, 2.0])
        self.assertEqual(got[0]["s"], "warmup")
        self.assertNotIn("c", got[0])  # skipped with a warning, as before
        self.assertEqual(got[0]["ok"], 1.5)
        for t in (np.ndarray, np.str_, np.complex64):
            self.assertNotIn(t, _values.NUMERIC)

    def test_the_callers_dict_is_left_as_it_was(self):
        d = {"loss": np.float32(0.25)}
        self.log(d)
        self.assertIs(type(d["loss"]), np.float32)


if __name__ == "__main__":
    unittest.main()
