"""TensorBoard event files written by the real writers (torch.utils.tensorboard.SummaryWriter, and
tensorboard's own EventFileWriter for TF2-style scalar tensors), imported by Run Rewind through its command
line (`--source`), and checked value by value against TensorBoard's own EventAccumulator with no size limit:
scalars with their steps and wall times, hparams as config, text as console lines; a tag on its own step
axis beside the global step; a file torn mid-record and grown later, a corrupt record, and a restarted
writer that goes back in step (a rewind here)."""

import json
import math
import os
import shutil
import time
import unittest

import peers

from tensorboard.backend.event_processing import event_accumulator
from torch.utils.tensorboard import SummaryWriter


def accumulator(path):
    acc = event_accumulator.EventAccumulator(path, size_guidance={k: 0 for k in event_accumulator.DEFAULT_SIZE_GUIDANCE})
    acc.Reload()
    return acc


def oracle_scalars(path):
    """{tag: [(step, value, wall_time)]} as TensorBoard's loader reads them, in file order."""
    acc = accumulator(path)
    return {tag: [(e.step, e.value, e.wall_time) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def same_number(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


class TensorBoardImportTest(peers.ImportTest):
    SOURCE = "runs"
    history = peers.ImportTest.rows

    def ours(self, rows):
        """{tag: [(step, value, time)]} from history rows."""
        out = {}
        for row in rows:
            for key, value in row.items():
                if key.startswith("_"):
                    continue
                out.setdefault(key, []).append((row["_step"], peers.json_number(value), row["_timestamp"]))
        return out

    def assert_same_scalars(self, expected, rows):
        got = self.ours(rows)
        self.assertEqual(sorted(got), sorted(expected))
        for tag, events in expected.items():
            mine = got[tag]
            self.assertEqual([s for s, _, _ in mine], [s for s, _, _ in events], tag)
            for (step, a, _), (_, b, _) in zip(mine, events):
                self.assertTrue(same_number(a, b), "%s at step %d: ours %r, TensorBoard %r" % (tag, step, a, b))
        # A row's time is the wall time of the step's first event.
        first = {}
        for events in expected.values():
            for step, _, wall in events:
                first[step] = min(first.get(step, wall), wall)
        for row in rows:
            self.assertAlmostEqual(row["_timestamp"], first[row["_step"]], places=5)

    def test_pytorch_writer_scalars_text_hparams(self):
        run_dir = os.path.join(self.root, "exp")
        w = SummaryWriter(run_dir)
        for step in range(300):
            w.add_scalar("loss/train", 1.0 / (step + 1) + (math.nan if step == 17 else 0.0), step)
            if step % 3 == 0:
                w.add_scalar("acc", step / 300.0, step)
            if step == 40:
                w.add_scalar("spike", math.inf, step)
        w.add_scalars("pair", {"a": 1.5, "b": -2.5}, 5)
        w.add_text("notes", "first line\nsecond line", 7)
        w.add_histogram("weights", __import__("numpy").arange(10), 3)
        w.add_hparams({"lr": 0.01, "batch": 32, "opt": "adam"}, {"hp/final": 0.25})
        w.close()
        runs = self.runs()
        dirs = [d for d in (os.path.join(dp) for dp, _, fs in os.walk(self.root) if any("tfevents" in f for f in fs))]
        for d in dirs:
            expected = oracle_scalars(d)
            if not expected:
                self.assertNotIn(d, runs)
                continue
            self.assertIn(d, runs)
            self.assertEqual(runs[d]["origin"]["kind"], "tensorboard")
            self.assert_same_scalars(expected, self.history(runs[d]["id"]))
        main = runs[run_dir]
        shown = json.loads(peers.cli_sources(self.logs, [self.root], "show", main["id"], "--json"))
        self.assertEqual(shown["name"], "exp")
        self.assertEqual(shown["project"], "runs")
        console = json.loads(peers.cli_sources(self.logs, [self.root], "console", main["id"], "--json"))
        text = accumulator(run_dir).Tensors("notes/text_summary")[0]
        self.assertEqual([(l["step"], l["text"]) for l in console],
                         [(text.step, "notes/text_summary: " + line) for line in text.tensor_proto.string_val[0].decode().split("\n")])
        # add_hparams writes its own run (a subfolder): its session's hyperparameters are its config.
        configs = [json.loads(peers.cli_sources(self.logs, [self.root], "show", r["id"], "--json"))["config"] for d, r in runs.items() if d != run_dir]
        self.assertIn({"lr": 0.01, "batch": 32, "opt": "adam"}, configs)
        # Read where they are: nothing was written under the sources.
        for dp, _, fs in os.walk(self.root):
            for f in fs:
                self.assertIn("tfevents", f)

    def test_pytorch_histograms_images_and_audio_are_media(self):
        import numpy as np
        run_dir = os.path.join(self.root, "media")
        w = SummaryWriter(run_dir)
        rng = np.random.default_rng(7)
        for step in (0, 10, 20):
            w.add_histogram("weights", rng.normal(step / 10.0, 1.0, size=1000), step)
            w.add_histogram("const", np.full(50, 3.0), step)
            img = (rng.random((3, 8, 6)) * 255).astype(np.uint8)
            w.add_image("sample", img, step)
            w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_audio("clip", np.sin(np.linspace(0, 100, 8000)).astype(np.float32), 20, sample_rate=8000)
        w.close()
        acc = accumulator(run_dir)
        run = self.runs()[run_dir]
        keys = json.loads(peers.cli_sources(self.logs, [self.root], "media", run["id"], "--json"))
        self.assertEqual([(k["key"], k["kind"], k["steps"]) for k in keys],
                         [("clip", "audio", 1), ("const", "histogram", 3), ("sample", "image", 3), ("weights", "histogram", 3)])
        # Histograms: TensorBoard's buckets without the empty ones at the ends; the same counts, every value.
        for tag in ("weights", "const"):
            ours = json.loads(peers.cli_sources(self.logs, [self.root], "media", run["id"], "--key", tag, "--json"))
            theirs = acc.Histograms(tag)
            self.assertEqual([e["step"] for e in ours], [h.step for h in theirs])
            for mine, h in zip(ours, theirs):
                item = mine["items"][0]
                v = h.histogram_value
                counts = list(v.bucket)
                while counts and counts[0] == 0:
                    counts.pop(0)
                while counts and counts[-1] == 0:
                    counts.pop()
                # More than 512 buckets (torch's default, TensorFlow's exponential ones) are merged in equal groups.
                group = -(-len(counts) // 512)
                counts = [sum(counts[i:i + group]) for i in range(0, len(counts), group)]
                self.assertEqual(item["counts"], counts, tag)
                self.assertEqual(sum(item["counts"]), v.num)
                self.assertLessEqual(item["bins"][0], v.min)
                self.assertGreaterEqual(item["bins"][-1], v.max)
                self.assertEqual(item["bins"], sorted(item["bins"]))
        # Images: the encoded bytes TensorBoard holds, stored once by content under our log directory.
        ours = json.loads(peers.cli_sources(self.logs, [self.root], "media", run["id"], "--key", "sample", "--json"))
        theirs = acc.Images("sample")
        self.assertEqual([e["step"] for e in ours], [i.step for i in theirs])
        for mine, image in zip(ours, theirs):
            item = mine["items"][0]
            self.assertEqual((item["format"], item["width"], item["height"]), ("png", image.width, image.height))
            with open(item["file"], "rb") as f:
                self.assertEqual(f.read(), image.encoded_image_string)
            self.assertTrue(item["file"].startswith(os.path.join(self.logs, "media")))
        clip = json.loads(peers.cli_sources(self.logs, [self.root], "media", run["id"], "--key", "clip", "--json"))[0]["items"][0]
        (audio,) = acc.Audio("clip")
        with open(clip["file"], "rb") as f:
            self.assertEqual(f.read(), audio.encoded_audio_string)
        self.assertEqual((clip["format"], clip["sample_rate"]), ("wav", audio.sample_rate))
        self.assertAlmostEqual(clip["duration"], audio.length_frames / audio.sample_rate)

    def test_tf2_scalar_tensors(self):
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.plugins.scalar import metadata
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        from tensorboard.util import tensor_util
        import numpy as np
        run_dir = os.path.join(self.root, "tf2")
        writer = EventFileWriter(run_dir)
        for step in range(50):
            for tag, value, dtype in (("f32", step * 0.1, np.float32), ("f64", 1 / (step + 3), np.float64)):
                value_proto = summary_pb2.Summary.Value(tag=tag, metadata=metadata.create_summary_metadata(display_name=tag, description=""),
                                                        tensor=tensor_util.make_tensor_proto(np.array(value, dtype=dtype)))
                writer.add_event(event_pb2.Event(wall_time=time.time(), step=step, summary=summary_pb2.Summary(value=[value_proto])))
        writer.close()
        acc = accumulator(run_dir)
        expected = {tag: [(e.step, float(tensor_util.make_ndarray(e.tensor_proto)), e.wall_time) for e in acc.Tensors(tag)] for tag in acc.Tags()["tensors"]}
        self.assertEqual(sorted(expected), ["f32", "f64"])
        run = self.runs()[run_dir]
        self.assert_same_scalars(expected, self.history(run["id"]))

    def test_torn_file_grown_later_and_a_corrupt_record(self):
        full_dir = os.path.join(self.tmp, "full")
        w = SummaryWriter(full_dir)
        for step in range(200):
            w.add_scalar("loss", 100.0 - step, step)
        w.close()
        (name,) = os.listdir(full_dir)
        with open(os.path.join(full_dir, name), "rb") as f:
            data = f.read()
        run_dir = os.path.join(self.root, "torn")
        os.makedirs(run_dir)
        target = os.path.join(run_dir, name)
        # Torn mid-record (not on a record boundary), read with the cache kept, then grown.
        with open(target, "wb") as f:
            f.write(data[: len(data) // 2 + 7])
        run = self.runs(cache=True)[run_dir]
        partial = self.history(run["id"], cache=True)
        self.assertGreater(len(partial), 50)
        with open(target, "ab") as f:
            f.write(data[len(data) // 2 + 7:])
        self.assert_same_scalars(oracle_scalars(full_dir), self.history(run["id"], cache=True))

        # A corrupt record: flip a byte inside one record's data; that value is missing, the rest kept.
        corrupt_dir = os.path.join(self.root, "corrupt")
        os.makedirs(corrupt_dir)
        bad = bytearray(data)
        at = len(data) // 3
        # Find the record that holds byte `at` by walking the framing.
        pos = 0
        while True:
            length = int.from_bytes(bad[pos:pos + 8], "little")
            if pos + 12 + length + 4 > at:
                break
            pos += 12 + length + 4
        bad[pos + 12 + length - 1] ^= 0x5A
        with open(os.path.join(corrupt_dir, name), "wb") as f:
            f.write(bytes(bad))
        expected = oracle_scalars(full_dir)
        run = self.runs()[corrupt_dir]
        rows = self.history(run["id"])
        got = self.ours(rows)["loss"]
        self.assertEqual(len(got), len(expected["loss"]) - 1)
        missing = sorted(set(s for s, _, _ in expected["loss"]) - set(s for s, _, _ in got))
        self.assertEqual(len(missing), 1)
        self.assertEqual([(s, v) for s, v, _ in got], [(s, v) for s, v, _ in expected["loss"] if s != missing[0]])

    def test_a_tag_on_its_own_step_axis(self):
        """Per-epoch validation logged at the epoch number beside training at the global step, in one file:
        TensorBoard keeps each tag's own steps (its loader purges only on a restart's session log), and so
        do we: every value of both tags, at TensorBoard's steps."""
        run_dir = os.path.join(self.root, "axes")
        w = SummaryWriter(run_dir)
        for step in range(200):
            w.add_scalar("train/loss", 1.0 / (step + 1), step)
            if step % 20 == 19:
                epoch = step // 20
                w.add_scalar("val/acc", 0.5 + epoch / 100.0, epoch)
        w.close()
        expected = oracle_scalars(run_dir)
        self.assertEqual([s for s, _, _ in expected["val/acc"]], list(range(10)))
        run = self.runs()[run_dir]
        self.assertEqual(len(run["versions"]), 1)
        self.assert_same_scalars(expected, self.history(run["id"]))

    def test_restarted_writer_going_back_in_step_is_a_rewind(self):
        run_dir = os.path.join(self.root, "restart")
        w = SummaryWriter(run_dir)
        for step in range(100):
            w.add_scalar("loss", float(step), step)
        w.close()
        time.sleep(1.1)  # the second file's name (its start second) sorts after the first
        w = SummaryWriter(run_dir)
        for step in range(60, 150):
            w.add_scalar("loss", 1000.0 + step, step)
        w.close()
        files = sorted(f for f in os.listdir(run_dir) if "tfevents" in f)
        self.assertEqual(len(files), 2)
        # TensorBoard's loader, file by file: what each writer wrote.
        first = {}
        second = {}
        for i, (f, into) in enumerate(((files[0], first), (files[1], second))):
            d = os.path.join(self.tmp, "only-%d" % i)
            os.makedirs(d)
            shutil.copy(os.path.join(run_dir, f), d)
            into.update(oracle_scalars(d))
        run = self.runs()[run_dir]
        archived = [v for v in run["versions"] if v["archived"]]
        self.assertEqual(len(archived), 1)
        live = [v for v in run["versions"] if v["live"]][0]
        self.assertEqual(live["parent"], archived[0]["id"])
        self.assertEqual(live["branch_step"], 59)
        # The archived version is the first writer's curve, whole; the live one shares it up to step 59.
        self.assert_same_scalars(first, self.history(run["id"], archived[0]["id"]))
        shared = {"loss": [e for e in first["loss"] if e[0] <= 59] + second["loss"]}
        self.assert_same_scalars(shared, self.history(run["id"]))
        # TensorBoard's own loader over the folder returns both writers' events, in file order.
        self.assertEqual([e[0] for e in oracle_scalars(run_dir)["loss"]], [e[0] for e in first["loss"] + second["loss"]])


if __name__ == "__main__":
    unittest.main()
