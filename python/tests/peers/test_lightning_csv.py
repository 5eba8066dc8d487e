"""Lightning's CSVLogger (the real one, from the peers venv) writing short runs, imported by Run Rewind
through its command line (`--source`), and checked value by value against what Python's csv module reads
from the same metrics.csv: rows merged by step, hparams.yaml as config; a file rewritten with a new column
while it was being read (the same run, no rewind), and a writer resumed from a checkpoint into the same
version folder, which removes and rewrites the file from an earlier step (a rewind here)."""

import csv
import json
import logging
import os
import unittest
import warnings

import peers

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger

logging.getLogger("lightning").setLevel(logging.ERROR)
logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
warnings.filterwarnings("ignore")


def oracle(path):
    """{step: {column: float}} as the csv module reads metrics.csv (empty cells left out, rows of a step merged)."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            step = int(row.pop("step"))
            out.setdefault(step, {}).update({k: float(v) for k, v in row.items() if v != ""})
    return out


class Tiny(L.LightningModule):
    def __init__(self, lr=0.05, hidden=3, label="tiny", shape=(2, 1)):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1))

    def training_step(self, batch, _):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        # A metric that appears late: the logger rewrites the whole file with the new header.
        if self.global_step >= 11:
            self.log("late_metric", float(self.global_step) / 3)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def loader(seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(32, 2, generator=g)
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, x.sum(1, keepdim=True) * 0.5), batch_size=4)


def trainer(root, epochs, callbacks=(), version=None):
    return L.Trainer(max_epochs=epochs, log_every_n_steps=1, logger=CSVLogger(root, name="lightning_logs", version=version, flush_logs_every_n_steps=4),
                     callbacks=list(callbacks), enable_progress_bar=False, enable_model_summary=False, accelerator="cpu",
                     default_root_dir=root)


class LightningCsvImportTest(peers.ImportTest):
    SOURCE = "lightning_logs"

    def setUp(self):
        torch.manual_seed(0)
        super().setUp()
        self.version_dir = os.path.join(self.root, "version_0")

    history = peers.ImportTest.values_by_step

    def test_csv_logger_run_values_config_and_live_rewrites(self):
        seen = []
        test = self

        class Import(Callback):
            """Imports the file as it is between saves (the state is kept in the CLI's cache)."""
            def on_train_batch_end(self, trainer, *_):
                if trainer.global_step in (5, 9, 13, 17) and os.path.exists(os.path.join(test.version_dir, "metrics.csv")):
                    seen.append(len(test.runs(cache=True)))

        trainer(self.tmp, 3, [Import()]).fit(Tiny(), loader(1), loader(2))
        metrics = os.path.join(self.version_dir, "metrics.csv")
        self.assertTrue(seen and all(n == 1 for n in seen), seen)
        expected = oracle(metrics)
        with open(metrics, newline="") as f:
            self.assertIn("late_metric", next(csv.reader(f)))
        # The listing names the origin as the Runs view does.
        self.assertIn("Lightning CSV", peers.cli_sources(self.logs, [self.root], "list"))
        for cache in (True, False):
            runs = self.runs(cache=cache)
            self.assertEqual(list(runs), [self.version_dir])
            run = runs[self.version_dir]
            self.assertEqual(run["origin"]["kind"], "lightning")
            self.assertEqual(run["name"], "version_0")
            self.assertEqual(run["project"], "lightning_logs")
            # The file was rewritten with a new header while it was read: no rewind came of it.
            self.assertEqual(len(run["versions"]), 1, run["versions"])
            self.assertEqual(self.history(run["id"], cache=cache), expected)
        shown = json.loads(peers.cli_sources(self.logs, [self.root], "show", run["id"], "--json"))
        # hparams.yaml (PyYAML's dump, with a !!python/tuple) as the config.
        self.assertEqual(shown["config"], {"lr": 0.05, "hidden": 3, "label": "tiny", "shape": [2, 1]})
        with open(os.path.join(self.version_dir, "hparams.yaml")) as f:
            self.assertIn("!!python/tuple", f.read())
        # The Trainer's own checkpoint (version_0/checkpoints/epoch=2-step=24.ckpt) is a model artifact at
        # the step of the last row before it: 24 optimizer steps done are rows 0..23.
        (ckpt,) = os.listdir(os.path.join(self.version_dir, "checkpoints"))
        self.assertEqual(ckpt, "epoch=2-step=24.ckpt")
        artifacts = json.loads(peers.cli_sources(self.logs, [self.root], "artifacts", run["id"], "--json"))
        self.assertEqual([(a["action"], a["type"], a["step"], a["checkpoint_step"], a["metadata"]["path"]) for a in artifacts],
                         [("log", "model", 23, 23, os.path.join(self.version_dir, "checkpoints", ckpt))])
        self.assertEqual(max(expected), 23)
        # Read where they are: nothing was written under the source (Lightning's own checkpoints aside).
        for dp, _, fs in os.walk(self.root):
            for f in fs:
                self.assertTrue(f in ("metrics.csv", "hparams.yaml") or f.endswith(".ckpt"), f)

    def test_resumed_writer_rewrites_from_an_earlier_step_is_a_rewind(self):
        ckpt = ModelCheckpoint(dirpath=os.path.join(self.tmp, "ckpt"), save_top_k=-1, every_n_epochs=1)
        trainer(self.tmp, 2, [ckpt]).fit(Tiny(), loader(1), loader(2))
        metrics = os.path.join(self.version_dir, "metrics.csv")
        first = oracle(metrics)
        self.assertEqual(max(first), 15)
        # Checkpoints saved elsewhere (ModelCheckpoint(dirpath=...)) are not the run's: only version_0/checkpoints is.
        self.assertEqual(json.loads(peers.cli_sources(self.logs, [self.root], "artifacts", self.runs()[self.version_dir]["id"], "--json")), [])
        self.runs(cache=True)
        # Resume from the end of epoch 0 (step 8) into the same version folder: Lightning removes
        # metrics.csv and writes from step 8 again.
        epoch0 = sorted(f for f in os.listdir(os.path.join(self.tmp, "ckpt")) if f.startswith("epoch=0"))[0]
        trainer(self.tmp, 3, version=0).fit(Tiny(), loader(1), loader(2), ckpt_path=os.path.join(self.tmp, "ckpt", epoch0))
        second = oracle(metrics)
        self.assertEqual(min(second), 8)
        for cache in (True, False):
            run = self.runs(cache=cache)[self.version_dir]
            if not cache:
                # Read afresh, only the file as it is now exists: one version, the second writer's rows.
                self.assertEqual(len(run["versions"]), 1)
                self.assertEqual(self.history(run["id"]), second)
                continue
            archived = [v for v in run["versions"] if v["archived"]]
            live = [v for v in run["versions"] if v["live"]][0]
            self.assertEqual(len(archived), 1)
            self.assertEqual(live["parent"], archived[0]["id"])
            self.assertEqual(live["branch_step"], 7)
            self.assertEqual(self.history(run["id"], archived[0]["id"], cache=True), first)
            shared = {s: v for s, v in first.items() if s <= 7}
            shared.update(second)
            self.assertEqual(self.history(run["id"], cache=True), shared)


if __name__ == "__main__":
    unittest.main()
