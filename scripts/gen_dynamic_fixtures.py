#!/usr/bin/python3
"""Generates the small ONNX models with run-time shapes that
test/Import/ONNX/dynamic_shapes.mlir and test/e2e/dynamic-shape-ops.test use.

    /usr/bin/python3 scripts/gen_dynamic_fixtures.py

Writes test/Import/ONNX/Inputs/dynamic/NAME.onnx and, for models that run,
NAME/test_data_set_K/{input,output}_*.pb with NumPy references (ONNX
semantics). The outputs are checked in (a few KB); rerun after changing this
script. Deterministic.
"""
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test",
                   "Import", "ONNX", "Inputs", "dynamic")
F, I64 = TensorProto.FLOAT, TensorProto.INT64
n = helper.make_node


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def save(name, nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers))
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)],
        producer_name="gen_dynamic_fixtures")
    model.ir_version = 8
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())


def data(name, k, inputs, outputs):
    d = os.path.join(OUT, name, "test_data_set_%d" % k)
    os.makedirs(d, exist_ok=True)
    for kind, tensors in (("input", inputs), ("output", outputs)):
        for i, (tname, array) in enumerate(tensors):
            # np.ascontiguousarray would make 0-D values 1-D.
            t = numpy_helper.from_array(np.asarray(array), tname)
            with open(os.path.join(d, "%s_%d.pb" % (kind, i)), "wb") as f:
                f.write(t.SerializeToString())


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def shape_ops():
    """x[N, 3] with a symbolic N: every data-dependent op at once.
      s   = Shape(x)                          [N, 3]
      sz  = Size(x)                           N * 3
      c   = ConstantOfShape(s, value=2.5)     [N, 3] of 2.5
      nz  = NonZero(x)                        [2, count]
      r   = Range(1, N * 3, 2)                run-time length
      y   = Reshape(x, Concat([3], Unsqueeze(Gather(s, 0))))   [3, N]
    """
    save("shape_ops", [
        n("Shape", ["x"], ["s"], name="shape"),
        n("Size", ["x"], ["sz"], name="size"),
        n("ConstantOfShape", ["s"], ["c"], name="fill",
          value=helper.make_tensor("v", F, [1], [2.5])),
        n("NonZero", ["x"], ["nz"], name="nonzero"),
        n("Range", ["one", "sz", "two"], ["r"], name="range"),
        n("Gather", ["s", "zero"], ["b"], name="batch", axis=0),
        n("Unsqueeze", ["b", "axes0"], ["b1"], name="batch1"),
        n("Concat", ["three", "b1"], ["target"], name="target", axis=0),
        n("Reshape", ["x", "target"], ["y"], name="reshape"),
    ], [vi("x", F, ["N", 3])],
        [vi("s", I64, [2]), vi("sz", I64, []), vi("c", F, ["N", 3]),
         vi("nz", I64, [2, None]), vi("r", I64, [None]),
         vi("y", F, [3, "N"])],
        [const("one", np.int64(1)), const("two", np.int64(2)),
         const("zero", np.int64(0)), const("axes0", np.array([0], np.int64)),
         const("three", np.array([3], np.int64))])
    rng = np.random.default_rng(7)
    for k, rows in enumerate([1, 3, 8]):
        x = rng.standard_normal((rows, 3)).astype(np.float32)
        x[rng.random((rows, 3)) < 0.4] = 0.0
        sz = np.int64(x.size)
        data("shape_ops", k, [("x", x)], [
            ("s", np.array(x.shape, np.int64)), ("sz", sz),
            ("c", np.full(x.shape, 2.5, np.float32)),
            ("nz", np.array(np.nonzero(x), np.int64)),
            ("r", np.arange(1, sz, 2, dtype=np.int64)),
            ("y", x.reshape(3, rows))])

    # A float Range to a run-time limit: r = Range(0.5, limit, 0.75).
    save("range_float", [n("Range", ["start", "limit", "delta"], ["r"],
                           name="range")],
         [vi("limit", F, [])], [vi("r", F, [None])],
         [const("start", np.float32(0.5)), const("delta", np.float32(0.75))])
    for k, limit in enumerate([0.0, 3.0, 7.9]):
        data("range_float", k, [("limit", np.float32(limit))],
             [("r", np.arange(0.5, limit, 0.75, dtype=np.float32))])

    # Unsupported: ConstantOfShape whose shape has an unknown length, so the
    # output rank is unknown.
    save("fill_unknown_rank", [n("ConstantOfShape", ["s"], ["c"],
                                 name="fill")],
         [vi("s", I64, [None])], [vi("c", F, None)])


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    shape_ops()
