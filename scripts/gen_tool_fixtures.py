#!/usr/bin/python3
"""Generate the tiny fixtures of the ds-run / ds-onnx-test lit tests.

Usage:
  /usr/bin/python3 scripts/gen_tool_fixtures.py [OUTDIR]

OUTDIR defaults to test/Tools/Inputs. The outputs are checked in; rerun
this script only to change them. Everything is deterministic.

  add.onnx                   z = x + y, x and y float32[2, 3]
                             (add.mlir, its dsg form, is hand-written)
  add/good/                  input_0.pb, input_1.pb, output_0.pb
  add/bad_output/            the right inputs, a wrong reference output
  add/wrong_count/           one input only
  add/wrong_shape/           y is float32[3, 2]
  add/wrong_dtype/           y is float64[2, 3]
  add/x.npy, add/y.npy       the inputs of add/good as .npy
  unsupported/               a backend-test folder whose model uses an op
                             outside ds's op set (Det)
  runner/test_*/             folders for the ds-onnx-test runner tests: each
                             model.onnx is a one-node model whose op the
                             --only-ops tests select on; the fake ds-run
                             (fake-ds-run) acts on the folder name.

Needs Debian's python (onnx, numpy): call it with /usr/bin/python3.
"""

import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 14


def write_pb(path, array, name):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    t = numpy_helper.from_array(np.ascontiguousarray(array), name=name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def one_node_model(op, inputs, outputs, attrs=None):
    """A model with one `op` node; inputs/outputs are (name, type, shape)."""
    node = helper.make_node(op, [n for n, _, _ in inputs],
                            [n for n, _, _ in outputs], **(attrs or {}))
    graph = helper.make_graph(
        [node], op.lower(),
        [helper.make_tensor_value_info(*i) for i in inputs],
        [helper.make_tensor_value_info(*o) for o in outputs])
    model = helper.make_model(
        graph, producer_name="ds-gen-tool-fixtures",
        opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def save(model, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def gen_add(out):
    f32 = TensorProto.FLOAT
    save(one_node_model("Add", [("x", f32, [2, 3]), ("y", f32, [2, 3])],
                        [("z", f32, [2, 3])]),
         os.path.join(out, "add.onnx"))
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    y = np.array([[1, -2, 3], [-4, 5, -6]], dtype=np.float32)
    z = x + y
    d = os.path.join(out, "add")
    for sub in ("good", "bad_output"):
        write_pb(os.path.join(d, sub, "input_0.pb"), x, "x")
        write_pb(os.path.join(d, sub, "input_1.pb"), y, "y")
    write_pb(os.path.join(d, "good", "output_0.pb"), z, "z")
    bad = z.copy()
    bad[1, 1] += 0.5
    write_pb(os.path.join(d, "bad_output", "output_0.pb"), bad, "z")
    write_pb(os.path.join(d, "wrong_count", "input_0.pb"), x, "x")
    write_pb(os.path.join(d, "wrong_shape", "input_0.pb"), x, "x")
    write_pb(os.path.join(d, "wrong_shape", "input_1.pb"), y.reshape(3, 2), "y")
    write_pb(os.path.join(d, "wrong_dtype", "input_0.pb"), x, "x")
    write_pb(os.path.join(d, "wrong_dtype", "input_1.pb"),
             y.astype(np.float64), "y")
    np.save(os.path.join(d, "x.npy"), x)
    np.save(os.path.join(d, "y.npy"), y)


def gen_unsupported(out):
    # RandomUniformLike draws random numbers, which ds does not import (an
    # op that stays unsupported; Det, used before, is imported now).
    f32 = TensorProto.FLOAT
    d = os.path.join(out, "unsupported")
    save(one_node_model("RandomUniformLike", [("a", f32, [2, 2])],
                        [("d", f32, [2, 2])]),
         os.path.join(d, "model.onnx"))
    a = np.array([[0.5, 1], [0, 0.25]], dtype=np.float32)
    write_pb(os.path.join(d, "test_data_set_0", "input_0.pb"), a, "a")
    write_pb(os.path.join(d, "test_data_set_0", "output_0.pb"),
             np.array([[0, 1], [0, 0]], dtype=np.float32), "d")


def gen_runner(out):
    f32 = TensorProto.FLOAT
    unary = lambda op: one_node_model(op, [("x", f32, [2])], [("y", f32, [2])])
    # name -> op of its model; the fake ds-run decides by name.
    tests = {
        "test_pass": "Relu",
        "test_fail": "Relu",
        "test_crash": "Relu",
        "test_timeout": "Relu",
        "test_unsupported": "Relu",
        "test_other_op": "Sigmoid",
        "test_two_sets": "Relu",
    }
    x = np.array([1, -1], dtype=np.float32)
    for name, op in tests.items():
        d = os.path.join(out, "runner", name)
        save(unary(op), os.path.join(d, "model.onnx"))
        sets = ["test_data_set_0"]
        if name == "test_two_sets":
            sets.append("test_data_set_1")
        for s in sets:
            write_pb(os.path.join(d, s, "input_0.pb"), x, "x")
    # A folder without test_data_set_*: not a test.
    save(unary("Relu"), os.path.join(out, "runner", "not_a_test", "model.onnx"))


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = argv[1] if len(argv) > 1 else os.path.join(root, "test", "Tools",
                                                     "Inputs")
    for sub in ("add", "unsupported", "runner"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    gen_add(out)
    gen_unsupported(out)
    gen_runner(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
