"""Media values (wandb's Image, Histogram, Table, Audio, Video, Html) and the content-addressed store
their files go to. Standard library only: numpy, PIL and pandas are used when the value is one of theirs,
never imported otherwise. A `media` record (docs/PROTOCOL.md) refers to the files by their SHA-256.
"""

import hashlib
import io
import json
import os
import struct
import tempfile
import wave
import zlib

from . import _values

#: wandb's limits: histograms have at most 512 bins; 64 by default.
MAX_BINS = 512
DEFAULT_BINS = 64
#: Where media files go under the log directory: media/<first 2 hex digits>/<sha256>.<format>.
MEDIA_DIR = "media"
_FORMAT_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def media_path(sha256, fmt):
    """The file of a media item, relative to the log directory (every reader derives it the same way)."""
    return "%s/%s/%s.%s" % (MEDIA_DIR, sha256[:2], sha256, fmt)


def store_bytes(root, data, fmt):
    """Stores ``data`` under the log directory once per content; returns (sha256, size). A file already
    there (the same bytes logged before, by any run) is not written again. Written to a temporary file
    and renamed, so a reader never sees half a file."""
    sha = hashlib.sha256(data).hexdigest()
    path = os.path.join(root, *media_path(sha, fmt).split("/"))
    if not os.path.exists(path):
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    return sha, len(data)


class Media(object):
    """A value logged with ``run.log`` that is not a scalar: written as a `media` record at the row's step.
    ``_bytes`` (the file, if the kind has one) is made when the value is made, so a bad value fails at
    ``wandb.Image(...)`` as in wandb, not later inside ``log``."""

    kind = "media"
    _bytes = None
    _format = None

    def _fields(self):
        """The item's fields besides its file (caption, shape, ...)."""
        return {}

    def _item(self, root):
        item = {}
        if self._bytes is not None:
            if root is not None:
                sha, size = store_bytes(root, self._bytes, self._format)
            else:
                sha, size = hashlib.sha256(self._bytes).hexdigest(), len(self._bytes)
            item.update(sha256=sha, size=size, format=self._format)
        item.update((k, v) for k, v in self._fields().items() if v is not None)
        return item

    def to_json(self, run_or_root=None):
        """The item as the `media` record holds it (wandb's to_json has the same role)."""
        root = getattr(run_or_root, "log_dir", run_or_root)
        return dict(self._item(root), _type=self.kind)

    def __repr__(self):
        return "<runrewind.%s %s>" % (type(self).__name__, json.dumps(self._fields(), default=str)[:120])


def _format_of(path, allowed, what):
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if ext == "jpeg":
        ext = "jpg"
    if ext not in allowed:
        raise ValueError("%s(%r): the file type %r is not one of %s" % (what, os.fspath(path), ext or "(none)",
                                                                       ", ".join(sorted(allowed))))
    return ext


def _read(path, what):
    try:
        with open(os.fspath(path), "rb") as f:
            return f.read()
    except OSError as e:
        raise ValueError("%s(%r): cannot read the file: %s" % (what, os.fspath(path), e.strerror or e))


def _caption(caption):
    return None if caption is None else str(caption)


# --- Image ------------------------------------------------------------------------------------------

IMAGE_FORMATS = frozenset(("png", "jpg", "gif", "bmp", "webp", "svg"))


