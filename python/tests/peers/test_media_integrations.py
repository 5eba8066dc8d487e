"""Framework media and artifact calls end to end with `import wandb` resolved to Run Rewind: Lightning's
log_image / log_table and log_model="all" checkpoint artifacts, read back from the log directory (the
records, the content-addressed files, the artifact versions and a download of the best checkpoint); and
transformers' WandbCallback with WANDB_LOG_MODEL=checkpoint, whose checkpoint artifacts a rewind can go to;
and Ultralytics' own wandb callback training a YOLOv8n offline (its plots as images, its curves as tables
with their chart hint, the best weights as a model artifact), rewound to that checkpoint and continued
from its weights."""

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import peers

SCRIPTS = os.path.join(peers.HERE, "scripts")


def records(root, kind):
    out = []
    for path in sorted(glob.glob(os.path.join(root, "runs", "*", "*.jsonl"))):
        with open(path) as f:
            out += [r for r in map(json.loads, f) if r["type"] == kind]
    return out


class LightningMediaTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runrewind-media-int-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_log_image_log_table_and_checkpoint_artifacts(self):
        work = os.path.join(self.tmp, "work")
        proc = peers.run_script("runrewind", work, [os.path.join(SCRIPTS, "lightning_media.py"), os.path.join(self.tmp, "ckpts")],
                                extra_env={"PYTHONPATH": os.pathsep.join([peers.SHIM_DIR, peers.PYTHON_DIR, SCRIPTS])})
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        root = os.path.join(work, "logs")
        media = records(root, "media")
        images = [m for m in media if m["key"] == "samples"]
        self.assertEqual(len(images), 3, "sanity check + two epochs")
        self.assertEqual([(i["width"], i["height"], i["caption"]) for i in images[-1]["items"]], [(6, 8, "np"), (5, 4, "torch")])
        tables = [m for m in media if m["key"] == "preds"]
        self.assertEqual(tables[-1]["items"][0]["columns"], ["x", "y"])
        for m in media:
            for item in m["items"]:
                path = os.path.join(root, "media", item["sha256"][:2], "%s.%s" % (item["sha256"], item["format"]))
                self.assertEqual(os.path.getsize(path), item["size"])
        arts = records(root, "artifact")
        self.assertEqual([a["version"] for a in arts], ["v0", "v1"])
        self.assertTrue(all(a["artifact_type"] == "model" and "latest" in a["aliases"] for a in arts))
        # Read the best checkpoint back in another process, as Lightning's docs do.
        run_id = proc.stdout.split("RUN_ID ")[1].split()[0]
        reader = subprocess.run([sys.executable, "-c", (
            "import wandb, torch\n"
            "run = wandb.init(project='lightning-media')\n"
            "art = run.use_artifact('model-%s:best', type='model')\n"
            "path = art.download()\n"
            "ckpt = torch.load(path + '/model.ckpt', weights_only=False)\n"
            "print('EPOCH', ckpt['epoch'], art.version)\n"
            "run.finish()\n") % run_id], cwd=work, env=dict(peers.base_env(work), PYTHONPATH=os.pathsep.join([peers.SHIM_DIR, peers.PYTHON_DIR]),
                                                          RUNREWIND_DIR=root), capture_output=True, text=True, timeout=120)
        self.assertEqual(reader.returncode, 0, reader.stderr[-3000:])
        self.assertIn("EPOCH", reader.stdout)


class TransformersLogModelTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runrewind-hf-model-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_wandb_log_model_checkpoint_artifacts_are_the_runs_checkpoints(self):
        work = os.path.join(self.tmp, "work")
        out = os.path.join(self.tmp, "out")
        proc = peers.run_script("runrewind", work, [os.path.join(SCRIPTS, "hf_log_model.py"), out],
                                extra_env={"PYTHONPATH": os.pathsep.join([peers.SHIM_DIR, peers.PYTHON_DIR, SCRIPTS]),
                                           "WANDB_LOG_MODEL": "checkpoint"})
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        root = os.path.join(work, "logs")
        run_id = proc.stdout.split("RUN_ID ")[1].split()[0]
        arts = records(root, "artifact")
        # transformers 5 logs the initial model, a model artifact per saved checkpoint (an epoch is 6
        # optimizer steps) and the final model, all as versions of model-<run name>, the files kept.
        name = "model-tiny-bert-ckpt"
        self.assertEqual([(a["name"], a["version"], a["artifact_type"]) for a in arts], [(name, "v%d" % i, "model") for i in range(4)])
        self.assertEqual([a["aliases"][1:] for a in arts],
                         [["base_model"], ["epoch_1.0", "checkpoint_global_step_6"], ["epoch_2.0", "checkpoint_global_step_12"], ["final_model"]])
        self.assertTrue(all(a["files"] > 0 for a in arts))
        # The ones logged at a step are the run's checkpoints (the initial model, logged before any step,
        # is not): the command line marks them, and a rewind to the one of epoch 1 names it.
        listed = json.loads(peers.cli(root, "artifacts", run_id, "--json"))
        self.assertEqual([(a["version"], a["checkpoint_step"]) for a in listed], [("v0", None), ("v1", 3), ("v2", 7), ("v3", 8)])
        out = peers.cli(root, "rewind", run_id, "--step", "5", "--to-checkpoint")
        self.assertIn("to step 3", out)
        self.assertIn("%s:v1" % name, out)

