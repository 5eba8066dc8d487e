"""W&B offline runs written by the real wandb (WANDB_MODE=offline, no network), imported by Run Rewind
through its command line (`--source`) and checked value by value against what wandb's own protobuf
classes read from the same .wandb files (peers.read_wandb: the file's framing, each record parsed by
wandb_internal_pb2.Record; the CRC of every physical record is checked here too): a plain run with config,
summary, history and console output, a run started with resume_from (a rewind of the same run id) and one
with fork_from (a new run). wandb 0.31 accepts both offline and writes the branch point in the run record;
Run Rewind shows them as an archived version and a fork with its Forked From, which W&B itself shows only
after a sync."""

import glob
import json
import math
import os
import shutil
import struct
import tempfile
import textwrap
import unittest
import zlib

import peers

PLAIN = textwrap.dedent("""
    import math, wandb
    run = wandb.init(project="wbo", name="plain", config={"lr": 0.01, "layers": [1, 2], "opt": {"name": "adam"}},
                     tags=["a", "b"], notes="first")
    for step in range(40):
        run.log({"loss": 1 / (step + 1), "acc": 1 - math.exp(-step / 10), "nested": {"x": step * 2},
                 "word": "w%d" % step, "flag": step % 2 == 0, "bad": float("nan") if step == 7 else step})
        print("line", step)
    run.summary["best"] = 0.125
    run.config.update({"extra": 3})
    run.finish()
    print("ID", run.id)
""")

BRANCH = textwrap.dedent("""
    import sys, wandb
    how, spec = sys.argv[1], sys.argv[2]
    kw = {"resume_from": spec} if how == "rewind" else {"fork_from": spec}
    run = wandb.init(project="wbo", config={"lr": 0.5}, **kw)
    for step in range(21, 30):
        run.log({"loss": 100 + step}, step=step)
    run.finish(exit_code=2 if how == "fork" else 0)
    print("ID", run.id)
""")


