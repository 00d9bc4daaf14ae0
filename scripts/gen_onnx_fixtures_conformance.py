#!/usr/bin/python3
"""Generates the ONNX fixtures of test/Import/ONNX/conformance_ops.mlir.

Older op versions (Pad-2, Slice-1, Upsample-9), Det, GridSample,
TfIdfVectorizer, Loop, Slice with run-time ends and the optimizers of the ai.onnx.preview.training domain,
each with models that the importer must reject with a diagnostic. Run with
a Python that has the `onnx` package (Debian: /usr/bin/python3):

    /usr/bin/python3 scripts/gen_onnx_fixtures_conformance.py

The outputs are checked in; rerun after changing this script.
"""
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test",
                   "Import", "ONNX", "Inputs")

F = TensorProto.FLOAT
I64 = TensorProto.INT64
I32 = TensorProto.INT32
TRAINING = "ai.onnx.preview.training"


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def save(name, nodes, inputs, outputs, opsets, initializers=()):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers))
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets],
        producer_name="gen_onnx_fixtures_conformance")
    model.ir_version = 8
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())


def main():
    n = helper.make_node
    # Pad-2 and Slice-1: parameters as attributes.
    save("legacy_pad_slice", [
        n("Pad", ["x"], ["padded"], name="pad_const", pads=[0, 1, 0, 2],
          value=1.5),
        n("Pad", ["padded"], ["reflected"], name="pad_reflect",
          pads=[1, 0, 1, 0], mode="reflect"),
        n("Slice", ["reflected"], ["sliced"], name="slice", starts=[1, -3],
          ends=[100, -1], axes=[0, 1]),
    ], [vi("x", F, [2, 3])], [vi("sliced", F, [3, 4])], [("", 6)])
    save("legacy_pad_bad_mode", [
        n("Pad", ["x"], ["y"], name="pad_wrap", pads=[0, 1, 0, 1],
          mode="wrap"),
    ], [vi("x", F, [2, 3])], [vi("y", F, [2, 5])], [("", 6)])
    save("legacy_slice_bad_axes", [
        n("Slice", ["x"], ["y"], name="slice_twice", starts=[0, 0],
          ends=[1, 1], axes=[1, -1]),
    ], [vi("x", F, [2, 3])], [vi("y", F, [2, 1])], [("", 6)])
    # Upsample-9: Resize with asymmetric coordinates and floor rounding.
    save("upsample", [
        n("Upsample", ["x", "scales"], ["y"], name="up", mode="nearest"),
    ], [vi("x", F, [1, 1, 2, 2])], [vi("y", F, [1, 1, 4, 6])], [("", 9)],
         initializers=[numpy_helper.from_array(
             np.array([1, 1, 2, 3], np.float32), "scales")])
    save("upsample_bad_mode", [
        n("Upsample", ["x", "scales"], ["y"], name="up_cubic", mode="cubic"),
    ], [vi("x", F, [1, 1, 2, 2])], [vi("y", F, [1, 1, 4, 4])], [("", 9)],
         initializers=[numpy_helper.from_array(
             np.array([1, 1, 2, 2], np.float32), "scales")])
    # Det.
    save("det", [n("Det", ["x"], ["y"], name="det")],
         [vi("x", F, [2, 3, 3])], [vi("y", F, [2])], [("", 11)])
    save("det_too_large", [n("Det", ["x"], ["y"], name="det6")],
         [vi("x", F, [6, 6])], [vi("y", F, [])], [("", 11)])
    # GridSample.
    save("gridsample", [
        n("GridSample", ["x", "grid"], ["y"], name="bilinear_zeros"),
        n("GridSample", ["x", "grid"], ["z"], name="bicubic_reflect",
          mode="bicubic", padding_mode="reflection", align_corners=1),
    ], [vi("x", F, [1, 2, 3, 4]), vi("grid", F, [1, 5, 6, 2])],
         [vi("y", F, [1, 2, 5, 6]), vi("z", F, [1, 2, 5, 6])], [("", 16)])
    save("gridsample_bad_mode", [
        n("GridSample", ["x", "grid"], ["y"], name="gs_linear",
          mode="linear"),
    ], [vi("x", F, [1, 2, 3, 4]), vi("grid", F, [1, 5, 6, 2])],
         [vi("y", F, [1, 2, 5, 6])], [("", 16)])
    save("gridsample_int", [
        n("GridSample", ["x", "grid"], ["y"], name="gs_int"),
    ], [vi("x", I32, [1, 2, 3, 4]), vi("grid", F, [1, 5, 6, 2])],
         [vi("y", I32, [1, 2, 5, 6])], [("", 16)])
    # TfIdfVectorizer: unigrams and bigrams with skips.
    save("tfidf", [
        n("TfIdfVectorizer", ["x"], ["y"], name="tfidf", mode="TFIDF",
          min_gram_length=1, max_gram_length=2, max_skip_count=1,
          ngram_counts=[0, 2], ngram_indexes=[3, 0, 1, 2],
          pool_int64s=[4, 7, 4, 7, 7, 4], weights=[1.0, 2.0, 0.5, 3.0]),
    ], [vi("x", I32, [2, 5])], [vi("y", F, [2, 4])], [("", 9)])
    save("tfidf_strings", [
        n("TfIdfVectorizer", ["x"], ["y"], name="tfidf_str", mode="TF",
          min_gram_length=1, max_gram_length=1, max_skip_count=0,
          ngram_counts=[0], ngram_indexes=[0], pool_strings=["a"]),
    ], [vi("x", I32, [5])], [vi("y", F, [1])], [("", 9)])
    # Optimizers of the training domain; the models import no default
    # domain.
    save("momentum", [
        n("Momentum", ["r", "t", "x", "g", "v"], ["x_new", "v_new"],
          name="nesterov", domain=TRAINING, alpha=0.9, beta=0.5,
          norm_coefficient=0.01, mode="nesterov"),
        n("Adagrad", ["r", "t", "x", "g", "v"], ["x_ada", "h_new"],
          name="adagrad", domain=TRAINING, epsilon=1e-5, decay_factor=0.1),
    ], [vi("r", F, []), vi("t", I64, []), vi("x", F, [3]), vi("g", F, [3]),
        vi("v", F, [3])],
         [vi("x_new", F, [3]), vi("v_new", F, [3]), vi("x_ada", F, [3]),
          vi("h_new", F, [3])], [(TRAINING, 1)])
    save("momentum_bad_mode", [
        n("Momentum", ["r", "t", "x", "g", "v"], ["x_new", "v_new"],
          name="heavy_ball", domain=TRAINING, alpha=0.9, beta=0.5,
          norm_coefficient=0.0, mode="heavy"),
    ], [vi("r", F, []), vi("t", I64, []), vi("x", F, [3]), vi("g", F, [3]),
        vi("v", F, [3])],
         [vi("x_new", F, [3]), vi("v_new", F, [3])], [(TRAINING, 1)])
    save("adam_bad_arity", [
        n("Adam", ["r", "t", "x", "g", "v"], ["x_new", "v_new"],
          name="adam3", domain=TRAINING),
    ], [vi("r", F, []), vi("t", I64, []), vi("x", F, [3]), vi("g", F, [3]),
        vi("v", F, [3])],
         [vi("x_new", F, [3]), vi("v_new", F, [3])], [(TRAINING, 1)])
    # MaxUnpool: an output_shape below the default is rejected.
    save("maxunpool_small", [
        n("MaxUnpool", ["x", "i", "shape"], ["y"], name="small_unpool",
          kernel_shape=[2, 2], strides=[2, 2]),
    ], [vi("x", F, [1, 1, 2, 2]), vi("i", I64, [1, 1, 2, 2]),
        vi("shape", I64, [4])], [vi("y", F, [1, 1, 3, 3])], [("", 11)])
    # Sequences built and read inside the graph.
    c = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)
    save("sequence", [
        n("SplitToSequence", ["x"], ["rows"], name="split", axis=0,
          keepdims=0),
        n("SequenceConstruct", ["x", "x"], ["pair"], name="construct"),
        n("SequenceInsert", ["pair", "x", "zero"], ["three"], name="insert"),
        n("SequenceErase", ["three", "minus_one"], ["two"], name="erase"),
        n("ConcatFromSequence", ["two"], ["stacked"], name="stack", axis=0,
          new_axis=1),
        n("SequenceAt", ["rows", "minus_one"], ["last_row"], name="at"),
        n("SequenceLength", ["rows"], ["len"], name="length"),
    ], [vi("x", F, [2, 3])],
         [vi("stacked", F, [2, 2, 3]), vi("last_row", F, [3]),
          vi("len", I64, [])], [("", 12)],
         initializers=[c("zero", 0), c("minus_one", -1)])
    save("sequence_runtime_position", [
        n("SequenceConstruct", ["x", "x"], ["pair"], name="construct"),
        n("SequenceAt", ["pair", "pos"], ["y"], name="at_pos"),
    ], [vi("x", F, [2, 3]), vi("pos", I64, [])], [vi("y", F, [2, 3])],
         [("", 12)])
    save("sequence_to_tensor_op", [
        n("SequenceConstruct", ["x", "x"], ["pair"], name="construct"),
        n("Identity", ["pair"], ["y"], name="identity"),
    ], [vi("x", F, [2, 3])],
         [helper.make_tensor_sequence_value_info("y", F, [2, 3])],
         [("", 16)])
    save("sequence_output", [
        n("SequenceConstruct", ["x", "x"], ["pair"], name="construct"),
    ], [vi("x", F, [2, 3])],
         [helper.make_tensor_sequence_value_info("pair", F, [2, 3])],
         [("", 12)])
    # DFT of a real signal along axis 1, onesided; a bad axis.
    save("dft", [n("DFT", ["x"], ["y"], name="dft", axis=1, onesided=1)],
         [vi("x", F, [2, 4, 1])], [vi("y", F, [2, 3, 2])], [("", 17)])
    save("dft_bad_axis", [n("DFT", ["x"], ["y"], name="dft_last", axis=2)],
         [vi("x", F, [2, 4, 1])], [vi("y", F, [2, 4, 2])], [("", 17)])
    # If at a run-time condition selects; a faulting branch is rejected.
    g = helper.make_graph
    then_g = g([n("Add", ["x", "x"], ["t"], name="twice")], "then", [],
               [vi("t", F, [3])])
    else_g = g([n("Neg", ["x"], ["f"], name="negate")], "else", [],
               [vi("f", F, [3])])
    save("if_select", [
        n("If", ["c"], ["y"], name="if", then_branch=then_g,
          else_branch=else_g),
    ], [vi("c", TensorProto.BOOL, []), vi("x", F, [3])], [vi("y", F, [3])],
         [("", 13)])
    gather_g = g([n("Gather", ["x", "i"], ["t"], name="pick", axis=0)],
                 "then", [], [vi("t", F, [1])])
    first_g = g([n("Slice", ["x", "zero1", "one1"], ["f"], name="first")],
                "else", [], [vi("f", F, [1])])
    save("if_faulting", [
        n("If", ["c"], ["y"], name="if_gather", then_branch=gather_g,
          else_branch=first_g),
    ], [vi("c", TensorProto.BOOL, []), vi("x", F, [3]), vi("i", I64, [1])],
         [vi("y", F, [1])], [("", 13)],
         initializers=[c("zero1", [0]), c("one1", [1])])
    # Scan-9 over axis 1 with a running sum; scan outputs stacked.
    body = g([n("Add", ["s", "v"], ["s_out"], name="acc"),
              n("Identity", ["s_out"], ["o"], name="emit")], "body",
             [vi("s", F, [2]), vi("v", F, [2])],
             [vi("s_out", F, [2]), vi("o", F, [2])])
    save("scan", [
        n("Scan", ["init", "xs"], ["sum", "partial"], name="scan", body=body,
          num_scan_inputs=1, scan_input_axes=[1],
          scan_output_directions=[1]),
    ], [vi("init", F, [2]), vi("xs", F, [2, 3])],
         [vi("sum", F, [2]), vi("partial", F, [3, 2])], [("", 11)])
    save("scan_bad_count", [
        n("Scan", ["init", "xs"], ["sum", "partial"], name="scan_many",
          body=body, num_scan_inputs=3),
    ], [vi("init", F, [2]), vi("xs", F, [3, 2])],
         [vi("sum", F, [2]), vi("partial", F, [3, 2])], [("", 11)])
    gen_loop(n, g)
    gen_slice_runtime(n)
    save("no_default_opset", [n("Relu", ["x"], ["y"], name="relu")],
         [vi("x", F, [3])], [vi("y", F, [3])], [(TRAINING, 1)])


