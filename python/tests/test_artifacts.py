"""Artifacts kept locally: versions v0, v1… per name, aliases (latest moves), content-addressed objects
stored once, downloads made of links, references recorded and never fetched, the `artifact` records of
the runs that logged and used a version, and an artifact staying with the version that logged it across a
rewind."""

import glob
import json
import os

import runrewind
from runrewind import _artifacts
from runrewind.errors import BadArgumentError, Error
from tests.helpers import LogDirTest, log_files, records


def artifact_records(path):
    return [r for r in records(path) if r["type"] == "artifact"]


class ArtifactTest(LogDirTest):
    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_versions_aliases_dedup_and_download(self):
        run = self.init(id="trainer")
        ckpt = self.write("ckpt/model.pt", "weights-1")
        art = runrewind.Artifact("model-trainer", type="model", metadata={"step": 0})
        art.add_file(ckpt)
        run.log_artifact(art, aliases=["best"])
        self.assertEqual((art.version, art.aliases), ("v0", ["best", "latest"]))
        run.log({"loss": 1.0})
        # The same content again: the same version, as wandb.
        again = runrewind.Artifact("model-trainer", type="model")
        again.add_file(ckpt)
        run.log_artifact(again)
        self.assertEqual(again.version, "v0")
        self.write("ckpt/model.pt", "weights-2")
        third = runrewind.Artifact("model-trainer", type="model")
        third.add_dir(os.path.join(self.tmp, "ckpt"))
        with third.new_file("notes/readme.txt") as f:
            f.write("hello")
        third.add_reference("s3://bucket/data.tar", name="data")
        run.log_artifact(third)
        self.assertEqual(third.version, "v1")
        self.assertEqual(sorted(third.manifest), ["data", "model.pt", "notes/readme.txt"])
        self.assertEqual(third.manifest["data"], {"ref": "s3://bucket/data.tar"})
        run.finish()

        objects = glob.glob(os.path.join(self.root, "objects", "*", "*"))
        self.assertEqual(len(objects), 3, "weights-1, weights-2 and the readme, each stored once")
        recs = artifact_records(log_files(self.root)[0])
        self.assertEqual([(r["action"], r["version"], r["step"], r["aliases"]) for r in recs],
                         [("log", "v0", None, ["latest", "best"]), ("log", "v0", 0, ["latest"]), ("log", "v1", 0, ["latest"])])

        user = self.init(id="evaluator")
        self.assertEqual(user.use_artifact("model-trainer:best").version, "v0")
        self.assertEqual(user.use_artifact("me/project/model-trainer:v1").version, "v1")
        latest = user.use_artifact("model-trainer", type="model")
        self.assertEqual(latest.version, "v1")
        folder = latest.download(os.path.join(self.tmp, "dl"))
        with open(os.path.join(folder, "model.pt")) as f:
            self.assertEqual(f.read(), "weights-2")
        self.assertFalse(os.path.exists(os.path.join(folder, "data")), "a reference is not fetched")
        linked = os.stat(os.path.join(folder, "model.pt"))
        stored = os.stat(latest.get_path("model.pt"))
        self.assertEqual((linked.st_ino, linked.st_dev), (stored.st_ino, stored.st_dev), "a hard link, not a copy")
        with self.assertRaisesRegex(Error, "has no version or alias 'v7'"):
            user.use_artifact("model-trainer:v7")
        with self.assertRaisesRegex(Error, "no artifact named 'nothing'"):
            user.use_artifact("nothing:latest")
        with self.assertRaisesRegex(Error, "type is 'model', not 'dataset'"):
            user.use_artifact("model-trainer", type="dataset")
        user.finish()
        uses = artifact_records(log_files(self.root, "evaluator")[0])
        self.assertEqual([(r["action"], r["version"], r["source_run"]) for r in uses],
                         [("use", "v0", "trainer"), ("use", "v1", "trainer"), ("use", "v1", "trainer")])

    def test_bad_names_and_paths(self):
        with self.assertRaisesRegex(BadArgumentError, "a name is 1 to 128 letters"):
            runrewind.Artifact("bad name", type="model")
        with self.assertRaisesRegex(BadArgumentError, "the type must be a non-empty string"):
            runrewind.Artifact("ok", type="")
        art = runrewind.Artifact("ok", type="dataset")
        with self.assertRaisesRegex(ValueError, "not a file"):
            art.add_file(os.path.join(self.tmp, "missing"))
        with self.assertRaisesRegex(ValueError, "relative path inside the artifact"):
            art.add_file(self.write("x.txt", "x"), name="../x.txt")
        with self.assertRaisesRegex(Error, "not logged yet"):
            art.download()

    def test_log_artifact_of_a_path_and_two_writers_never_share_a_number(self):
        run = self.init()
        path = self.write("data/train.csv", "a,b\n1,2\n")
        art = run.log_artifact(os.path.join(self.tmp, "data"), type="dataset")
        self.assertEqual((art.name, art.version, art.files()), ("data", "v0", ["train.csv"]))
        # A version file someone else made meanwhile: the next number is taken.
        with open(os.path.join(self.root, "artifacts", "data", "v1.json"), "w") as f:
            json.dump({"n": 1, "version": "v1", "digest": "other", "name": "data"}, f)
        self.write("data/train.csv", "a,b\n3,4\n")
        self.assertEqual(run.log_artifact(os.path.join(self.tmp, "data"), type="dataset").version, "v2")
        run.finish()
        self.assertTrue(os.path.exists(path))

    def test_an_artifact_stays_with_the_version_that_logged_it_across_a_rewind(self):
        run = self.init(id="pre")
        for step in range(4):
            run.log({"loss": step})
            if step in (1, 3):
                ckpt = runrewind.Artifact("ckpt-pre", type="checkpoint")
                ckpt.add_file(self.write("c%d.pt" % step, "step %d" % step))
                run.log_artifact(ckpt)
        run.finish()
        rewound = self.init(resume_from="pre?_step=2")
        art = rewound.use_artifact("ckpt-pre:v0")
        self.assertEqual((art.source_version, art.step), (run.version_id, 1))
        rewound.finish()
        # The manifests name the version that logged them; the new live version's log names only its use.
        docs = _artifacts.list_versions(self.root, "ckpt-pre")
        self.assertEqual([(d["version"], d["run_version"], d["step"]) for d in docs], [("v0", run.version_id, 1), ("v1", run.version_id, 3)])
        first, second = log_files(self.root, "pre")
        self.assertEqual([r["action"] for r in artifact_records(first)], ["log", "log"])
        self.assertEqual([r["action"] for r in artifact_records(second)], ["use"])
