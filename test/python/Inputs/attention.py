"""ds.compile(fuse_attention=...) on the exported GPT-style model: both
builds match PyTorch, and the switch reaches the compiler (the artifacts
differ)."""
import os
import sys

import torch

import common
import ds

tmp = sys.argv[1]
os.makedirs(tmp, exist_ok=True)
model, x = common.export_models.make_model("gpt")
with torch.no_grad():
    want = model(x).numpy()
path = os.path.join(tmp, "gpt.onnx")
torch.onnx.export(model, (x,), path, opset_version=14,
                  input_names=["input_ids"], output_names=["output"])

artifacts = {}
for fuse in (True, False):
    so = os.path.join(tmp, "gpt-%s.so" % fuse)
    m = ds.compile(path, fuse_attention=fuse, artifact_path=so)
    common.check_close("fuse_attention=%s" % fuse, m(x.numpy()), want)
    with open(so, "rb") as f:
        artifacts[fuse] = f.read()
print("artifacts differ:", artifacts[True] != artifacts[False])
