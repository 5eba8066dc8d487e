"""Checkpoint-aware rewind in the client: ``run.checkpoint`` after ``resume_from``, ``fork_from`` and a
resume is the newest checkpoint (an artifact of type model or checkpoint, or one whose metadata names
its step) at or before the step the history continues from, and its files load with ``download()``."""

import os

import runrewind
from tests.helpers import LogDirTest


class CheckpointTest(LogDirTest):
    def train(self, run_id, steps, every, kind="model"):
        """Logs ``loss`` for ``steps`` steps and a checkpoint file after each multiple of ``every``."""
        run = self.init(id=run_id)
        for step in range(steps):
            run.log({"loss": 1.0 / (step + 1)})
            if step > 0 and step % every == 0:
                path = os.path.join(self.tmp, "weights-%d.pt" % step)
                with open(path, "w") as f:
                    f.write("weights at %d" % step)
                art = runrewind.Artifact("model-%s" % run_id, type=kind)
                art.add_file(path, name="model.pt")
                run.log_artifact(art)
        run.finish()
        return run

    def checkpoint_of(self, **kwargs):
        """``run.checkpoint`` of an init that is finished at once (a second init would return the open run)."""
        run = self.init(**kwargs)
        ckpt = run.checkpoint
        run.log({"loss": 0.0})
        run.finish()
        return ckpt

    def test_a_rewind_to_250_loads_the_checkpoint_of_step_200(self):
        first = self.train("pre", 320, 100)
        rewound = self.init(resume_from="pre?_step=250")
        ckpt = rewound.checkpoint
        self.assertIsNotNone(ckpt)
        self.assertEqual((ckpt.name, ckpt.version, ckpt.step, ckpt.type), ("model-pre", "v1", 200, "model"))
        folder = ckpt.download()
        with open(os.path.join(folder, "model.pt")) as f:
            self.assertEqual(f.read(), "weights at 200")
        rewound.log({"loss": 0.1})
        rewound.finish()
        # At a checkpoint's own step, that checkpoint; before the first one, none.
        self.assertEqual(self.checkpoint_of(resume_from="pre?_step=100").version, "v0")
        self.assertIsNone(self.checkpoint_of(fork_from="%s?_step=99" % first.version_id))

    def test_a_resume_and_a_fork_continue_from_the_newest_checkpoint_they_inherit(self):
        self.train("base", 320, 100)
        # Rewound to 250 and continued: the checkpoint of 300 stays with the archived version.
        rewound = self.init(resume_from="base?_step=250")
        rewound.log({"loss": 0.5})
        rewound.finish()
        resumed = self.init(id="base", resume="must")
        self.assertEqual((resumed.checkpoint.version, resumed.checkpoint.step), ("v1", 200))
        resumed.finish()
        # A fork of the fork still finds the checkpoint two runs up (read from the source run's files).
        fork = self.init(id="f1", fork_from="base?_step=240")
        fork.log({"loss": 0.4})
        fork.finish()
        grandchild = self.init(id="f2", fork_from="f1?_step=241")
        self.assertEqual((grandchild.checkpoint.name, grandchild.checkpoint.version), ("model-base", "v1"))

    def test_metadata_step_wins_and_other_artifacts_are_not_checkpoints(self):
        run = self.init(id="meta")
        for step in range(10):
            run.log({"loss": step})
        data = os.path.join(self.tmp, "data.csv")
        with open(data, "w") as f:
            f.write("x\n1\n")
        run.log_artifact(data, name="dataset", type="dataset")
        weights = os.path.join(self.tmp, "w.bin")
        with open(weights, "w") as f:
            f.write("w")
        # Logged at step 9, holding the weights of step 4 (a callback that saves late).
        art = runrewind.Artifact("late", type="weights", metadata={"step": 4})
        art.add_file(weights)
        run.log_artifact(art)
        run.finish()
        self.assertEqual(self.checkpoint_of(resume_from="meta?_step=5").name, "late")
        self.assertIsNone(self.checkpoint_of(resume_from="meta?_step=3"))
        self.assertIsNone(self.checkpoint_of(id="fresh"))
