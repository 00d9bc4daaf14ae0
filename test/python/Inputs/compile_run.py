"""ds.compile on an exported model (path and bytes), run with numpy and
torch inputs, metadata, artifacts on disk."""
import io
import os
import sys

import numpy as np
import torch

import common
import ds

tmp = sys.argv[1]
os.makedirs(tmp, exist_ok=True)
model, x = common.export_models.make_model("mlp")
with torch.no_grad():
    want = model(x).numpy()
path = os.path.join(tmp, "mlp.onnx")
torch.onnx.export(model, (x,), path, opset_version=14,
                  input_names=["input"], output_names=["output"])

# From a path.
m = ds.compile(path)
print(m)
print("inputs:", [(i.name, str(i.dtype), i.shape) for i in m.inputs])
print("outputs:", [(o.name, str(o.dtype), o.shape) for o in m.outputs])
y = m(input=x.numpy())
assert isinstance(y, np.ndarray)
common.check_close("path", y, want)
common.check_close("positional", m(x.numpy()), want)
# A torch tensor goes through DLPack; a Fortran-ordered array is copied to C order.
common.check_close("torch-input", m(x), want)
common.check_close("fortran-input", m(np.asfortranarray(x.numpy())), want)

# From bytes, keeping the artifact on disk; reload it.
with open(path, "rb") as f:
    data = f.read()
so = os.path.join(tmp, "mlp.so")
m2 = ds.compile(data, target="cpu", artifact_path=so)
common.check_close("bytes", m2(input=x.numpy()), want)
common.check_close("bytearray", ds.compile(bytearray(data))(x.numpy()), want)
common.check_close("load", ds.load(so)(x.numpy()), want)
common.check_close("compile-so", ds.compile(so)(x.numpy()), want)

# os.PathLike, and a `with` block that closes the module.
import pathlib
with ds.compile(pathlib.Path(path)) as m3:
    common.check_close("pathlike", m3(x.numpy()), want)
print("closed:", m3.closed)
try:
    m3(x.numpy())
except ValueError as e:
    print("ValueError:", e)
