"""Bad models, options and inputs raise Python exceptions; the process goes on."""
import numpy as np
import onnx
from onnx import TensorProto, helper

import ds


def attempt(label, fn):
    try:
        fn()
    except ds.CompileError as e:
        print("%s: CompileError status=%s diagnostics=%d" % (
            label, e.status, len(e.diagnostics)))
        for d in e.diagnostics:
            assert d.severity in ("error", "warning", "note", "remark"), d
            print("  [%s] %r %s" % (d.severity, d.location, d.message))
        print("  str: %s" % str(e).splitlines()[0])
    except (TypeError, ValueError, ds.RunError) as e:
        print("%s: %s: %s" % (label, type(e).__name__, e))
    else:
        print("%s: no error" % label)


attempt("garbage", lambda: ds.compile(b"\x08\x07garbage bytes \xff\xff"))
attempt("empty", lambda: ds.compile(b""))
attempt("missing-file", lambda: ds.compile("/nonexistent/model.onnx"))
attempt("not-a-model", lambda: ds.compile(42))

# A valid model with an op ds does not import.
node = helper.make_node("Unique", ["x"], ["y"])
graph = helper.make_graph(
    [node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])])
unsupported = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
attempt("unsupported", lambda: ds.compile(unsupported.SerializeToString()))

# Add: x[2,3] float32 + y[2,3] float32.
node = helper.make_node("Add", ["x", "y"], ["z"])
graph = helper.make_graph(
    [node], "add",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
     helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
    [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 3])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
data = model.SerializeToString()
attempt("truncated", lambda: ds.compile(data[:len(data) // 2]))
attempt("target", lambda: ds.compile(data, target="tpu"))
m = ds.compile(data)
ones = np.ones((2, 3), np.float32)
attempt("dtype", lambda: m(x=ones, y=np.ones((2, 3), np.float64)))
attempt("shape", lambda: m(x=ones, y=np.ones((3, 2), np.float32)))
attempt("rank", lambda: m(ones, np.ones(6, np.float32)))
attempt("missing-input", lambda: m(x=ones))
attempt("unknown-input", lambda: m(x=ones, y=ones, w=ones))
attempt("twice", lambda: m(ones, x=ones, y=ones))
attempt("too-many", lambda: m(ones, ones, ones))
print("result:", m(x=ones, y=ones * 2).tolist())
print("still running")
