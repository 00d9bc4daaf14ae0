"""Writes ONNX test-data folders for test/Import/ONNX/Inputs/symbolic_dims.onnx
(x: [?, 3, ?] -> y = transpose(relu(x), [0, 2, 1]), f = Flatten-like
Reshape(x, [0, -1])) with NumPy references, at two run-time shapes.

    symbolic-dims-data.py OUT_DIR
"""
import os
import sys

import numpy as np
from onnx import numpy_helper


def write(folder, x):
    os.makedirs(folder, exist_ok=True)
    tensors = {
        "input_0.pb": ("x", x),
        "output_0.pb": ("y", np.maximum(x, 0).transpose(0, 2, 1)),
        "output_1.pb": ("f", x.reshape(x.shape[0], -1)),
    }
    for name, (tensor_name, value) in tensors.items():
        proto = numpy_helper.from_array(np.ascontiguousarray(value), tensor_name)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(proto.SerializeToString())


rng = np.random.default_rng(7)
out = sys.argv[1]
write(os.path.join(out, "test_data_set_0"),
      rng.standard_normal((2, 3, 5)).astype(np.float32))
write(os.path.join(out, "test_data_set_1"),
      rng.standard_normal((4, 3, 1)).astype(np.float32))