class UltralyticsTest(unittest.TestCase):
    """The real Ultralytics (installed on top of this venv by scripts/install-python-ultralytics.sh) with
    `settings.update({"wandb": True})`, nothing fetched: the model from yolov8n.yaml, the dataset made by
    the script, the font it wants copied into its config folder, AMP off (its check downloads weights)."""

    @classmethod
    def setUpClass(cls):
        out = subprocess.run(["bash", os.path.join(peers.REPO, "scripts", "install-python-ultralytics.sh"), sys.executable],
                             capture_output=True, text=True, timeout=900)
        if out.returncode != 0:
            raise AssertionError("installing Ultralytics failed: %s" % out.stderr[-3000:])
        cls.site = out.stdout.strip().splitlines()[-1]

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runrewind-ultralytics-")
        self.work = os.path.join(self.tmp, "work")
        self.root = os.path.join(self.work, "logs")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_train(self, *argv):
        proc = peers.run_script("runrewind", self.work, [os.path.join(SCRIPTS, "ultralytics_train.py")] + list(argv), extra_env={
            "PYTHONPATH": os.pathsep.join([peers.SHIM_DIR, peers.PYTHON_DIR, self.site]),
            "YOLO_CONFIG_DIR": os.path.join(self.work, "yolo-config"), "YOLO_OFFLINE": "1", "MPLBACKEND": "Agg"})
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        self.assertNotIn("NETWORK", proc.stderr, "something tried to reach the network")
        return proc

    def media(self, run_id, key):
        return json.loads(peers.cli(self.root, "media", run_id, "--key", key, "--json"))

    def test_plots_curves_and_model_artifact_then_rewind_to_it(self):
        self.run_train("new")
        [run_id] = os.listdir(os.path.join(self.root, "runs"))
        save_dir = os.path.join(self.work, "yolo", "tiny")
        # Every plot the callback logged is the file Ultralytics wrote, kept by its content.
        images = [m for m in records(self.root, "media") if m["kind"] == "image"]
        keys = {m["key"] for m in images}
        for key in ("labels", "train_batch0", "val_batch0_pred", "confusion_matrix", "BoxPR_curve", "results"):
            self.assertIn(key, keys)
        for m in images:
            [item] = m["items"]
            stored = os.path.join(self.root, "media", item["sha256"][:2], "%s.%s" % (item["sha256"], item["format"]))
            with open(stored, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), item["sha256"])
            self.assertEqual(os.path.getsize(stored), item["size"])
        with open(os.path.join(save_dir, "results.png"), "rb") as f:
            results = hashlib.sha256(f.read()).hexdigest()
        [entry] = self.media(run_id, "results")
        self.assertEqual(entry["items"][0]["sha256"], results)
        self.assertEqual((entry["items"][0]["width"], entry["items"][0]["height"]), (2400, 1200))
        # The precision-recall and confidence curves: wandb.plot_table of the area-under-curve spec,
        # 100 points of the mean and 100 of the one class, with the hint the table card draws.
        curves = sorted(m["key"] for m in records(self.root, "media") if m["kind"] == "table")
        self.assertEqual(curves, ["curves/F1-Confidence(B)", "curves/Precision-Confidence(B)", "curves/Precision-Recall(B)", "curves/Recall-Confidence(B)"])
        [pr] = self.media(run_id, "curves/Precision-Recall(B)")
        item = pr["items"][0]
        self.assertEqual((item["columns"], item["rows"]), (["class", "y", "x"], 200))
        self.assertEqual(item["chart"], {"type": "custom", "spec": "wandb/area-under-curve/v0", "fields": {"x": "x", "y": "y", "class": "class"},
                                         "string_fields": {"title": "Precision-Recall(B)", "x-axis-title": "Recall", "y-axis-title": "Precision"},
                                         "title": "Precision-Recall(B)"})
        with open(item["file"]) as f:
            table = json.load(f)
        self.assertEqual(sorted({row[0] for row in table["data"]}), ["box", "mean"])
        # The best weights: one model artifact, aliases latest and best, at the last step before the
        # final plots (the one a rewind to the checkpoint goes to), the file kept byte for byte.
        history = json.loads(peers.cli(self.root, "history", run_id, "--json"))
        self.assertEqual([r["_step"] for r in history], [0, 1, 2, 3])
        name = "run_%s_model" % run_id
        [art] = json.loads(peers.cli(self.root, "artifacts", run_id, "--json"))
        self.assertEqual((art["name"], art["version"], art["type"], art["aliases"], art["step"], art["checkpoint_step"], art["files"]),
                         (name, "v0", "model", ["latest", "best"], 2, 2, 1))
        self.assertEqual(art["size"], os.path.getsize(os.path.join(save_dir, "weights", "best.pt")))
        # Rewind to it (no --step: the newest checkpoint before the last step), then continue from its
        # weights: the callback logs into the resumed run, after the inherited steps 0-2.
        out = peers.cli(self.root, "rewind", run_id, "--to-checkpoint")
        self.assertIn("to step 2", out)
        self.assertIn('run.use_artifact("%s:v0").download()' % name, out)
        proc = self.run_train("resume", run_id)
        self.assertIn("RESUMED_FROM v0 3", proc.stdout)
        history = json.loads(peers.cli(self.root, "history", run_id, "--json"))
        self.assertEqual([r["_step"] for r in history], [0, 1, 2, 3, 4, 5])
        self.assertEqual([r.get("epoch") for r in history[:3]], [1, 2, 3])
        arts = json.loads(peers.cli(self.root, "artifacts", run_id, "--json"))
        self.assertEqual([(a["action"], a["version"], a["inherited"]) for a in arts], [("log", "v0", True), ("use", "v0", False), ("log", "v1", False)])
        self.assertEqual(arts[2]["aliases"], ["latest", "best"])
        # The archived version keeps the original plots after step 2; the live one shares steps 0-2.
        labels = self.media(run_id, "labels")
        self.assertEqual([(e["step"], e["inherited"]) for e in labels], [(0, True), (3, False)])
        self.assertEqual([e["step"] for e in self.media(run_id, "results")], [5])


if __name__ == "__main__":
    unittest.main()
