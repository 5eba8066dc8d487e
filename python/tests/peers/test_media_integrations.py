"""Framework media and artifact calls end to end with `import wandb` resolved to Run Rewind: Lightning's
log_image / log_table and log_model="all" checkpoint artifacts, read back from the log directory (the
records, the content-addressed files, the artifact versions and a download of the best checkpoint); and
transformers' WandbCallback with WANDB_LOG_MODEL=checkpoint, whose checkpoint artifacts a rewind can go to."""

import glob
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

if __name__ == "__main__":
    unittest.main()
