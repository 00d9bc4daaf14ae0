"""Shared helpers of the ds Python package tests."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(SRC_ROOT, "scripts"))

import export_models  # noqa: E402  (the model builders of scripts/export_models.py)


def check_close(name, got, want, rtol=1e-3, atol=1e-4):
    import numpy as np
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (name, got.shape, want.shape)
    assert got.dtype == want.dtype, (name, got.dtype, want.dtype)
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        raise SystemExit("%s: max abs diff %g" % (name, np.abs(got - want).max()))
    print("%s: match" % name)
