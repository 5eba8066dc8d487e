"""A real `transformers.Trainer` run (a tiny model built here from a config, random init, no downloads)
imported by Run Rewind through its command line (`--source`): the output folder is one run, its newest
trainer_state.json's `log_history` the history (every value equal to what `json` reads, entries of a step
merged), the Trainer's settings and the model's config.json the config; read while checkpoints are being
written, and a Trainer resumed from an earlier checkpoint with another learning rate (a rewind here)."""

import json
import logging
import os
import unittest
import warnings

import peers

import torch
from transformers import PretrainedConfig, PreTrainedModel, Trainer, TrainerCallback, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
warnings.filterwarnings("ignore")


class TinyConfig(PretrainedConfig):
    model_type = "runrewind-tiny"

    def __init__(self, width=4, **kw):
        super().__init__(**kw)
        self.width = width


class TinyModel(PreTrainedModel):
    config_class = TinyConfig

    def __init__(self, config):
        super().__init__(config)
        self.net = torch.nn.Sequential(torch.nn.Linear(2, config.width), torch.nn.Tanh(), torch.nn.Linear(config.width, 1))
        self.post_init()

    def forward(self, x=None, labels=None):
        out = self.net(x)
        return {"loss": torch.nn.functional.mse_loss(out, labels), "logits": out}


class Data(torch.utils.data.Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, 2, generator=g)
        self.y = self.x.sum(1, keepdim=True)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "labels": self.y[i]}


TOTALS = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "total_flos")


def oracle(path, totals=None):
    """{step: {key: value}} from a trainer_state.json's log_history, entries of one step merged; the
    training totals (W&B's Trainer callback puts them in the summary) into ``totals``."""
    with open(path) as f:
        state = json.load(f)
    out = {}
    for entry in state["log_history"]:
        entry = dict(entry)
        for key in TOTALS:
            if key in entry and totals is not None:
                totals[key] = entry[key]
            entry.pop(key, None)
        out.setdefault(entry.pop("step"), {}).update(entry)
    return out


class HuggingFaceImportTest(peers.ImportTest):
    SOURCE = "outputs"

    def setUp(self):
        super().setUp()
        self.out = os.path.join(self.root, "tiny")

    history = peers.ImportTest.values_by_step

    def train(self, lr=5e-2, resume=None, callbacks=()):
        torch.manual_seed(0)
        args = TrainingArguments(output_dir=self.out, max_steps=30, logging_steps=4, save_steps=10, eval_strategy="steps",
                                 eval_steps=10, per_device_train_batch_size=4, learning_rate=lr, report_to=[], use_cpu=True,
                                 disable_tqdm=True, seed=0)
        trainer = Trainer(model=TinyModel(TinyConfig(width=5)), args=args, train_dataset=Data(64, 1), eval_dataset=Data(16, 2),
                          callbacks=list(callbacks))
        trainer.train(resume_from_checkpoint=resume)
        trainer.save_state()

    def test_trainer_run_read_while_it_saves(self):
        seen = []
        test = self

        class Import(TrainerCallback):
            def on_save(self, args, state, control, **kw):
                runs = test.runs(cache=True)
                seen.append((state.global_step, len(runs), runs[test.out]["last_step"] if test.out in runs else None))

        self.train(callbacks=[Import()])
        self.assertEqual([(s, n) for s, n, _ in seen], [(10, 1), (20, 1), (30, 1)])
        totals = {}
        expected = oracle(os.path.join(self.out, "trainer_state.json"), totals)
        self.assertIn("eval_loss", expected[30])
        self.assertEqual(sorted(totals), sorted(TOTALS))
        for cache in (True, False):
            runs = self.runs(cache=cache)
            self.assertEqual(list(runs), [self.out])
            run = runs[self.out]
            self.assertEqual(run["origin"]["kind"], "huggingface")
            self.assertEqual((run["name"], run["project"]), ("tiny", "outputs"))
            self.assertEqual(len(run["versions"]), 1, run["versions"])
            # The Trainer's last entry ends the run.
            self.assertEqual(run["state"], "finished")
            self.assertEqual(self.history(run["id"], cache=cache), expected)
        self.assertIn("Hugging Face", peers.cli_sources(self.logs, [self.root], "list"))
        shown = json.loads(peers.cli_sources(self.logs, [self.root], "show", run["id"], "--json"))
        for key, value in totals.items():
            self.assertEqual(shown["summary"][key], value, key)
        config = shown["config"]
        self.assertEqual((config["max_steps"], config["logging_steps"], config["save_steps"], config["eval_steps"], config["train_batch_size"]), (30, 4, 10, 10, 4))
        self.assertEqual(config["model"]["width"], 5)

    def test_resumed_trainer_is_a_rewind_at_its_checkpoint(self):
        self.train()
        first = oracle(os.path.join(self.out, "trainer_state.json"))
        self.runs(cache=True)
        self.train(lr=1e-3, resume=os.path.join(self.out, "checkpoint-10"))
        second = oracle(os.path.join(self.out, "trainer_state.json"))
        self.assertEqual({s: v for s, v in second.items() if s <= 10}, {s: v for s, v in first.items() if s <= 10})
        self.assertNotEqual(second[12], first[12])
        run = self.runs(cache=True)[self.out]
        archived = [v for v in run["versions"] if v["archived"]]
        live = [v for v in run["versions"] if v["live"]][0]
        self.assertEqual(len(archived), 1)
        self.assertEqual(live["parent"], archived[0]["id"])
        self.assertEqual(live["branch_step"], 10)
        self.assertEqual(self.history(run["id"], archived[0]["id"], cache=True), first)
        self.assertEqual(self.history(run["id"], cache=True), second)


if __name__ == "__main__":
    unittest.main()