def same(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b and type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                              and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def check_crcs(path):
    """Every physical record's checksum is zlib's CRC-32 of its type byte and data (what our reader checks)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:7] == b":W&B" + struct.pack("<HB", 0xBEE1, 0), data[:7]
    pos, n = 7, 0
    while pos + 7 <= len(data):
        left = 32768 - pos % 32768
        if left < 7:
            pos += left
            continue
        crc, length, kind = struct.unpack("<IHB", data[pos:pos + 7])
        assert crc == zlib.crc32(bytes([kind]) + data[pos + 7:pos + 7 + length]) & 0xFFFFFFFF, (path, pos)
        pos += 7 + length
        n += 1
    return n


class WandbOfflineImportTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="runrewind-wbo-")
        cls.logs = os.path.join(cls.tmp, "logs")
        cls.wandb = os.path.join(cls.tmp, "wandb")
        with open(os.path.join(cls.tmp, "plain.py"), "w") as f:
            f.write(PLAIN)
        with open(os.path.join(cls.tmp, "branch.py"), "w") as f:
            f.write(BRANCH)
        console = {"WANDB_CONSOLE": "wrap"}
        cls.base = cls.script(["plain.py"], console)
        cls.rewound = cls.script(["branch.py", "rewind", "%s?_step=20" % cls.base])
        cls.fork = cls.script(["branch.py", "fork", "%s?_step=10" % cls.base])
        cls.real = {r["id"]: r for r in peers.read_wandb(cls.tmp)}
        cls.folders = sorted(glob.glob(os.path.join(cls.wandb, "offline-run-*")))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def script(cls, argv, extra=None):
        out = peers.run_script("wandb", cls.tmp, argv, extra_env=extra)
        if out.returncode != 0:
            raise AssertionError("wandb script %s failed: %s%s" % (argv, out.stdout, out.stderr))
        ids = [line.split()[1] for line in out.stdout.splitlines() if line.startswith("ID ")]
        return ids[-1]

    def json(self, *args):
        return json.loads(peers.cli_sources(self.logs, [self.wandb], *args))

    def history(self, run, version=None):
        return self.json("history", run, "--json", *(["--version", version] if version else []))

    def test_files_are_wandbs_format(self):
        self.assertEqual(len(self.folders), 3)
        for folder in self.folders:
            for path in glob.glob(os.path.join(folder, "run-*.wandb")):
                self.assertGreater(check_crcs(path), 10)

    def test_plain_run_values_equal_wandbs_own_reading(self):
        real = self.real[self.base]
        run = self.json("show", "wb-" + self.base, "--json")
        self.assertEqual(run["origin"]["kind"], "wandb")
        self.assertEqual(run["name"], "plain")
        self.assertEqual(run["project"], "wbo")
        self.assertEqual(run["tags"], ["a", "b"])
        self.assertEqual(run["notes"], "first")
        # The first writer's version is archived by the rewind: its history is the plain run's whole.
        archived = [v for v in run["versions"] if v["archived"]]
        self.assertEqual(len(archived), 1)
        rows = self.history("wb-" + self.base, archived[0]["id"])
        real_rows = [r for r in real["history"] if r.get("_step", 0) <= 39][:40]
        self.assertEqual(len(rows), 40)
        compared = 0
        for ours, theirs in zip(rows, real_rows):
            self.assertEqual(ours["_step"], theirs["_step"])
            self.assertAlmostEqual(ours["_timestamp"], theirs["_timestamp"], places=3)
            for key, value in theirs.items():
                if key.startswith("_"):
                    continue
                self.assertIn(key, ours, "step %s" % theirs["_step"])
                self.assertTrue(same(peers.json_number(ours[key]), value), "%s at step %s: ours %r, wandb %r"
                                % (key, theirs["_step"], ours[key], value))
                compared += 1
            self.assertEqual(sorted(k for k in ours if not k.startswith("_")), sorted(k for k in theirs if not k.startswith("_")))
        self.assertEqual(compared, 40 * 6)
        # Config (run record and config updates, wandb's own _wandb left out) and the explicit summary.
        # (wandb's reading adds up both writers of the run id, so its lr is the rewind's 0.5.)
        config = {k: v for k, v in real["config"].items() if k != "_wandb"}
        self.assertEqual(config, {"lr": 0.5, "layers": [1, 2], "opt": {"name": "adam"}, "extra": 3})
        first = self.json("show", archived[0]["id"], "--json")
        self.assertEqual(first["config"], dict(config, lr=0.01))
        self.assertEqual(first["summary"]["best"], 0.125)
        self.assertEqual(real["summary"]["best"], 0.125)
        # Console lines from wandb's output records.
        lines = self.json("console", archived[0]["id"], "--json")
        texts = [l["text"] for l in lines]
        self.assertEqual([t for t in texts if t.startswith("line ")], ["line %d" % s for s in range(40)])

    def test_resume_from_is_a_rewind_with_the_archived_version_kept(self):
        run = self.json("show", "wb-" + self.base, "--json")
        live = [v for v in run["versions"] if v["live"]][0]
        self.assertEqual(live["kind"], "rewind")
        self.assertEqual(live["branch_step"], 20)
        self.assertEqual(live["exit_code"], 0)
        rows = self.history("wb-" + self.base)
        self.assertEqual([r["_step"] for r in rows], list(range(0, 30)))
        base_loss = [r["loss"] for r in self.real[self.base]["history"] if "acc" in r]
        self.assertEqual([r["loss"] for r in rows[:21]], base_loss[:21])
        # After the branch step: the resumed writer's values (wandb's reader sees them in the second file).
        theirs = [r for r in self.real[self.base]["history"] if "acc" not in r]
        self.assertEqual([(r["_step"], r["loss"]) for r in rows[21:]], [(r["_step"], r["loss"]) for r in theirs])
        self.assertEqual(run["config"]["lr"], 0.5)

    def test_fork_from_is_a_fork_with_forked_from(self):
        real = self.real[self.fork]
        run = self.json("show", "wb-" + self.fork, "--json")
        self.assertEqual(run["forked_from"]["run"], "wb-" + self.base)
        self.assertEqual(run["forked_from"]["step"], 10)
        self.assertEqual(run["state"], "failed")
        rows = self.history("wb-" + self.fork)
        # Steps 0..10 inherited from the version that was live when the fork started, then its own.
        self.assertEqual([r["_step"] for r in rows], list(range(0, 11)) + list(range(21, 30)))
        self.assertEqual([r["loss"] for r in rows[11:]], [r["loss"] for r in real["history"]])
        self.assertEqual([r["loss"] for r in rows[:11]], [1 / (s + 1) for s in range(11)])

    def test_listed_with_their_origin(self):
        listed = {r["id"]: r for r in self.json("list", "--json")}
        self.assertEqual(set(listed), {"wb-" + self.base, "wb-" + self.fork})
        for r in listed.values():
            self.assertEqual(r["origin"]["kind"], "wandb")
        out = peers.cli_sources(self.logs, [self.wandb], "list")
        self.assertIn("W&B offline", out)


if __name__ == "__main__":
    unittest.main()
