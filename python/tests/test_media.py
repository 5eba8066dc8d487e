"""Media values (Image, Histogram, Table, plot.*, Audio, Video, Html): the `media` records run.log writes,
the content-addressed files (one per content), PNGs written without PIL, and a rewind's media. numpy is
optional: the numpy cases run where it is installed (the peers venv) and are skipped elsewhere."""

import glob
import hashlib
import json
import os
import struct
import unittest
import wave
import zlib

import runrewind
from runrewind import _media, plot
from tests.helpers import LogDirTest, log_files, records

try:
    import numpy
except ImportError:  # pragma: no cover - depends on the machine
    numpy = None


def media_records(path):
    return [r for r in records(path) if r["type"] == "media"]


def decode_png(data):
    """(width, height, channels, rows of samples) of an 8-bit PNG with filter 0, as encode_png writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        assert zlib.crc32(tag + body) & 0xFFFFFFFF == crc, tag
        if tag == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, color = header[:4]
    channels = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    raw = zlib.decompress(idat)
    stride = w * channels + 1
    rows = [list(raw[i * stride + 1:(i + 1) * stride]) for i in range(h)]
    return w, h, channels, rows


class MediaTest(LogDirTest):
    def test_images_are_written_as_png_and_stored_once(self):
        run = self.init()
        pixels = [[0, 0.5, 1.0], [1.0, 0.2, 0.0]]
        for step in range(3):
            run.log({"loss": 1.0 / (step + 1), "sample": runrewind.Image(pixels, caption="step %d" % step)})
        run.finish()
        recs = media_records(log_files(self.root)[0])
        self.assertEqual([(r["step"], r["key"], r["kind"]) for r in recs], [(0, "sample", "image"), (1, "sample", "image"), (2, "sample", "image")])
        item = recs[0]["items"][0]
        self.assertEqual((item["width"], item["height"], item["format"], item["caption"]), (3, 2, "png", "step 0"))
        self.assertEqual(len(set(r["items"][0]["sha256"] for r in recs)), 1)
        files = glob.glob(os.path.join(self.root, "media", "*", "*"))
        self.assertEqual(len(files), 1, "the same image logged three times is one file")
        path = os.path.join(self.root, *_media.media_path(item["sha256"], "png").split("/"))
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(hashlib.sha256(data).hexdigest(), item["sha256"])
        self.assertEqual(len(data), item["size"])
        self.assertEqual(decode_png(data), (3, 2, 1, [[0, 127, 255], [255, 51, 0]]))
        # The image left the row; the row keeps the scalars.
        self.assertEqual([r["data"] for r in records(log_files(self.root)[0]) if r["type"] == "row"][0], {"loss": 1.0})

    def test_rgb_rgba_and_channel_first_pixels(self):
        rgb = [[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [10, 20, 30]]]
        self.assertEqual(decode_png(runrewind.Image(rgb)._bytes), (2, 2, 3, [[255, 0, 0, 0, 255, 0], [0, 0, 255, 10, 20, 30]]))
        rgba = [[[1, 2, 3, 4]]]
        self.assertEqual(decode_png(runrewind.Image(rgba)._bytes)[:3], (1, 1, 4))
        chw = [[[1, 2, 3, 4, 5]], [[6, 7, 8, 9, 10]], [[11, 12, 13, 14, 15]]]  # 3×1×5
        w, h, c, rows = decode_png(runrewind.Image(chw)._bytes)
        self.assertEqual((w, h, c), (5, 1, 3))
        self.assertEqual(rows[0][:3], [1, 6, 11])
        with self.assertRaisesRegex(ValueError, "1, 3 or 4 channels"):
            runrewind.Image([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
        with self.assertRaisesRegex(ValueError, "expected a numpy array"):
            runrewind.Image(object())

    def test_image_from_a_file_and_a_list_of_images(self):
        run = self.init()
        png = runrewind.Image([[1, 2], [3, 4]])._bytes
        path = os.path.join(self.tmp, "plot.png")
        with open(path, "wb") as f:
            f.write(png)
        with self.assertRaisesRegex(ValueError, "cannot read the file"):
            runrewind.Image(os.path.join(self.tmp, "missing.png"))
        with self.assertRaisesRegex(ValueError, "file type 'txt'"):
            runrewind.Image(os.path.join(self.tmp, "notes.txt"))
        run.log({"plots": [runrewind.Image(path, caption="from a file"), runrewind.Image([[9]])]})
        run.finish()
        (rec,) = media_records(log_files(self.root)[0])
        self.assertEqual([(i["width"], i["height"], i.get("caption")) for i in rec["items"]], [(2, 2, "from a file"), (1, 1, None)])
        self.assertEqual(rec["items"][0]["sha256"], hashlib.sha256(png).hexdigest())

    def test_histograms(self):
        h = runrewind.Histogram(list(range(100)), num_bins=10)
        self.assertEqual(h.histogram, [10] * 10)
        self.assertEqual((h.bins[0], h.bins[-1], len(h.bins)), (0.0, 99.0, 11))
        self.assertEqual(len(runrewind.Histogram([1, 2, 3]).histogram), 64)
        h = runrewind.Histogram(np_histogram=([1, 2], [0, 1, 2]))
        self.assertEqual((h.histogram, h.bins), ([1, 2], [0, 1, 2]))
        with self.assertRaisesRegex(ValueError, r"len\(bins\) must be len\(histogram\) \+ 1"):
            runrewind.Histogram(np_histogram=([1, 2], [0, 1]))
        with self.assertRaisesRegex(ValueError, "maximum length of a histogram is 512"):
            runrewind.Histogram([1, 2], num_bins=1000)
        with self.assertRaisesRegex(ValueError, "expected numbers"):
            runrewind.Histogram(["a"])
        run = self.init()
        run.log({"weights": runrewind.Histogram([0.5, 0.5, 1.5], num_bins=2)})
        run.finish()
        (rec,) = media_records(log_files(self.root)[0])
        self.assertEqual(rec["items"], [{"bins": [0.5, 1.0, 1.5], "counts": [2, 1]}])
        self.assertEqual(glob.glob(os.path.join(self.root, "media", "*")), [], "a histogram has no file")

    def test_tables_and_charts(self):
        t = runrewind.Table(columns=["a", "b"], data=[[1, "x"]])
        t.add_data(2, "y")
        t.add_column("c", [True, False])
        self.assertEqual(t.get_column("a"), [1, 2])
        with self.assertRaisesRegex(ValueError, r"expects 3 columns"):
            t.add_data(1)
        with self.assertRaisesRegex(ValueError, "Expected length 2, found 1"):
            t.add_column("d", [1])
        with self.assertRaisesRegex(ValueError, "does not exist"):
            t.get_column("zz")
        self.assertEqual(runrewind.Table(data=[[1, 2, 3]]).columns, ["Input", "Output", "Expected"])
        t.add_data(3, runrewind.Image([[7]]), None)
        chart = plot.line(runrewind.Table(columns=["x", "y"], data=[[0, 1], [1, 4]]), "x", "y", title="curve")
        with self.assertRaisesRegex(ValueError, "has no column 'z'"):
            plot.scatter(chart, "x", "z")
        run = self.init()
        run.log({"preds": t, "curve": chart, "bars": plot.bar(runrewind.Table(columns=["k", "v"], data=[["a", 1]]), "k", "v"),
                 "custom": runrewind.plot_table("wandb/area-under-curve/v0", chart, {"x": "x", "y": "y"}, {"title": "AUC"})})
        run.finish()
        recs = dict((r["key"], r) for r in media_records(log_files(self.root)[0]))
        preds = recs["preds"]["items"][0]
        self.assertEqual((preds["columns"], preds["rows"], preds["format"]), (["a", "b", "c"], 3, "json"))
        with open(os.path.join(self.root, *_media.media_path(preds["sha256"], "json").split("/"))) as f:
            body = json.load(f)
        self.assertEqual(body["data"][0], [1, "x", True])
        cell = body["data"][2][1]
        self.assertEqual((cell["_type"], cell["width"]), ("image", 1))
        self.assertTrue(os.path.exists(os.path.join(self.root, *_media.media_path(cell["sha256"], "png").split("/"))))
        self.assertEqual(recs["curve"]["items"][0]["chart"], {"type": "line", "title": "curve", "x": "x", "y": "y"})
        self.assertEqual(recs["bars"]["items"][0]["chart"], {"type": "bar", "x": "k", "y": "v"})
        self.assertEqual(recs["custom"]["items"][0]["chart"]["spec"], "wandb/area-under-curve/v0")

    def test_audio_video_html(self):
        run = self.init()
        audio = runrewind.Audio([0.0, 0.5, -0.5, 1.0], sample_rate=8000, caption="beep")
        video_path = os.path.join(self.tmp, "clip.mp4")
        with open(video_path, "wb") as f:
            f.write(b"\x00\x00\x00\x18ftypmp42")
        with self.assertRaisesRegex(ValueError, "sample_rate is required"):
            runrewind.Audio([0.1])
        run.log({"audio": audio, "video": runrewind.Video(video_path, fps=4), "page": runrewind.Html("<b>x</b>")})
        run.finish()
        recs = dict((r["key"], r["items"][0]) for r in media_records(log_files(self.root)[0]))
        self.assertEqual((recs["audio"]["format"], recs["audio"]["sample_rate"], recs["audio"]["caption"]), ("wav", 8000, "beep"))
        with wave.open(os.path.join(self.root, *_media.media_path(recs["audio"]["sha256"], "wav").split("/"))) as w:
            self.assertEqual((w.getframerate(), w.getnframes(), w.getsampwidth()), (8000, 4, 2))
        self.assertEqual((recs["video"]["format"], recs["video"]["fps"]), ("mp4", 4))
        self.assertEqual(recs["page"]["format"], "html")

    def test_media_follow_the_row_step_and_never_crash_the_loop(self):
        run = self.init()
        run.log({"a": 1})
        run.log({"img": runrewind.Image([[1]])}, commit=False)
        run.log({"b": 2})
        run.log({"img": runrewind.Image([[2]])}, step=5)
        run.log({"c": 3})

        class Broken(_media.Media):
            kind = "image"

            def _item(self, root):
                raise OSError("disk full")

        _result, messages = self.assertWarns_("disk full", run.log, {"bad": Broken(), "d": 4})
        run.finish()
        path = log_files(self.root)[0]
        self.assertEqual([(r["key"], r["step"]) for r in media_records(path)], [("img", 1), ("img", 5)])
        self.assertEqual([r["step"] for r in records(path) if r["type"] == "row"], [0, 1, 5, 6])

    def test_rewind_keeps_media_files_and_the_archived_records(self):
        run = self.init()
        for step in range(4):
            run.log({"x": step, "img": runrewind.Image([[step]])})
        run.finish()
        rewound = self.init(resume_from="%s?_step=1" % run.id)
        rewound.log({"x": 10, "img": runrewind.Image([[0]])})
        rewound.finish()
        first, second = log_files(self.root, run.id)
        self.assertEqual([r["step"] for r in media_records(second)], [2])
        self.assertEqual(len(media_records(first)), 4)
        self.assertEqual(len(glob.glob(os.path.join(self.root, "media", "*", "*.png"))), 4,
                         "the rewind's image equals step 0's: stored once")

    def test_disabled_run_stores_nothing(self):
        os.environ["WANDB_MODE"] = "disabled"
        try:
            run = runrewind._wandb_init(dir=self.tmp)
            run.log({"img": runrewind.Image([[1]])})
            run.finish()
        finally:
            os.environ.pop("WANDB_MODE", None)
        self.assertEqual(glob.glob(os.path.join(self.tmp, "**", "media"), recursive=True), [])

    def test_the_wandb_package_switch_exports_them(self):
        import importlib
        import sys
        shim = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "wandb-shim")
        sys.path.insert(0, shim)
        try:
            saved = dict((k, v) for k, v in sys.modules.items() if k == "wandb" or k.startswith("wandb."))
            for k in saved:
                del sys.modules[k]
            wandb = importlib.import_module("wandb")
            self.assertIs(wandb.Image, runrewind.Image)
            for name in ("Histogram", "Table", "Audio", "Video", "Html", "plot_table"):
                self.assertIs(getattr(wandb, name), getattr(runrewind, name))
            self.assertIs(wandb.plot.line, plot.line)
        finally:
            sys.path.remove(shim)
            for k in [k for k in sys.modules if k == "wandb" or k.startswith("wandb.")]:
                del sys.modules[k]
            sys.modules.update(saved)


@unittest.skipIf(numpy is None, "numpy is not installed (the numpy cases run in the peers venv)")
class NumpyMediaTest(LogDirTest):
    def test_numpy_arrays_give_the_same_png_as_lists(self):
        a = numpy.random.RandomState(0).rand(8, 6, 3)
        self.assertEqual(runrewind.Image(a)._bytes, runrewind.Image(a.tolist())._bytes)
        neg = numpy.linspace(-1, 1, 12).reshape(3, 4)
        self.assertEqual(runrewind.Image(neg)._bytes, runrewind.Image(neg.tolist())._bytes)
        u8 = numpy.arange(12, dtype="uint8").reshape(3, 4, 1)
        self.assertEqual(decode_png(runrewind.Image(u8)._bytes), (4, 3, 1, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]))

    def test_np_histogram_and_long_arrays(self):
        values = numpy.arange(100.0)
        h = runrewind.Histogram(np_histogram=numpy.histogram(values, bins=5))
        self.assertEqual(h.histogram, [20] * 5)
        run = self.init()
        run.log({"short": numpy.arange(3), "long": values})
        run.finish()
        path = log_files(self.root)[0]
        self.assertEqual([r["data"] for r in records(path) if r["type"] == "row"], [{"short": [0, 1, 2]}])
        (rec,) = media_records(path)
        self.assertEqual((rec["key"], rec["kind"], sum(rec["items"][0]["counts"])), ("long", "histogram", 100))

    def test_pil_images_when_pil_is_there(self):
        try:
            from PIL import Image as PILImage
        except ImportError:
            self.skipTest("PIL is not installed")
        img = PILImage.fromarray(numpy.zeros((5, 7, 3), dtype="uint8"))
        i = runrewind.Image(img, caption="pil")
        self.assertEqual((i.width, i.height, i._format), (7, 5, "png"))


if __name__ == "__main__":
    unittest.main()
