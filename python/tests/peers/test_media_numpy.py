"""The numpy cases of the media tests (python/tests/test_media.py), which the python stage skips where numpy
is not installed: here, in the peers venv, numpy is there, so they run."""

import os
import sys

PYTHON_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

import numpy  # noqa: E402,F401  (fails loudly if the venv lost numpy, instead of skipping)

from tests.test_media import NumpyMediaTest  # noqa: E402,F401