def loop_reference(m, cond, s, v, limit):
    """What ONNX Loop computes for the `loop` fixture, written out."""
    rows = []
    i = 0
    while cond and i < m:
        s = s + v
        cond = bool(s.sum() < limit)
        rows.append(s * np.float32(i))
        i += 1
    return s, np.array(rows, np.float32).reshape(len(rows), 2)


def gen_loop(n, g):
    """Loop (scf.while): a run-time trip count, a condition the body computes
    (early exit), a value of the enclosing graph used in the body, a
    loop-carried value and a scan output; test data from loop_reference;
    malformed loops the importer rejects."""
    B = TensorProto.BOOL
    body = g([n("Add", ["s", "v"], ["s_out"], name="step"),
              n("ReduceSum", ["s_out"], ["total"], name="total", keepdims=0),
              n("Less", ["total", "limit"], ["cond_out"], name="below"),
              n("Cast", ["i"], ["i_f"], name="iter_float", to=F),
              n("Mul", ["s_out", "i_f"], ["row"], name="row")], "body",
             [vi("i", I64, []), vi("cond_in", B, []), vi("s", F, [2])],
             [vi("cond_out", B, []), vi("s_out", F, [2]),
              vi("row", F, [2])])
    inputs = [vi("m", I64, []), vi("cond", B, []), vi("s0", F, [2]),
              vi("v", F, [2]), vi("limit", F, [])]
    save("loop", [n("Loop", ["m", "cond", "s0"], ["s_final", "rows"],
                    name="loop", body=body)],
         inputs, [vi("s_final", F, [2]), vi("rows", F, ["n", 2])],
         [("", 13)])
    # Two data sets: the body's condition stops it after 6 of 10 allowed
    # iterations; the trip count stops it after 3.
    for k, m in enumerate([10, 3]):
        data = os.path.join(OUT, "loop_data", "test_data_set_%d" % k)
        os.makedirs(data, exist_ok=True)
        args = [np.array(m, np.int64), np.array(True),
                np.array([1.0, 2.0], np.float32),
                np.array([0.5, 1.0], np.float32), np.array(12.0, np.float32)]
        for i, a in enumerate(args):
            t = numpy_helper.from_array(a, inputs[i].name)
            with open(os.path.join(data, "input_%d.pb" % i), "wb") as f:
                f.write(t.SerializeToString())
        for i, (name, a) in enumerate(zip(["s_final", "rows"],
                                          loop_reference(m, True, *args[2:]))):
            t = numpy_helper.from_array(a, name)
            with open(os.path.join(data, "output_%d.pb" % i), "wb") as f:
                f.write(t.SerializeToString())

    # No trip count: only the body's condition ends the loop (6 iterations).
    save("loop_while", [n("Loop", ["", "cond", "s0"], ["s_final", "rows"],
                          name="loop_while", body=body)],
         inputs[1:], [vi("s_final", F, [2]), vi("rows", F, ["n", 2])],
         [("", 13)])
    data = os.path.join(OUT, "loop_while_data", "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    args = [np.array(True), np.array([1.0, 2.0], np.float32),
            np.array([0.5, 1.0], np.float32), np.array(12.0, np.float32)]
    for i, a in enumerate(args):
        t = numpy_helper.from_array(a, inputs[1 + i].name)
        with open(os.path.join(data, "input_%d.pb" % i), "wb") as f:
            f.write(t.SerializeToString())
    for i, (name, a) in enumerate(zip(["s_final", "rows"],
                                      loop_reference(1 << 62, *args))):
        t = numpy_helper.from_array(a, name)
        with open(os.path.join(data, "output_%d.pb" % i), "wb") as f:
            f.write(t.SerializeToString())

    # Malformed: a body without the condition input; a float trip count; a
    # loop-carried value whose shape changes; no body at all.
    short = g([n("Identity", ["s"], ["s_out"], name="same"),
               n("Identity", ["c"], ["c_out"], name="same_cond")], "short",
              [vi("c", B, []), vi("s", F, [2])],
              [vi("c_out", B, []), vi("s_out", F, [2])])
    save("loop_bad_body", [n("Loop", ["m", "cond", "s0"], ["s_final"],
                             name="loop_short", body=short)],
         inputs[:3], [vi("s_final", F, [2])], [("", 13)])
    same = g([n("Identity", ["s"], ["s_out"], name="same"),
              n("Identity", ["c"], ["c_out"], name="same_cond")], "same",
             [vi("i", I64, []), vi("c", B, []), vi("s", F, [2])],
             [vi("c_out", B, []), vi("s_out", F, [2])])
    save("loop_float_trip_count", [
        n("Loop", ["mf", "cond", "s0"], ["s_final"], name="loop_float",
          body=same),
    ], [vi("mf", F, []), inputs[1], inputs[2]], [vi("s_final", F, [2])],
         [("", 13)])
    grow = g([n("Concat", ["s", "s"], ["s_out"], name="grow", axis=0),
              n("Identity", ["c"], ["c_out"], name="same_cond")], "grow",
             [vi("i", I64, []), vi("c", B, []), vi("s", F, [2])],
             [vi("c_out", B, []), vi("s_out", F, [4])])
    save("loop_carried_grows", [
        n("Loop", ["m", "cond", "s0"], ["s_final"], name="loop_grow",
          body=grow),
    ], inputs[:3], [vi("s_final", F, [2])], [("", 13)])
    # Unsigned loop-carried values are not supported (the scf.while's types
    # are not converted to signless).
    U8 = TensorProto.UINT8
    inc = g([n("Add", ["s", "s"], ["s_out"], name="double"),
             n("Identity", ["c"], ["c_out"], name="same_cond")], "inc",
            [vi("i", I64, []), vi("c", B, []), vi("s", U8, [2])],
            [vi("c_out", B, []), vi("s_out", U8, [2])])
    save("loop_uint8", [n("Loop", ["m", "", "s0"], ["s_final"],
                          name="loop_uint8", body=inc)],
         [inputs[0], vi("s0", U8, [2])], [vi("s_final", U8, [2])],
         [("", 13)])
    # Loop-carried values only (static outputs), for the targets without
    # loops.
    save("loop_carried_only", [n("Loop", ["m", "", "s0"], ["s_final"],
                                 name="loop_carried", body=same)],
         inputs[:3:2], [vi("s_final", F, [2])], [("", 13)])
    save("loop_no_body", [n("Loop", ["m", "cond", "s0"], ["s_final"],
                            name="loop_bodyless")],
         inputs[:3], [vi("s_final", F, [2])], [("", 13)])