class Image(Media):
    """``wandb.Image(data_or_path, mode=None, caption=None, ...)``: a numpy array or array-like (H×W,
    H×W×C or C×H×W; floats in [0, 1] are scaled to 0..255, as wandb), a PIL image, a matplotlib figure,
    or the path of an image file. Arrays are written as PNG by this module (no PIL needed)."""

    kind = "image"

    def __init__(self, data_or_path, mode=None, caption=None, grouping=None, classes=None, boxes=None,
                 masks=None, file_type=None, normalize=True):
        self.caption = _caption(caption)
        self.grouping = grouping
        self.width = self.height = None
        if isinstance(data_or_path, Image):
            self._bytes, self._format = data_or_path._bytes, data_or_path._format
            self.width, self.height = data_or_path.width, data_or_path.height
            return
        if isinstance(data_or_path, (str, bytes, os.PathLike)) and not isinstance(data_or_path, bytes):
            self._format = _format_of(data_or_path, IMAGE_FORMATS, "Image")
            self._bytes = _read(data_or_path, "Image")
            self.width, self.height = image_size(self._bytes)
            return
        if _is_pil(data_or_path):
            img = data_or_path
            if mode is not None and img.mode != mode:
                img = img.convert(mode)
            if img.mode not in ("1", "L", "LA", "RGB", "RGBA", "P", "I;16"):
                img = img.convert("RGBA")
            buf = io.BytesIO()
            img.save(buf, format="PNG")
            self._bytes, self._format = buf.getvalue(), "png"
            self.width, self.height = img.size
            return
        if hasattr(data_or_path, "savefig"):  # a matplotlib figure
            buf = io.BytesIO()
            data_or_path.savefig(buf, format="png")
            self._bytes, self._format = buf.getvalue(), "png"
            self.width, self.height = image_size(self._bytes)
            return
        rows, channels = _pixels(data_or_path, normalize)
        self.height, self.width = len(rows), (len(rows[0]) // channels if rows else 0)
        self._bytes, self._format = encode_png(rows, self.width, self.height, channels), "png"

    def _fields(self):
        return {"width": self.width, "height": self.height, "caption": self.caption}


def _is_pil(v):
    t = type(v)
    return any(c.__module__.startswith("PIL.") and c.__name__ == "Image" for c in t.__mro__)


def _array(data):
    """(nested lists, shape) of an array-like: numpy arrays, torch tensors (moved to the CPU), lists."""
    if type(data).__module__.startswith("torch"):
        data = data.detach().cpu().numpy()
    tolist = getattr(data, "tolist", None)
    if callable(tolist) and hasattr(data, "shape"):
        return data, tuple(int(n) for n in data.shape)
    if isinstance(data, (list, tuple)):
        shape = []
        probe = data
        while isinstance(probe, (list, tuple)):
            shape.append(len(probe))
            probe = probe[0] if probe else None
        return data, tuple(shape)
    raise ValueError("Image(): expected a numpy array, a PIL image, a list of pixel rows or a file path, got %s"
                     % _values._type_name(data))


def _pixels(data, normalize):
    """Rows of 8-bit samples (bytes, channels interleaved) and the channel count."""
    torch = type(data).__module__.startswith("torch")
    arr, shape = _array(data)
    shape = list(shape)
    np = _numpy_of(arr)
    # Drop trivial axes as wandb's squeeze does, but only where they cannot be the image's own:
    # leading ones beyond three axes, then a single channel (H×W×1 or 1×H×W).
    while len(shape) > 3 and shape[0] == 1:
        shape.pop(0)
        arr = arr[0]
    if len(shape) == 3 and shape[2] == 1:
        shape.pop(2)
        arr = arr[:, :, 0] if np is not None else [[px[0] for px in row] for row in arr]
    elif len(shape) == 3 and shape[0] == 1 and (torch or shape[2] not in (3, 4)):
        shape.pop(0)
        arr = arr[0]
    # Torch tensors are C×H×W, as wandb takes them; other arrays only when the last axis cannot be channels.
    channel_first = len(shape) == 3 and shape[0] in (1, 3, 4) and (torch or shape[2] not in (1, 3, 4))
    if len(shape) == 2:
        channels = 1
    elif len(shape) == 3:
        channels = shape[0] if channel_first else shape[2]
    else:
        raise ValueError("Image(): an array of shape %s is not an image (expected H×W, H×W×C or C×H×W)"
                         % (tuple(shape),))
    if channels not in (1, 3, 4):
        raise ValueError("Image(): an image has 1, 3 or 4 channels, got %d (shape %s)" % (channels, tuple(shape)))
    if np is not None:
        a = arr.transpose(1, 2, 0) if channel_first else arr
        a = a.astype("float64") if normalize and a.dtype.kind == "f" else a
        if normalize:
            a = _np_to_uint8(np, a)
        else:
            a = np.clip(a, 0, 255).astype("uint8")
        h, w = a.shape[0], a.shape[1]
        flat = np.ascontiguousarray(a.reshape(h, w * channels)).astype("uint8")
        return [flat[i].tobytes() for i in range(h)], channels
    rows = arr
    if channel_first:
        rows = [[[rows[c][y][x] for c in range(channels)] for x in range(shape[2])] for y in range(shape[1])]
    values = [v for row in rows for px in row for v in (px if isinstance(px, (list, tuple)) else (px,))]
    scale = _list_scale(values) if normalize else None
    out = []
    width = len(rows[0]) if rows else 0
    for row in rows:
        flat = [v for px in row for v in (px if isinstance(px, (list, tuple)) else (px,))]
        if len(flat) != width * channels:
            raise ValueError("Image(): the pixel rows are not all the same length")
        out.append(bytes(_to_byte(v, scale) for v in flat))
    return out, channels


def _numpy_of(arr):
    mod = type(arr).__module__
    if mod.startswith("numpy"):
        import numpy
        return numpy
    return None


def _np_to_uint8(np, a):
    if a.dtype.kind in "iub":
        return np.clip(a, 0, 255).astype("uint8")
    a = np.nan_to_num(a.astype("float64"))
    lo = float(a.min()) if a.size else 0.0
    if lo < 0:
        span = float(a.max()) - lo
        a = (a - lo) / span if span > 0 else a - lo
    if a.size and float(a.max()) <= 1.0:
        a = a * 255
    return np.clip(a, 0, 255).astype("uint8")


def _list_scale(values):
    """(offset, span, multiplier) for plain-list pixels, the same rule as _np_to_uint8."""
    floats = [float(v) for v in values if not isinstance(v, bool)]
    if not floats or all(isinstance(v, int) for v in values):
        return None
    finite = [v if v == v and abs(v) != float("inf") else 0.0 for v in floats]
    lo, hi = min(finite), max(finite)
    offset, span = 0.0, 1.0
    if lo < 0:
        offset, span = lo, (hi - lo) or 1.0
        hi = (hi - lo) / span
    return offset, span, 255.0 if hi <= 1.0 else 1.0


def _to_byte(v, scale):
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ValueError("Image(): a pixel value must be a number, got %r" % (v,))
    if x != x or abs(x) == float("inf"):
        x = 0.0
    if scale is not None:
        offset, span, mult = scale
        x = (x - offset) / span * mult
    return min(255, max(0, int(x)))


def encode_png(rows, width, height, channels):
    """An 8-bit PNG of ``rows`` (bytes of width×channels samples each): zlib and struct only."""
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def image_size(data):
    """(width, height) from a PNG, GIF, JPEG, BMP or WebP header; (None, None) when it cannot tell."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:2] == b"BM":
            w, h = struct.unpack("<ii", data[18:26])
            return w, abs(h)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            if data[12:16] == b"VP8X":
                return (int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1)
            if data[12:16] == b"VP8 ":
                w, h = struct.unpack("<HH", data[26:30])
                return w & 0x3FFF, h & 0x3FFF
        if data[:2] == b"\xff\xd8":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                length = struct.unpack(">H", data[i + 2:i + 4])[0]
                if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                    h, w = struct.unpack(">HH", data[i + 5:i + 9])
                    return w, h
                i += 2 + length
    except (struct.error, IndexError):
        pass
    return None, None


# --- Histogram --------------------------------------------------------------------------------------

class Histogram(Media):
    """``wandb.Histogram(sequence=None, np_histogram=None, num_bins=64)``: counts and bin edges, kept in the
    record itself (no file)."""

    kind = "histogram"

    def __init__(self, sequence=None, np_histogram=None, num_bins=DEFAULT_BINS):
        if np_histogram is not None:
            if len(np_histogram) != 2:
                raise ValueError("Histogram(np_histogram=...): expected (counts, bin_edges) as numpy.histogram "
                                 "returns them")
            counts, bins = _numbers(np_histogram[0], "np_histogram counts"), _numbers(np_histogram[1], "np_histogram bins")
            if len(bins) != len(counts) + 1:
                raise ValueError("len(bins) must be len(histogram) + 1")
        elif sequence is not None:
            values = [v for v in _numbers(sequence, "Histogram()") if v == v and abs(v) != float("inf")]
            if not isinstance(num_bins, int) or isinstance(num_bins, bool) or num_bins < 1:
                raise ValueError("Histogram(num_bins=%r): the number of bins must be a positive integer" % (num_bins,))
            counts, bins = histogram(values, num_bins)
        else:
            raise ValueError("Histogram() needs a sequence of numbers or np_histogram=(counts, bin_edges)")
        if len(counts) > MAX_BINS:
            raise ValueError("The maximum length of a histogram is %d" % MAX_BINS)
        self.histogram = counts
        self.bins = bins

    def _fields(self):
        return {"bins": self.bins, "counts": self.histogram}


def _numbers(seq, what):
    data, _shape = _array(seq) if not isinstance(seq, (list, tuple, range)) else (seq, None)
    if hasattr(data, "ravel"):
        data = data.ravel()
    if hasattr(data, "tolist"):
        data = data.tolist()
    out = []
    for v in _flat(data):
        x = _values.scalar(v)
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise ValueError("%s: expected numbers, got %r" % (what, v))
        out.append(x)
    return out


def _flat(data):
    for v in data:
        if isinstance(v, (list, tuple)):
            for x in _flat(v):
                yield x
        else:
            yield v


def histogram(values, num_bins):
    """Equal-width bins over [min, max] as numpy.histogram makes them (the last bin includes max)."""
    if not values:
        lo, hi = 0.0, 1.0
    else:
        lo, hi = float(min(values)), float(max(values))
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    width = (hi - lo) / num_bins
    bins = [lo + i * width for i in range(num_bins)] + [hi]
    counts = [0] * num_bins
    for v in values:
        i = int((v - lo) / width)
        counts[min(max(i, 0), num_bins - 1)] += 1
    return counts, bins


# --- Table ------------------------------------------------------------------------------------------

DEFAULT_COLUMNS = ["Input", "Output", "Expected"]


class Table(Media):
    """``wandb.Table(columns=None, data=None, rows=None, dataframe=None)``, ``add_data``, ``add_column``,
    ``get_column``. Stored as a JSON file ``{"columns": [...], "data": [[...], ...]}``; an Image (or other
    media) in a cell is stored as its own file and the cell holds its item."""

    kind = "table"

    def __init__(self, columns=None, data=None, rows=None, dataframe=None, dtype=None, optional=True,
                 allow_mixed_types=False, log_mode=None):
        self.chart = None
        if dataframe is None and data is not None and _is_dataframe(data):
            dataframe, data = data, None
        if dataframe is not None:
            self.columns = [str(c) if not isinstance(c, (int, float)) else c for c in dataframe.columns]
            self.data = [list(r) for r in dataframe.itertuples(index=False, name=None)]
            return
        data = rows if data is None else data
        if data is not None and hasattr(data, "tolist") and hasattr(data, "shape"):
            data = data.tolist()
        self.columns = list(columns) if columns is not None else list(DEFAULT_COLUMNS)
        self.data = []
        for row in data or []:
            self.add_data(*row)

    def add_data(self, *data):
        if len(data) != len(self.columns):
            raise ValueError("This table expects %d columns: %s, found %d" % (len(self.columns), self.columns, len(data)))
        self.data.append(list(data))

    def add_row(self, *row):
        self.add_data(*row)

    def add_column(self, name, data, optional=False):
        if name in self.columns:
            raise ValueError("Column name %r already exists in the table" % (name,))
        data = list(data.tolist() if hasattr(data, "tolist") else data)
        if self.data and len(data) != len(self.data):
            raise ValueError("Expected length %d, found %d" % (len(self.data), len(data)))
        if not self.data:
            self.data = [[] for _ in data]
        self.columns.append(name)
        for row, v in zip(self.data, data):
            row.append(v)

    def get_column(self, name, convert_to=None):
        if name not in self.columns:
            raise ValueError("Column %r does not exist; the columns are %s" % (name, self.columns))
        i = self.columns.index(name)
        out = [row[i] for row in self.data]
        if convert_to == "numpy":
            import numpy
            return numpy.array(out)
        return out

    def get_index(self):
        return list(range(len(self.data)))

    def iterrows(self):
        for i, row in enumerate(self.data):
            yield i, row

    def _item(self, root):
        cells = [[_cell(v, root) for v in row] for row in self.data]
        body = json.dumps({"columns": [str(c) for c in self.columns], "data": cells}, default=str,
                          ensure_ascii=False, allow_nan=True).encode("utf-8")
        if root is not None:
            sha, size = store_bytes(root, body, "json")
        else:
            sha, size = hashlib.sha256(body).hexdigest(), len(body)
        item = {"sha256": sha, "size": size, "format": "json", "columns": [str(c) for c in self.columns],
                "rows": len(self.data)}
        if self.chart:
            item["chart"] = self.chart
        return item

    def __eq__(self, other):
        return isinstance(other, Table) and other.columns == self.columns and other.data == self.data

    __hash__ = Media.__hash__


def _is_dataframe(v):
    return type(v).__name__ == "DataFrame" and hasattr(v, "itertuples")


def _cell(v, root):
    if type(v) in _values.PLAIN:
        return v
    if isinstance(v, Media):
        return dict(v._item(root), _type=v.kind)
    x = _values.scalar(v)
    if x is not _values._SKIP:
        return x
    items = _values.as_list(v) if isinstance(v, (list, tuple)) else _values._SKIP
    return items if items is not _values._SKIP else str(v)


# --- Audio, Video, Html -----------------------------------------------------------------------------

AUDIO_FORMATS = frozenset(("wav", "mp3", "ogg", "flac", "m4a", "aac"))
VIDEO_FORMATS = frozenset(("gif", "mp4", "webm", "ogg"))


class Audio(Media):
    """``wandb.Audio(data_or_path, sample_rate=None, caption=None)``: a file, or samples in [-1, 1]
    (mono, or one column per channel) written as 16-bit WAV with the standard library."""

    kind = "audio"

    def __init__(self, data_or_path, sample_rate=None, caption=None):
        self.caption = _caption(caption)
        self.sample_rate = sample_rate
        self.duration = None
        if isinstance(data_or_path, (str, os.PathLike)):
            self._format = _format_of(data_or_path, AUDIO_FORMATS, "Audio")
            self._bytes = _read(data_or_path, "Audio")
            return
        if sample_rate is None:
            raise ValueError("Audio(): sample_rate is required when the audio is an array of samples")
        arr, shape = _array(data_or_path)
        if hasattr(arr, "tolist"):
            arr = arr.tolist()
        frames = [s if isinstance(s, (list, tuple)) else [s] for s in arr]
        channels = len(frames[0]) if frames else 1
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(int(sample_rate))
            w.writeframes(b"".join(struct.pack("<%dh" % channels, *(_pcm(x) for x in f)) for f in frames))
        self._bytes, self._format = buf.getvalue(), "wav"
        self.duration = len(frames) / float(sample_rate)

    def _fields(self):
        return {"caption": self.caption, "sample_rate": self.sample_rate, "duration": self.duration}


def _pcm(x):
    x = float(x)
    if x != x:
        x = 0.0
    return int(max(-1.0, min(1.0, x)) * 32767)


class Video(Media):
    """``wandb.Video(data_or_path, caption=None, fps=None, format=None)``: a video file is kept as it is.
    An array of frames needs an encoder wandb takes from moviepy; here it is recorded without a file."""

    kind = "video"

    def __init__(self, data_or_path, caption=None, fps=None, format=None):
        self.caption = _caption(caption)
        self.fps = fps
        self.shape = None
        if isinstance(data_or_path, (str, os.PathLike)):
            self._format = _format_of(data_or_path, VIDEO_FORMATS, "Video")
            self._bytes = _read(data_or_path, "Video")
        elif isinstance(data_or_path, (io.BytesIO, io.BufferedIOBase)):
            if format not in VIDEO_FORMATS:
                raise ValueError("Video(file object): format= must be one of %s" % ", ".join(sorted(VIDEO_FORMATS)))
            self._bytes, self._format = data_or_path.read(), format
        else:
            _arr, self.shape = _array(data_or_path)
            from ._wandb_compat import warn_once
            warn_once("video-array", "wandb.Video(array): Run Rewind does not encode frames into a video yet; "
                                     "the video's shape is recorded without a file (log a video file instead)")

    def _fields(self):
        return {"caption": self.caption, "fps": self.fps, "shape": list(self.shape) if self.shape else None}


class Html(Media):
    """``wandb.Html(data, inject=True, data_is_not_path=False)``: HTML text, a file object or a path."""

    kind = "html"

    def __init__(self, data, inject=True, data_is_not_path=False):
        if hasattr(data, "read"):
            text = data.read()
        elif isinstance(data, os.PathLike) or (isinstance(data, str) and not data_is_not_path
                                               and os.path.isfile(data)):
            text = _read(data, "Html").decode("utf-8", "replace")
        elif isinstance(data, str):
            text = data
        else:
            raise ValueError("Html(): expected HTML text, a file object or a path, got %s" % _values._type_name(data))
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        self._bytes, self._format = text.encode("utf-8"), "html"


# --- log() support ----------------------------------------------------------------------------------

def is_media(v):
    return isinstance(v, Media) or (isinstance(v, (list, tuple)) and len(v) > 0
                                    and all(isinstance(x, Media) for x in v))


def items_of(value, root):
    """(kind, items) of a logged media value: one item, or one per element of a list of one kind."""
    values = value if isinstance(value, (list, tuple)) else [value]
    kinds = set(v.kind for v in values)
    if len(kinds) > 1:
        raise ValueError("a list of media must hold one kind, got %s" % ", ".join(sorted(kinds)))
    return values[0].kind, [v._item(root) for v in values]


def media_record(t, step, key, kind, items):
    return '{"type": "media", "time": %r, "step": %d, "key": %s, "kind": "%s", "items": %s}\n' % (
        t, step, json.dumps(key), kind, json.dumps(items, default=str, allow_nan=True))
