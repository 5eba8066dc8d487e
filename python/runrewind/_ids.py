"""Ids, file stamps, generated names and the clock, with private hooks that make them deterministic.

Tests and the golden-file generator set these environment variables (read at each ``init``):

- ``RUNREWIND_TEST_CLOCK="START[:TICK]"``: the clock returns START, START+TICK, ... (one tick per call;
  TICK defaults to 0.25, a binary fraction so times print the same everywhere).
- ``RUNREWIND_TEST_SEED=<int>``: ids and names come from ``random.Random(seed)``.
- ``RUNREWIND_TEST_PID``, ``RUNREWIND_TEST_HOST``: the pid and host written in start records.
- ``RUNREWIND_TEST_CLOCK_OFFSET=<seconds>``: the real clock plus that much, a host of a cluster whose clock
  is ahead (or, negative, behind) of the others.
- ``RUNREWIND_TEST_NO_THREAD=1``: no heartbeat thread (no ``alive`` records at random moments).

None of this is public API.
"""

import os
import random
import re
import socket
import time

# Always used with fullmatch: `$` would also match before a final newline ("abc\n" is not an id).
RUN_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
VERSION_ID_RE = re.compile(r"v[a-z0-9]{6,32}")
# What readers accept as a version id in a record (src/core/ingest.ts): the run id alphabet.
RECORD_VERSION_RE = RUN_ID_RE
STAMP_RE = re.compile(r"(\d{13})-[a-z0-9]{8}")
MAX_NAME_LENGTH = 1000
MAX_RECORD_NESTING = 100
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

_ADJECTIVES = (
    "amber", "ancient", "autumn", "bold", "brisk", "calm", "cosmic", "crimson", "dainty", "dark",
    "dashing", "dazzling", "deep", "divine", "dry", "dutiful", "eager", "earnest", "electric",
    "elegant", "ethereal", "fanciful", "fast", "fearless", "fiery", "floral", "fluent", "fragrant",
    "frosty", "gallant", "gentle", "giddy", "glad", "glorious", "golden", "graceful", "hardy",
    "hearty", "helpful", "hopeful", "icy", "jolly", "keen", "lilac", "lively", "lucky", "lunar",
    "magic", "major", "mild", "misty", "morning", "noble", "northern", "olive", "peach", "polar",
    "proud", "quiet", "rare", "restful", "rosy", "royal", "rural", "sandy", "sage", "scarlet",
    "serene", "sharp", "silver", "smooth", "snowy", "solar", "sparkling", "spring", "stellar",
    "stilted", "summer", "sunny", "swift", "twilight", "upbeat", "vague", "valiant", "vibrant",
    "vivid", "warm", "wandering", "whole", "wild", "winter", "wise", "woven", "young", "zesty",
)
_NOUNS = (
    "armadillo", "aurora", "bird", "blaze", "breeze", "brook", "bush", "butterfly", "cherry",
    "cloud", "comet", "cosmos", "darkness", "dawn", "deluge", "dew", "dream", "dust", "elevator",
    "energy", "field", "fire", "firefly", "flower", "fog", "forest", "frog", "frost", "galaxy",
    "glade", "glitter", "grass", "haze", "hill", "lake", "leaf", "lion", "meadow", "moon",
    "morning", "mountain", "night", "oath", "ocean", "paper", "pine", "plant", "planet", "pond",
    "puddle", "rain", "resonance", "river", "salad", "sea", "shadow", "shape", "silence", "sky",
    "smoke", "snow", "snowflake", "sound", "spaceship", "star", "sun", "sunset", "surf", "terrain",
    "thunder", "totem", "tree", "valley", "vortex", "water", "waterfall", "wave", "wildflower",
    "wind", "wood", "yogurt",
)


class _Env(object):
    """The process-wide sources of randomness, time, pid and host."""

    def __init__(self):
        self.rng = random.SystemRandom()
        self.clock = time.time
        self.pid = os.getpid()
        self.host = socket.gethostname()
        self.thread = True
        self._signature = None
        self._last_stamp_ms = 0
        self.skew = 0.0

    def refresh(self):
        """Re-reads the test environment variables; a no-op unless they changed."""
        sig = tuple(os.environ.get(k) for k in (
            "RUNREWIND_TEST_CLOCK", "RUNREWIND_TEST_SEED", "RUNREWIND_TEST_PID",
            "RUNREWIND_TEST_HOST", "RUNREWIND_TEST_NO_THREAD", "RUNREWIND_TEST_CLOCK_OFFSET"))
        if sig == self._signature:
            return
        self._signature = sig
        clock, seed, pid, host, no_thread, offset = sig
        if clock:
            start, _, tick = clock.partition(":")
            self.clock = _FakeClock(float(start), float(tick) if tick else 0.25)
        elif offset:
            self.clock = lambda: time.time() + self.skew
        else:
            self.clock = time.time
        self.rng = random.Random(int(seed)) if seed else random.SystemRandom()
        self.pid = int(pid) if pid else os.getpid()
        self.host = host if host else socket.gethostname()
        self.thread = not no_thread
        self._last_stamp_ms = 0
        self.skew = float(offset) if offset else 0.0

    def now(self):
        """This host's wall clock (real, unlike a fake test clock), with the test skew."""
        return time.time() + self.skew

    def base36(self, n):
        choice = self.rng.choice
        return "".join(choice(_ALPHABET) for _ in range(n))

    def run_id(self):
        return self.base36(8)

    def version_id(self):
        return "v" + self.base36(12)

    def run_name(self, number):
        return "%s-%s-%d" % (self.rng.choice(_ADJECTIVES), self.rng.choice(_NOUNS), number)

    def stamp(self, now, after_ms=0):
        """A file stamp later than every stamp seen (``after_ms``) and made before in this process."""
        ms = max(int(now * 1000), after_ms + 1, self._last_stamp_ms + 1)
        self._last_stamp_ms = ms
        return "%013d-%s" % (ms, self.base36(8))


class _FakeClock(object):
    def __init__(self, start, tick):
        self.now = start
        self.tick = tick

    def __call__(self):
        now = self.now
        self.now = now + self.tick
        return now


ENV = _Env()