def slice_reference(x, starts, ends, axes, steps):
    """ONNX Slice-13 as its specification states it, one axis at a time:
    negative starts/ends count from the end, then clamp ([0, dim] for a
    positive step; [0, dim - 1] and [-1, dim - 1] for a negative one)."""
    for start, end, axis, step in zip(starts, ends, axes, steps):
        axis = int(axis) % x.ndim
        dim = x.shape[axis]
        start, end, step = int(start), int(end), int(step)
        start = start + dim if start < 0 else start
        end = end + dim if end < 0 else end
        if step > 0:
            start = min(max(start, 0), dim)
            end = min(max(end, 0), dim)
        else:
            start = min(max(start, 0), dim - 1)
            end = min(max(end, -1), dim - 1)
        x = np.take(x, list(range(start, end, step)), axis=axis)
    return x


def gen_slice_runtime(n):
    """Slice whose starts, ends and steps are graph inputs (run-time values,
    so no static result size): dsg.slice_to. Negative, out-of-range and
    clamped indices, negative steps, a negative axis, an empty result, and
    int32 starts/ends with the default axes and steps."""
    inputs = [vi("x", F, [4, 6]), vi("starts", I64, [2]), vi("ends", I64, [2]),
              vi("steps", I64, [2]), vi("v", I32, [5]), vi("s", I32, [1]),
              vi("e", I32, [1])]
    axes = numpy_helper.from_array(np.array([0, -1], np.int64), "axes")
    save("slice_runtime", [
        n("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"],
          name="slice_xy"),
        n("Slice", ["v", "s", "e"], ["w"], name="slice_v"),
    ], inputs, [vi("y", F, ["a", "b"]), vi("w", I32, ["c"])], [("", 13)],
         initializers=[axes])
    # A declared output rank that differs from the input's: rejected.
    save("slice_runtime_bad_rank", [
        n("Slice", ["x", "starts", "ends"], ["y"], name="slice_rank"),
    ], inputs[:3], [vi("y", F, ["a", "b", "c"])], [("", 13)])
    x = np.arange(24, dtype=np.float32).reshape(4, 6) - 7.5
    v = np.array([10, 20, 30, 40, 50], np.int32)
    big = np.iinfo(np.int64).max
    cases = [
        # Wrapped negative start, end past the dimension, step 2.
        ([1, -4], [3, 100], [1, 2], [-2], [np.iinfo(np.int32).max]),
        # Negative steps: from the last row down past the start (end -100
        # clamps to -1), and columns 5 down to 1.
        ([-1, 5], [-100, 0], [-2, -1], [-10], [-3]),
        # Start beyond the dimension: an empty first dimension; an empty w.
        ([10, 0], [big, 6], [1, 1], [3], [1]),
    ]
    for k, (st, en, sp, s, e) in enumerate(cases):
        data = os.path.join(OUT, "slice_runtime_data", "test_data_set_%d" % k)
        os.makedirs(data, exist_ok=True)
        args = [x, np.array(st, np.int64), np.array(en, np.int64),
                np.array(sp, np.int64), v, np.array(s, np.int32),
                np.array(e, np.int32)]
        for i, a in enumerate(args):
            t = numpy_helper.from_array(a, inputs[i].name)
            with open(os.path.join(data, "input_%d.pb" % i), "wb") as f:
                f.write(t.SerializeToString())
        outs = [slice_reference(x, st, en, [0, -1], sp),
                slice_reference(v, s, e, [0], [1])]
        for i, (name, a) in enumerate(zip(["y", "w"], outs)):
            t = numpy_helper.from_array(a, name)
            with open(os.path.join(data, "output_%d.pb" % i), "wb") as f:
                f.write(t.SerializeToString())


if __name__ == "__main__":
    main()
