#!/usr/bin/python3
"""Generates the small ONNX models that test/Import/ONNX uses.

Run with a Python that has the `onnx` package (Debian: /usr/bin/python3):

    /usr/bin/python3 scripts/gen_onnx_fixtures.py

The outputs are checked in; rerun after changing this script. Models are
deterministic and a few KB at most.
"""
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test",
                   "Import", "ONNX", "Inputs")

F = TensorProto.FLOAT


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def save(name, nodes, inputs, outputs, initializers=(), opset=17, raw=None):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers))
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)],
        producer_name="gen_onnx_fixtures")
    model.ir_version = 8
    data = model.SerializeToString() if raw is None else raw(model)
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(data)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(0)
    n = helper.make_node

    # Elementwise family, including broadcasting and mixed-type Pow.
    save("elementwise", [
        n("Add", ["a", "b"], ["add"], name="add"),
        n("Sub", ["add", "b"], ["sub"], name="sub"),
        n("Mul", ["sub", "a"], ["mul"], name="mul"),
        n("Div", ["mul", "b"], ["div"], name="div"),
        n("Pow", ["div", "e"], ["pow"], name="pow"),
        n("Sqrt", ["pow"], ["sqrt"], name="sqrt"),
        n("Relu", ["sqrt"], ["relu"], name="relu"),
        n("Sigmoid", ["relu"], ["sig"], name="sigmoid"),
        n("Tanh", ["sig"], ["tanh"], name="tanh"),
        n("Erf", ["tanh"], ["erf"], name="erf"),
        n("Exp", ["erf"], ["exp"], name="exp"),
        n("Cast", ["exp"], ["half"], name="cast", to=TensorProto.FLOAT16),
        n("Where", ["c", "a", "exp"], ["y"], name="where"),
    ], [vi("a", F, [2, 3]), vi("b", F, [3]), vi("c", TensorProto.BOOL, [2, 1])],
       [vi("half", TensorProto.FLOAT16, [2, 3]), vi("y", F, [2, 3])],
       [const("e", np.array([2], dtype=np.int32))])

    # Unary math and parameterized activations (defaults filled in on import).
    unary = ["Neg", "Abs", "Reciprocal", "Floor", "Ceil", "Round", "Log",
             "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh",
             "Asinh", "Acosh", "Atanh", "Sign", "Softplus", "Softsign",
             "HardSwish"]
    nodes, prev = [], "x"
    for op in unary:
        nodes.append(n(op, [prev], [op.lower()], name=op.lower()))
        prev = op.lower()
    nodes += [
        n("Elu", [prev], ["elu"], name="elu"),
        n("Selu", ["elu"], ["selu"], name="selu", alpha=2.0),
        n("LeakyRelu", ["selu"], ["leaky"], name="leaky_relu"),
        n("HardSigmoid", ["leaky"], ["hsig"], name="hard_sigmoid", beta=0.25),
        n("ThresholdedRelu", ["hsig"], ["y"], name="thresholded_relu"),
        n("IsInf", ["y"], ["inf"], name="isinf", detect_negative=0),
        n("IsNaN", ["y"], ["nan"], name="isnan"),
        n("Not", ["nan"], ["notnan"], name="not"),
    ]
    save("unary_math", nodes, [vi("x", F, [2, 3])],
         [vi("y", F, [2, 3]), vi("inf", TensorProto.BOOL, [2, 3]),
          vi("notnan", TensorProto.BOOL, [2, 3])])

    # Variadic, comparison, logical, Mod and BitShift ops.
    U8 = TensorProto.UINT8
    save("compare_logic", [
        n("Max", ["a", "b", "c"], ["max"], name="max"),
        n("Min", ["a"], ["min"], name="min"),
        n("Mean", ["max", "b"], ["mean"], name="mean"),
        n("Sum", ["mean", "min", "c"], ["sum"], name="sum"),
        n("Greater", ["sum", "a"], ["gt"], name="greater"),
        n("LessOrEqual", ["u", "v"], ["le"], name="less_equal"),
        n("And", ["gt", "le"], ["and"], name="and"),
        n("Xor", ["and", "gt"], ["xor"], name="xor"),
        n("Mod", ["i", "j"], ["mod"], name="mod"),
        n("Mod", ["sum", "a"], ["fmod"], name="fmod", fmod=1),
        n("Equal", ["mod", "j"], ["eq"], name="equal"),
        n("BitShift", ["u", "v"], ["shl"], name="shift", direction="LEFT"),
    ], [vi("a", F, [2, 3]), vi("b", F, [3]), vi("c", F, [2, 1]),
        vi("u", U8, [3]), vi("v", U8, [3]), vi("i", TensorProto.INT32, [2, 3]),
        vi("j", TensorProto.INT32, [3])],
       [vi("xor", TensorProto.BOOL, [2, 3]), vi("fmod", F, [2, 3]),
        vi("eq", TensorProto.BOOL, [2, 3]), vi("shl", U8, [3])], opset=16)

    # Convolution and pooling, with auto_pad resolved on import.
    save("conv_pool", [
        n("Conv", ["x", "w", "bias"], ["conv"], name="conv",
          auto_pad="SAME_UPPER", strides=[2, 2]),
        n("MaxPool", ["conv"], ["pool", "idx"], name="maxpool",
          kernel_shape=[2, 2], strides=[1, 1], pads=[0, 0, 1, 1]),
        n("AveragePool", ["pool"], ["avg"], name="avgpool",
          kernel_shape=[3, 3], auto_pad="SAME_LOWER", count_include_pad=1),
        n("GlobalAveragePool", ["avg"], ["gap"], name="gap"),
    ], [vi("x", F, [1, 2, 5, 5])],
       [vi("gap", F, [1, 4, 1, 1]), vi("idx", TensorProto.INT64, None)],
       [const("w", rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
              .round(2)),
        const("bias", np.zeros(4, dtype=np.float32))],
       opset=12)

    save("matmul", [
        n("MatMul", ["a", "b"], ["mm"], name="matmul"),
        n("MatMul", ["mm", "v"], ["y"], name="matvec"),
    ], [vi("a", F, [2, 4, 8]), vi("b", F, [8, 16]), vi("v", F, [16])],
       [vi("y", F, None)])
    save("gemm", [
        n("Gemm", ["a", "b", "c"], ["y"], name="gemm", alpha=0.5, transB=1),
        n("Gemm", ["a", "b"], ["z"], name="gemm_no_c", transA=0, transB=1),
    ], [vi("a", F, [2, 4]), vi("b", F, [3, 4]), vi("c", F, [3])],
       [vi("y", F, [2, 3]), vi("z", F, [2, 3])], opset=13)

    save("norm", [
        n("BatchNormalization", ["x", "s", "b", "m", "v"], ["bn"], name="bn",
          epsilon=1e-3),
        n("LayerNormalization", ["bn", "g"], ["ln", "mean"], name="ln",
          axis=-2),
    ], [vi("x", F, [2, 3, 4])], [vi("ln", F, [2, 3, 4]), vi("mean", F, None)],
       [const("s", np.ones(3, np.float32)), const("b", np.zeros(3, np.float32)),
        const("m", np.zeros(3, np.float32)), const("v", np.ones(3, np.float32)),
        const("g", np.ones((3, 4), np.float32))])

    # Softmax changed meaning at opset 13: the same node, two opsets.
    for opset in (11, 13):
        save("softmax_%d" % opset, [n("Softmax", ["x"], ["y"], name="softmax",
                                      axis=1)],
             [vi("x", F, [2, 3, 4])], [vi("y", F, [2, 3, 4])], opset=opset)

    # Unsqueeze/Squeeze axes: attribute before 13, constant input from 13.
    save("unsqueeze_11", [
        n("Unsqueeze", ["x"], ["u"], name="unsqueeze", axes=[-1, 0]),
        n("Squeeze", ["u"], ["y"], name="squeeze", axes=[0]),
    ], [vi("x", F, ["N", 3])], [vi("y", F, ["N", 3, 1])], opset=11)
    save("unsqueeze_13", [
        n("Unsqueeze", ["x", "axes"], ["u"], name="unsqueeze"),
        n("Squeeze", ["u", "sq"], ["y"], name="squeeze"),
    ], [vi("x", F, ["N", 3])], [vi("y", F, ["N", 3, 1])],
       [const("axes", np.array([-1, 0], np.int64)),
        const("sq", np.array([0], np.int64))], opset=13)
    save("unsqueeze_runtime_axes", [
        n("Unsqueeze", ["x", "axes"], ["y"], name="unsqueeze"),
    ], [vi("x", F, [3]), vi("axes", TensorProto.INT64, [1])],
       [vi("y", F, None)], opset=13)
    # Axes computed at run time: the declared output shapes make the nodes
    # reshapes (squeeze/unsqueeze never move elements).
    I64 = TensorProto.INT64
    save("squeeze_runtime_axes", [
        n("Unsqueeze", ["x", "ua"], ["u"], name="unsqueeze"),
        n("Squeeze", ["d", "sa"], ["s"], name="squeeze"),
    ], [vi("x", F, [2, 3]), vi("ua", I64, [2]), vi("d", F, ["N", 3, 1]),
        vi("sa", I64, [1])],
       [vi("u", F, [1, 2, 3, 1]), vi("s", F, ["N", 3])], opset=13)

    save("tensor", [
        n("Constant", [], ["shape"], name="shape", value_ints=[0, -1, 2]),
        n("Reshape", ["x", "shape"], ["r"], name="reshape"),
        n("Reshape", ["x", "s"], ["rd"], name="reshape_dynamic", allowzero=1),
        n("Flatten", ["x"], ["flat"], name="flatten", axis=2),
        n("Transpose", ["x"], ["t"], name="transpose"),
        n("Concat", ["x", "x"], ["cat"], name="concat", axis=-1),
        n("Gather", ["x", "idx"], ["g"], name="gather", axis=1),
        n("Identity", ["g"], ["id"], name="identity"),
        n("Constant", [], ["k"], name="k", value_float=2.0),
    ], [vi("x", F, [2, 3, 4]), vi("s", TensorProto.INT64, [2])],
       [vi("r", F, None), vi("rd", F, None), vi("flat", F, None),
        vi("t", F, None), vi("cat", F, None), vi("id", F, None),
        vi("k", F, None)],
       [const("idx", np.array([[0, 2]], np.int64))], opset=14)

    save("reduce", [
        n("ReduceMean", ["x"], ["mean"], name="mean", axes=[-1, 1]),
        n("ReduceMax", ["x"], ["max"], name="max", keepdims=0),
        n("ReduceSum", ["x", "axes"], ["sum"], name="sum", keepdims=0),
    ], [vi("x", F, [2, 3, 4])],
       [vi("mean", F, None), vi("max", F, None), vi("sum", F, None)],
       [const("axes", np.array([0], np.int64))], opset=13)

    # The reductions decomposed at import, ReduceProd, ArgMax and ArgMin.
    save("reduce_more", [
        n("ReduceProd", ["x"], ["prod"], name="prod", axes=[1], keepdims=0),
        n("ReduceL1", ["x"], ["l1"], name="l1", axes=[-1]),
        n("ReduceL2", ["x"], ["l2"], name="l2", axes=[0], keepdims=0),
        n("ReduceSumSquare", ["x"], ["ss"], name="ss"),
        n("ReduceLogSum", ["x"], ["ls"], name="ls", axes=[2, 0]),
        n("ReduceLogSumExp", ["x"], ["lse"], name="lse", axes=[1]),
        n("ArgMax", ["x"], ["amax"], name="amax", axis=-1,
          select_last_index=1),
        n("ArgMin", ["x"], ["amin"], name="amin", keepdims=0),
    ], [vi("x", F, [2, 3, 4])],
       [vi(o, F, None) for o in ("prod", "l1", "l2", "ss", "ls", "lse")] +
       [vi("amax", TensorProto.INT64, None),
        vi("amin", TensorProto.INT64, None)], opset=13)

    # ReduceL2 (a square root) is imported for float inputs only.
    save("reduce_l2_int", [
        n("ReduceL2", ["x"], ["y"], name="l2"),
    ], [vi("x", TensorProto.INT32, [2, 3])],
       [vi("y", TensorProto.INT32, None)], opset=13)

    # Shape (opset 15's start/end), Size and ConstantOfShape fold to
    # constants.
    save("shape_ops", [
        n("Shape", ["x"], ["shape"], name="shape"),
        n("Shape", ["x"], ["tail"], name="tail", start=-2, end=10),
        n("Size", ["x"], ["size"], name="size"),
        n("ConstantOfShape", ["s"], ["fill"], name="fill",
          value=helper.make_tensor("v", TensorProto.INT32, [1], [7])),
        n("ConstantOfShape", ["s"], ["zeros"], name="zeros"),
    ], [vi("x", F, [2, 3, 4])],
       [vi("shape", TensorProto.INT64, None),
        vi("tail", TensorProto.INT64, None),
        vi("size", TensorProto.INT64, None),
        vi("fill", TensorProto.INT32, None), vi("zeros", F, None)],
       [const("s", np.array([2, 1], np.int64))], opset=15)

    # ReduceSum-13 with axes computed at run time: the static input and
    # output shapes determine the reduced axes (size-1 dimensions aside).
    save("reduce_runtime_axes", [
        n("ReduceSum", ["x", "a"], ["keep"], name="keep"),
        n("ReduceSum", ["x1", "b"], ["drop"], name="drop", keepdims=0),
        n("ReduceSum", ["x", "e"], ["noop"], name="noop",
          noop_with_empty_axes=1),
    ], [vi("x", F, [2, 3, 4]), vi("a", TensorProto.INT64, [1]),
        vi("x1", F, [2, 3, 1, 4]), vi("b", TensorProto.INT64, [2]),
        vi("e", TensorProto.INT64, [0])],
       [vi("keep", F, [2, 1, 4]), vi("drop", F, [3, 4]),
        vi("noop", F, [2, 3, 4])], opset=13)
    # [3, 2, 2] -> [3, 2] without keepdims: axis 1 or 2, which differ; ds
    # computes both and selects at run time. Test data for axes [2], [-2]
    # and [1], with NumPy references.
    save("reduce_runtime_axes_ambiguous", [
        n("ReduceSum", ["x", "a"], ["y"], name="sum", keepdims=0),
    ], [vi("x", F, [3, 2, 2]), vi("a", TensorProto.INT64, [1])],
       [vi("y", F, [3, 2])], opset=13)
    x = np.arange(12, dtype=np.float32).reshape(3, 2, 2) * 1.5 - 4
    for k, axis in enumerate([2, -2, 1]):
        data = os.path.join(OUT, "reduce_runtime_axes_ambiguous_data",
                            "test_data_set_%d" % k)
        os.makedirs(data, exist_ok=True)
        for name, a in [("input_0", x),
                        ("input_1", np.array([axis], np.int64)),
                        ("output_0", x.sum(axis=axis))]:
            with open(os.path.join(data, name + ".pb"), "wb") as f:
                f.write(numpy_helper.from_array(a).SerializeToString())
    # [2]*6 -> [2]*3: twenty candidate axis sets, more than ds computes.
    save("reduce_runtime_axes_too_many", [
        n("ReduceSum", ["x", "a"], ["y"], name="sum6", keepdims=0),
    ], [vi("x", F, [2] * 6), vi("a", TensorProto.INT64, [3])],
       [vi("y", F, [2] * 3)], opset=13)

    # BatchNormalization in training mode (opset 15): batch statistics and
    # updated running statistics.
    save("batchnorm_training", [
        n("BatchNormalization", ["x", "s", "b", "m", "v"], ["y", "rm", "rv"],
          name="bn", epsilon=1e-2, momentum=0.75, training_mode=1),
    ], [vi("x", F, [2, 3, 4]), vi("s", F, [3]), vi("b", F, [3]),
        vi("m", F, [3]), vi("v", F, [3])],
       [vi("y", F, [2, 3, 4]), vi("rm", F, [3]), vi("rv", F, [3])],
       opset=15)

    # 16x16 f32 = 1024 bytes: at the default threshold, a dense_resource.
    save("large_initializer", [n("Add", ["x", "w"], ["y"], name="add")],
         [vi("x", F, [16, 16])], [vi("y", F, [16, 16])],
         [const("w", np.arange(256, dtype=np.float32).reshape(16, 16))])

    # External data: weights in a side file next to the model.
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    with open(os.path.join(OUT, "external_data.bin"), "wb") as f:
        f.write(b"\0" * 8 + w.tobytes())

    def external(name, location, offset, length):
        t = TensorProto(name=name, data_type=F, dims=[2, 3])
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", location), ("offset", str(offset)),
                     ("length", str(length))):
            e = t.external_data.add()
            e.key, e.value = k, v
        return t

    save("external_data", [n("Mul", ["x", "w"], ["y"], name="mul")],
         [vi("x", F, [2, 3])], [vi("y", F, [2, 3])],
         [external("w", "external_data.bin", 8, 24)])
    save("missing_external_data", [n("Mul", ["x", "w"], ["y"], name="mul")],
         [vi("x", F, [2, 3])], [vi("y", F, [2, 3])],
         [external("w", "no_such_file.bin", 0, 24)])

    # Symbolic and unknown dimensions.
    x = vi("x", F, ["batch", 3, None])
    save("symbolic_dims", [
        n("Relu", ["x"], ["r"], name="relu"),
        n("Transpose", ["r"], ["y"], name="transpose", perm=[0, 2, 1]),
        n("Flatten", ["x"], ["f"], name="flatten"),
    ], [x], [vi("y", F, None), vi("f", F, None)])

    # Negative cases.
    save("unknown_op", [n("Foo", ["x"], ["y"], name="foo_node")],
         [vi("x", F, [2])], [vi("y", F, [2])], opset=13)
    save("old_opset", [n("Add", ["x", "x"], ["y"], name="old_add")],
         [vi("x", F, [2])], [vi("y", F, [2])], opset=5)
    save("float_mod", [n("Mod", ["x", "x"], ["y"], name="float_mod")],
         [vi("x", F, [2])], [vi("y", F, [2])], opset=13)
    save("int_floor", [n("Floor", ["x"], ["y"], name="int_floor")],
         [vi("x", TensorProto.INT32, [2])], [vi("y", TensorProto.INT32, [2])],
         opset=13)
    save("string_dtype", [n("Identity", ["x"], ["y"], name="id")],
         [vi("x", TensorProto.STRING, [2])], [vi("y", TensorProto.STRING, [2])])
    save("bad_attribute", [n("Transpose", ["x"], ["y"], name="bad_perm",
                             perm=[0, 0])],
         [vi("x", F, [2, 3])], [vi("y", F, [3, 2])], opset=13)
    save("dangling_input", [n("Relu", ["nowhere"], ["y"], name="dangling")],
         [vi("x", F, [2])], [vi("y", F, [2])], opset=13)
    save("truncated", [n("Relu", ["x"], ["y"], name="relu")],
         [vi("x", F, [2, 3])], [vi("y", F, [2, 3])],
         raw=lambda m: m.SerializeToString()[:-7])
    with open(os.path.join(OUT, "not_a_protobuf.onnx"), "wb") as f:
        f.write(b"this is not an ONNX model\n\xff\xff\xff")
    gen_nn_extra(n)


def gen_nn_extra(n):
    """NN ops that the importer decomposes into dsg ops (NNExtra.cpp)."""
    I64 = TensorProto.INT64
    save("nn_logsoftmax", [
        n("LogSoftmax", ["x"], ["y"], name="logsoftmax", axis=1),
        n("Hardmax", ["x"], ["h"], name="hardmax"),
    ], [vi("x", F, [2, 3, 4])], [vi("y", F, [2, 3, 4]), vi("h", F, [2, 3, 4])],
       opset=13)
    save("nn_logsoftmax_11", [
        n("LogSoftmax", ["x"], ["y"], name="logsoftmax"),
    ], [vi("x", F, [2, 3, 4])], [vi("y", F, [2, 3, 4])], opset=11)
    save("nn_clip", [
        n("Clip", ["x", "lo", ""], ["y"], name="clip"),
        n("Dropout", ["y"], ["d", "mask"], name="dropout"),
        n("Celu", ["d"], ["celu"], name="celu", alpha=2.0),
        n("PRelu", ["celu", "slope"], ["p"], name="prelu"),
    ], [vi("x", F, [2, 3]), vi("lo", F, []), vi("slope", F, [3])],
       [vi("p", F, [2, 3]), vi("mask", TensorProto.BOOL, [2, 3])], opset=13)
    save("nn_mish", [n("Mish", ["x"], ["y"], name="mish")],
         [vi("x", F, [2, 3])], [vi("y", F, [2, 3])], opset=18)
    save("nn_clip_6", [
        n("Clip", ["x"], ["y"], name="clip", max=1.5),
    ], [vi("x", F, [2, 3])], [vi("y", F, [2, 3])], opset=6)
    save("nn_dropout_training", [
        n("Dropout", ["x", "", "t"], ["y"], name="dropout_training"),
    ], [vi("x", F, [2, 3])], [vi("y", F, [2, 3])],
       [const("t", np.array(True))], opset=13)
    save("nn_dropout_zero_ratio", [
        n("Dropout", ["x", "r", "t"], ["y", "mask"], name="dropout_zero"),
    ], [vi("x", F, [2, 3])],
       [vi("y", F, [2, 3]), vi("mask", TensorProto.BOOL, [2, 3])],
       [const("r", np.array(0.0, np.float32)), const("t", np.array(True))],
       opset=13)
    save("nn_norm", [
        n("InstanceNormalization", ["x", "s", "b"], ["in"], name="instnorm",
          epsilon=0.01),
        n("MeanVarianceNormalization", ["in"], ["mvn"], name="mvn"),
        n("LRN", ["mvn"], ["y"], name="lrn", size=3),
    ], [vi("x", F, [1, 3, 2, 2])], [vi("y", F, [1, 3, 2, 2])],
       [const("s", np.ones(3, np.float32)), const("b", np.zeros(3, np.float32))],
       opset=13)
    save("nn_loss", [
        n("NegativeLogLikelihoodLoss", ["x", "t", "w"], ["nll"], name="nll",
          ignore_index=1),
        n("SoftmaxCrossEntropyLoss", ["x", "t"], ["sce", "logp"], name="sce",
          reduction="sum"),
    ], [vi("x", F, [2, 3, 4]), vi("t", I64, [2, 4]), vi("w", F, [3])],
       [vi("nll", F, []), vi("sce", F, []), vi("logp", F, [2, 3, 4])],
       opset=13)
    save("nn_einsum", [
        n("Einsum", ["a", "b"], ["mm"], name="bmm", equation="bij,bjk->bik"),
        n("Einsum", ["c"], ["diag"], name="diag", equation="...ii ->...i"),
        n("Einsum", ["a"], ["t"], name="implicit", equation="...ij"),
    ], [vi("a", F, [2, 3, 4]), vi("b", F, [2, 4, 5]), vi("c", F, [2, 3, 3])],
       [vi("mm", F, [2, 3, 5]), vi("diag", F, [2, 3]), vi("t", F, [2, 3, 4])],
       opset=12)
    save("nn_prelu_6", [
        n("PRelu", ["x", "s"], ["y"], name="prelu6"),
    ], [vi("x", F, [2, 3, 4])], [vi("y", F, [2, 3, 4])],
       [const("s", np.array([0.1, 0.2, 0.3], np.float32))], opset=6)
    save("nn_einsum_broadcast", [
        n("Einsum", ["a", "b"], ["y"], name="einsum_bcast", equation="ij,ij->ij"),
    ], [vi("a", F, [2, 3]), vi("b", F, [1, 3])], [vi("y", F, [2, 3])],
       opset=12)
    save("nn_prelu_bad_slope", [
        n("PRelu", ["x", "s"], ["y"], name="prelu_bad"),
    ], [vi("x", F, [2, 3]), vi("s", F, [2, 3, 1])], [vi("y", F, [2, 3])],
       opset=16)
    save("nn_convtranspose", [
        n("ConvTranspose", ["x", "w"], ["y"], name="convtranspose",
          strides=[2], pads=[1, 0], output_padding=[1]),
    ], [vi("x", F, [1, 2, 3]), vi("w", F, [2, 1, 3])], [vi("y", F, None)],
       opset=11)

    gen_indexing(n)
    gen_resize(n)
    gen_quantization(n)
    gen_quant_fold(n)
    gen_dequant_fold(n)
    gen_topk(n)
    gen_misc(n)
    gen_shape_folding(n)


def gen_shape_folding(n):
    """A PyTorch-style run-time shape computation (shape_folding.mlir):
    Shape -> Gather -> Mul/Div -> Unsqueeze -> Concat -> Reshape, and a
    Slice whose end is computed. The outputs declare no shapes; the importer
    folds the shape values to constants and infers static types."""
    I64 = TensorProto.INT64
    save("shape_folding", [
        n("Shape", ["x"], ["s"], name="shape"),
        n("Gather", ["s", "i0"], ["d0"], name="gather0", axis=0),
        n("Gather", ["s", "i1"], ["d1"], name="gather1", axis=0),
        n("Gather", ["s", "i2"], ["d2"], name="gather2", axis=0),
        n("Mul", ["d1", "d2"], ["d12"], name="mul"),
        n("Unsqueeze", ["d0", "zero"], ["u0"], name="unsqueeze0"),
        n("Unsqueeze", ["d12", "zero"], ["u12"], name="unsqueeze1"),
        n("Concat", ["u0", "u12"], ["target"], name="concat", axis=0),
        n("Reshape", ["x", "target"], ["y"], name="reshape"),
        n("Div", ["d2", "two"], ["half"], name="div"),
        n("Unsqueeze", ["half", "zero"], ["end"], name="unsqueeze2"),
        n("Slice", ["x", "zero", "end", "minus1"], ["z"], name="slice"),
    ], [vi("x", F, [2, 3, 4])], [vi("y", F, None), vi("z", F, None)],
       [const("i0", np.int64(0)), const("i1", np.int64(1)),
        const("i2", np.int64(2)), const("zero", np.array([0], np.int64)),
        const("two", np.int64(2)), const("minus1", np.array([-1], np.int64))],
       opset=14)


def gen_indexing(n):
    """Slicing, padding, gathers and scatters (test/Import/ONNX/indexing.mlir).

    Shape-like inputs are graph inputs (known at run time only); the outputs
    declare their shapes, as in the ONNX node tests.
    """
    I64, I32 = TensorProto.INT64, TensorProto.INT32
    save("indexing", [
        n("Slice", ["x", "starts", "ends", "axes", "steps"], ["slice"],
          name="slice"),
        n("Slice", ["x", "starts", "ends"], ["slice_default"],
          name="slice_default"),
        n("Split", ["x", "split"], ["split_a", "split_b"], name="split",
          axis=1),
        n("Pad", ["x", "pads", "value"], ["pad"], name="pad"),
        n("Pad", ["x", "pads"], ["pad_reflect"], name="pad_reflect",
          mode="reflect"),
        n("Tile", ["x", "repeats"], ["tile"], name="tile"),
        n("Expand", ["col", "shape"], ["expand"], name="expand"),
        n("Range", ["start", "limit", "delta"], ["range"], name="range"),
        n("Trilu", ["x", "k"], ["trilu"], name="trilu", upper=0),
        n("CumSum", ["x", "axis"], ["cumsum"], name="cumsum", exclusive=1,
          reverse=1),
        n("GatherElements", ["x", "gi"], ["gather_elements"],
          name="gather_elements", axis=-1),
        n("GatherND", ["x", "ndi"], ["gather_nd"], name="gather_nd"),
        n("ScatterElements", ["x", "gi", "upd"], ["scatter_elements"],
          name="scatter_elements", axis=1, reduction="add"),
        n("ScatterND", ["x", "ndi", "rows"], ["scatter_nd"],
          name="scatter_nd", reduction="mul"),
        n("OneHot", ["oi", "depth", "values"], ["one_hot"], name="one_hot",
          axis=0),
        n("DepthToSpace", ["img"], ["d2s"], name="d2s", blocksize=2,
          mode="CRD"),
        n("SpaceToDepth", ["d2s"], ["s2d"], name="s2d", blocksize=2),
    ], [vi("x", F, [4, 6]), vi("starts", I64, [2]), vi("ends", I64, [2]),
        vi("axes", I32, [2]), vi("steps", I64, [2]), vi("split", I64, [2]),
        vi("pads", I64, [4]), vi("value", F, []), vi("repeats", I64, [2]),
        vi("col", F, [4, 1]), vi("shape", I64, [3]), vi("start", F, []),
        vi("limit", F, []), vi("delta", F, []), vi("k", I64, []),
        vi("axis", I32, []), vi("gi", I64, [4, 2]), vi("ndi", I64, [2, 1]),
        vi("upd", F, [4, 2]), vi("rows", F, [2, 6]), vi("oi", I64, [3]),
        vi("depth", I64, []), vi("values", F, [2]),
        vi("img", F, [1, 8, 2, 3])],
       [vi("slice", F, [2, 3]), vi("slice_default", F, [2, 2]),
        vi("split_a", F, [4, 2]), vi("split_b", F, [4, 4]),
        vi("pad", F, [5, 9]), vi("pad_reflect", F, [5, 9]),
        vi("tile", F, [8, 12]), vi("expand", F, [2, 4, 3]),
        vi("range", F, [5]), vi("trilu", F, [4, 6]),
        vi("cumsum", F, [4, 6]), vi("gather_elements", F, [4, 2]),
        vi("gather_nd", F, [2, 6]), vi("scatter_elements", F, [4, 6]),
        vi("scatter_nd", F, [4, 6]), vi("one_hot", F, [5, 3]),
        vi("d2s", F, [1, 2, 4, 6]), vi("s2d", F, [1, 8, 2, 3])],
       opset=16)

    # A run-time slice whose result shape nobody declares: dsg.slice_to
    # (sizes computed at run time).
    save("slice_unknown_shape",
         [n("Slice", ["x", "starts", "ends"], ["y"], name="dyn_slice")],
         [vi("x", F, [4, 6]), vi("starts", I64, [1]), vi("ends", I64, [1])],
         [vi("y", F, None)], opset=13)
    # The deprecated Scatter is ScatterElements.
    save("scatter_legacy",
         [n("Scatter", ["x", "i", "u"], ["y"], name="scatter", axis=1)],
         [vi("x", F, [2, 4]), vi("i", I64, [2, 1]), vi("u", F, [2, 1])],
         [vi("y", F, [2, 4])], opset=10)
    # Scatter reductions of booleans are not supported.
    save("scatter_bool_add",
         [n("ScatterElements", ["x", "i", "u"], ["y"], name="bool_scatter",
            reduction="add")],
         [vi("x", TensorProto.BOOL, [4]), vi("i", I64, [2]),
          vi("u", TensorProto.BOOL, [2])],
         [vi("y", TensorProto.BOOL, [4])], opset=16)


def legacy_broadcast():
    """Opset-6 binary ops with the legacy `broadcast`/`axis` attributes."""
    n = helper.make_node
    save("legacy_broadcast", [
        n("Add", ["x", "b"], ["y"], name="add_axis", broadcast=1, axis=1),
        n("Mul", ["y", "s"], ["z"], name="mul_suffix", broadcast=1),
        n("Sub", ["z", "x"], ["w"], name="sub_same"),
    ], [vi("x", F, [2, 3, 4]), vi("b", F, [3]), vi("s", F, [4])],
         [vi("w", F, [2, 3, 4])], opset=6)
    save("legacy_broadcast_bad", [
        n("Add", ["x", "b"], ["y"], name="add_no_broadcast"),
    ], [vi("x", F, [2, 3]), vi("b", F, [3])], [vi("y", F, [2, 3])], opset=6)



def gen_resize(n):
    """Resize (test/Import/ONNX/resize.mlir).

    Constant scales and sizes fold the taps into constant gathers and
    weights; run-time scales compute them in the graph.
    """
    I64 = TensorProto.INT64
    save("resize", [
        n("Resize", ["x", "", "scales_c"], ["nearest"], name="nearest"),
        n("Resize", ["x", "", "", "sizes"], ["linear"], name="linear",
          mode="linear", coordinate_transformation_mode="align_corners"),
        n("Resize", ["x", "", "scales"], ["cubic"], name="cubic",
          mode="cubic", exclude_outside=1),
    ], [vi("x", F, [1, 1, 2, 2]), vi("sizes", I64, [4]),
        vi("scales", F, [4])],
       [vi("nearest", F, [1, 1, 4, 4]), vi("linear", F, [1, 1, 3, 3]),
        vi("cubic", F, [1, 1, 4, 4])],
       initializers=[const("scales_c",
                           np.array([1, 1, 2, 2], dtype=np.float32))],
       opset=13)
    # Run-time scales need a static declared output shape.
    save("resize_dynamic",
         [n("Resize", ["x", "", "scales"], ["y"], name="dyn_resize")],
         [vi("x", F, [1, 1, 2, 2]), vi("scales", F, [4])],
         [vi("y", F, [1, 1, "h", "w"])], opset=13)



def gen_quantization(n):
    """Quantization ops (test/Import/ONNX/quantization.mlir)."""
    U8, I8 = TensorProto.UINT8, TensorProto.INT8
    save("quantization", [
        n("QuantizeLinear", ["x", "qs", "qz"], ["q"], name="quantize",
          axis=1),
        n("DequantizeLinear", ["q", "qs", "qz"], ["dq"], name="dequantize",
          axis=1),
        n("DynamicQuantizeLinear", ["x"], ["dy", "dys", "dyz"],
          name="dynamic"),
        n("MatMulInteger", ["a", "b", "az", "bz"], ["mmi"], name="mmi"),
        n("QLinearMatMul", ["a", "as", "az0", "b", "bs", "bz0", "ys", "yz"],
          ["qmm"], name="qmm"),
    ], [vi("x", F, [2, 3]), vi("qs", F, [3]), vi("qz", I8, [3]),
        vi("a", U8, [2, 4]), vi("b", U8, [4, 3]), vi("az", U8, [2]),
        vi("bz", U8, [3]), vi("as", F, []), vi("az0", U8, []),
        vi("bs", F, []), vi("bz0", U8, []), vi("ys", F, []),
        vi("yz", U8, [])],
       [vi("q", I8, [2, 3]), vi("dq", F, [2, 3]), vi("dy", U8, [2, 3]),
        vi("dys", F, []), vi("dyz", U8, []), vi("mmi", TensorProto.INT32,
                                                [2, 3]),
        vi("qmm", U8, [2, 3])], opset=13)
    # Integer convolutions: per-channel w zero point and scale.
    save("quantized_conv", [
        n("ConvInteger", ["x", "w", "xz"], ["ci"], name="conv_integer",
          pads=[1, 1, 1, 1]),
        n("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz",
                          "bias"], ["qc"], name="qlinear_conv"),
    ], [vi("x", U8, [1, 2, 3, 3]), vi("w", U8, [2, 2, 2, 2]),
        vi("xz", U8, []), vi("xs", F, []), vi("ws", F, [2]),
        vi("wz", U8, [2]), vi("ys", F, []), vi("yz", U8, []),
        vi("bias", TensorProto.INT32, [2])],
       [vi("ci", TensorProto.INT32, [1, 2, 4, 4]), vi("qc", U8, [1, 2, 2, 2])],
       opset=10)
    # Only 8-bit quantized types are supported.
    save("quantize_int32",
         [n("QuantizeLinear", ["x", "s", "z"], ["y"], name="q32")],
         [vi("x", F, [2]), vi("s", F, []), vi("z", TensorProto.INT32, [])],
         [vi("y", TensorProto.INT32, [2])], opset=10)



def gen_quant_fold(n):
    """Integer products that fold into dsq (test/Import/ONNX/quant-fold.mlir):
    int8 operands, zero points absent or constant 0, constant weights. The
    others (nonzero zero point, uint8, run-time weights, accumulators that
    could pass 2^24) keep the i32 dsg path."""
    U8, I8, I32 = TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32
    rng = np.random.default_rng(5)
    b = rng.integers(-128, 128, (4, 3)).astype(np.int8)
    w = rng.integers(-128, 128, (2, 2, 2, 2)).astype(np.int8)
    save("quant_fold", [
        n("MatMulInteger", ["a", "b"], ["fold_plain"], name="fold_plain"),
        n("MatMulInteger", ["a", "b", "az0", "bz0"], ["fold_zero_zp"],
          name="fold_zero_zp"),
        n("MatMulInteger", ["a", "b", "az0", "bz1"], ["keep_zp"],
          name="keep_zp"),
        n("MatMulInteger", ["a", "brt"], ["keep_runtime"],
          name="keep_runtime"),
        n("MatMulInteger", ["au", "bu"], ["keep_u8"], name="keep_u8"),
        n("MatMulInteger", ["along", "bbig"], ["keep_big"], name="keep_big"),
        n("ConvInteger", ["x", "w"], ["fold_conv"], name="fold_conv",
          pads=[1, 1, 1, 1]),
        n("ConvInteger", ["x", "w", "xz1"], ["keep_conv_zp"],
          name="keep_conv_zp", pads=[1, 1, 1, 1]),
        # The i32 core of the QLinear ops folds the same way.
        n("QLinearMatMul", ["a", "s", "az0", "b", "s", "az0", "s", "az0"],
          ["fold_qlinear_mm"], name="fold_qlinear_mm"),
        n("QLinearConv", ["x", "s", "az0", "w", "s", "az0", "s", "az0"],
          ["fold_qlinear_conv"], name="fold_qlinear_conv"),
    ], [vi("a", I8, [2, 4]), vi("brt", I8, [4, 3]), vi("au", U8, [2, 4]),
        vi("along", I8, [1, 1025]), vi("x", I8, [1, 2, 3, 3])],
       [vi("fold_plain", I32, [2, 3]), vi("fold_zero_zp", I32, [2, 3]),
        vi("keep_zp", I32, [2, 3]), vi("keep_runtime", I32, [2, 3]),
        vi("keep_u8", I32, [2, 3]), vi("keep_big", I32, [1, 1]),
        vi("fold_conv", I32, [1, 2, 4, 4]),
        vi("keep_conv_zp", I32, [1, 2, 4, 4]),
        vi("fold_qlinear_mm", I8, [2, 3]),
        vi("fold_qlinear_conv", I8, [1, 2, 2, 2])],
       [const("b", b), const("az0", np.int8(0)),
        const("bz0", np.zeros(3, np.int8)),
        const("bz1", np.array([0, 1, 0], np.int8)),
        const("bu", b.astype(np.uint8)),
        # 128 * 128 * 1025 > 2^24: the f32 rescale could round.
        const("bbig", np.full((1025, 1), -128, np.int8)),
        const("w", w), const("xz1", np.int8(1)),
        const("s", np.float32(0.5))], opset=10)


def gen_dequant_fold(n):
    """DequantizeLinear'd int8 weights (test/Import/ONNX/dequant-fold.mlir):
    zero point absent or constant 0, per tensor or per output channel, into
    MatMul / Gemm / Conv: weight-only dsq products. A nonzero zero point,
    uint8 weights and per-row (axis 0) [K, N] scales keep the dsg path."""
    U8, I8 = TensorProto.UINT8, TensorProto.INT8
    rng = np.random.default_rng(6)
    wm = rng.integers(-128, 128, (4, 3)).astype(np.int8)
    wc = rng.integers(-128, 128, (2, 2, 2, 2)).astype(np.int8)
    save("dequant_fold", [
        n("DequantizeLinear", ["wm", "sm"], ["dqm"], name="dq_axis1", axis=1),
        n("MatMul", ["x", "dqm"], ["fold_matmul"], name="fold_matmul"),
        n("DequantizeLinear", ["wm", "st", "z0"], ["dqt"], name="dq_tensor"),
        n("Gemm", ["x", "dqt", "c"], ["fold_gemm"], name="fold_gemm"),
        # dqt has a second, non-product user: it gets the f32 constant.
        n("Relu", ["dqt"], ["other_user"], name="other_user"),
        n("DequantizeLinear", ["wc", "sc"], ["dqc"], name="dq_conv", axis=0),
        n("Conv", ["xc", "dqc", "bc"], ["fold_conv"], name="fold_conv",
          pads=[1, 1, 1, 1]),
        n("DequantizeLinear", ["wm", "st", "z1"], ["dqz"], name="dq_zp"),
        n("MatMul", ["x", "dqz"], ["keep_zp"], name="keep_zp"),
        n("DequantizeLinear", ["wu", "st"], ["dqu"], name="dq_u8"),
        n("MatMul", ["x", "dqu"], ["keep_u8"], name="keep_u8"),
        n("DequantizeLinear", ["wm", "sr"], ["dqr"], name="dq_axis0",
          axis=0),
        n("MatMul", ["x", "dqr"], ["keep_rows"], name="keep_rows"),
    ], [vi("x", F, [2, 4]), vi("xc", F, [1, 2, 3, 3])],
       [vi("fold_matmul", F, [2, 3]), vi("fold_gemm", F, [2, 3]),
        vi("fold_conv", F, [1, 2, 4, 4]), vi("keep_zp", F, [2, 3]),
        vi("keep_u8", F, [2, 3]), vi("keep_rows", F, [2, 3]),
        vi("other_user", F, [4, 3])],
       [const("wm", wm), const("wc", wc), const("wu", wm.astype(np.uint8)),
        const("sm", np.array([0.5, 0.25, 0.125], np.float32)),
        const("st", np.float32(0.5)), const("z0", np.int8(0)),
        const("z1", np.int8(1)),
        const("sr", np.array([1, 2, 3, 4], np.float32)),
        const("c", np.array([1, 2, 3], np.float32)),
        const("sc", np.array([0.5, 2], np.float32)),
        const("bc", np.array([-1, 1], np.float32))], opset=13)


def gen_topk(n):
    """TopK (test/Import/ONNX/topk.mlir): k is a run-time input, the
    declared output shapes give it."""
    I64 = TensorProto.INT64
    save("topk", [
        n("TopK", ["x", "k"], ["values", "indices"], name="topk", axis=0,
          largest=0),
    ], [vi("x", F, [3, 2]), vi("k", I64, [1])],
       [vi("values", F, [2, 2]), vi("indices", I64, [2, 2])], opset=11)
    # A run-time k with an undeclared output size is unsupported.
    save("topk_dynamic",
         [n("TopK", ["x", "k"], ["v", "i"], name="dyn_topk")],
         [vi("x", F, [3, 4]), vi("k", I64, [1])],
         [vi("v", F, [3, "k"]), vi("i", I64, [3, "k"])], opset=11)



def gen_misc(n):
    """Shrink, EyeLike, windows, Compress, ReverseSequence
    (test/Import/ONNX/misc.mlir)."""
    I64 = TensorProto.INT64
    save("misc", [
        n("Shrink", ["x"], ["shrink"], name="shrink", lambd=1.0, bias=0.5),
        n("EyeLike", ["x"], ["eye"], name="eye", k=1, dtype=I64),
        n("HannWindow", ["size"], ["hann"], name="hann"),
        n("Compress", ["x", "cond"], ["compress"], name="compress", axis=0),
        n("ReverseSequence", ["x", "lens"], ["reverse"], name="reverse",
          batch_axis=0, time_axis=1),
    ], [vi("x", F, [3, 4]), vi("size", I64, []),
        vi("cond", TensorProto.BOOL, [3]), vi("lens", I64, [3])],
       [vi("shrink", F, [3, 4]), vi("eye", I64, [3, 4]), vi("hann", F, [4]),
        vi("compress", F, [2, 4]), vi("reverse", F, [3, 4])], opset=17)
    # MaxUnpool: the output size comes from the attributes (or is declared).
    save("maxunpool",
         [n("MaxUnpool", ["x", "i"], ["y"], name="unpool",
            kernel_shape=[2, 2], strides=[2, 2])],
         [vi("x", F, [1, 1, 2, 2]), vi("i", TensorProto.INT64, [1, 1, 2, 2])],
         [vi("y", F, [1, 1, 4, 4])], opset=11)
    save("maxunpool_padded",
         [n("MaxUnpool", ["x", "i", "shape"], ["y"], name="padded_unpool",
            kernel_shape=[2, 2], strides=[2, 2])],
         [vi("x", F, [1, 1, 2, 2]), vi("i", TensorProto.INT64, [1, 1, 2, 2]),
          vi("shape", TensorProto.INT64, [4])],
         [vi("y", F, [1, 1, 5, 5])], opset=11)
    # The number of selected rows must be known.
    save("compress_dynamic",
         [n("Compress", ["x", "cond"], ["y"], name="dyn_compress", axis=0)],
         [vi("x", F, [3, 4]), vi("cond", TensorProto.BOOL, [3])],
         [vi("y", F, ["n", 4])], opset=11)


def gen_attention(n):
    """ONNX Attention (opset 23; test/Import/ONNX/attention.mlir).

    ONNX 1.12 has no schema for this op, so helper.make_node builds the
    nodes unchecked and the graphs declare every output type.
    """
    B = TensorProto.BOOL
    H = TensorProto.FLOAT16
    # 4-D, grouped-query (4 query heads, 2 kv heads), additive mask, default
    # scale (1 / sqrt(8)).
    save("attention_gqa", [n("Attention", ["q", "k", "v", "m"], ["y"],
                             name="attn_gqa")],
         [vi("q", F, [2, 4, 6, 8]), vi("k", F, [2, 2, 6, 8]),
          vi("v", F, [2, 2, 6, 16]), vi("m", F, [6, 6])],
         [vi("y", F, [2, 4, 6, 16])], opset=23)
    # is_causal with equal lengths, an explicit scale, f16.
    save("attention_causal", [n("Attention", ["q", "k", "v"], ["y"],
                                name="attn_causal", is_causal=1,
                                scale=0.5)],
         [vi("q", H, [1, 2, 4, 8]), vi("k", H, [1, 2, 4, 8]),
          vi("v", H, [1, 2, 4, 8])],
         [vi("y", H, [1, 2, 4, 8])], opset=23)
    # is_causal with fewer queries than keys (ONNX aligns the triangle to
    # the top-left) and a boolean mask to combine with it.
    save("attention_causal_offset",
         [n("Attention", ["q", "k", "v", "m"], ["y"], name="attn_offset",
            is_causal=1)],
         [vi("q", F, [1, 1, 2, 4]), vi("k", F, [1, 1, 3, 4]),
          vi("v", F, [1, 1, 3, 4]), vi("m", B, [1, 1, 1, 3])],
         [vi("y", F, [1, 1, 2, 4])], opset=23)
    # 3-D inputs [B, L, heads * D] with q_num_heads / kv_num_heads.
    save("attention_3d", [n("Attention", ["q", "k", "v"], ["y"],
                            name="attn_3d", q_num_heads=4, kv_num_heads=1)],
         [vi("q", F, [2, 5, 32]), vi("k", F, [2, 7, 8]),
          vi("v", F, [2, 7, 8])],
         [vi("y", F, [2, 5, 32])], opset=23)
    # Unsupported: the KV cache, softcap. Invalid: mismatched head dims.
    save("attention_past", [n("Attention", ["q", "k", "v", "", "pk", "pv"],
                              ["y", "present_k", "present_v"],
                              name="attn_past")],
         [vi("q", F, [1, 2, 1, 8]), vi("k", F, [1, 2, 1, 8]),
          vi("v", F, [1, 2, 1, 8]), vi("pk", F, [1, 2, 3, 8]),
          vi("pv", F, [1, 2, 3, 8])],
         [vi("y", F, [1, 2, 1, 8]), vi("present_k", F, [1, 2, 4, 8]),
          vi("present_v", F, [1, 2, 4, 8])], opset=23)
    save("attention_softcap", [n("Attention", ["q", "k", "v"], ["y"],
                                 name="attn_softcap", softcap=30.0)],
         [vi("q", F, [1, 2, 4, 8]), vi("k", F, [1, 2, 4, 8]),
          vi("v", F, [1, 2, 4, 8])],
         [vi("y", F, [1, 2, 4, 8])], opset=23)
    save("attention_bad_heads", [n("Attention", ["q", "k", "v"], ["y"],
                                   name="attn_bad")],
         [vi("q", F, [1, 3, 4, 8]), vi("k", F, [1, 2, 4, 8]),
          vi("v", F, [1, 2, 4, 8])],
         [vi("y", F, [1, 3, 4, 8])], opset=23)
    # At opset 22 there is no Attention in the default domain.
    save("attention_opset22", [n("Attention", ["q", "k", "v"], ["y"],
                                 name="attn_old")],
         [vi("q", F, [1, 2, 4, 8]), vi("k", F, [1, 2, 4, 8]),
          vi("v", F, [1, 2, 4, 8])],
         [vi("y", F, [1, 2, 4, 8])], opset=22)
def gen_recurrent(n):
    """RNN, GRU and LSTM, unrolled on import (test/Import/ONNX/recurrent.mlir)."""
    I32 = TensorProto.INT32
    # RNN-14, forward, two steps, with B: Y and Y_h.
    save("rnn", [n("RNN", ["x", "w", "r", "b"], ["y", "y_h"], name="rnn",
                   hidden_size=2)],
         [vi("x", F, [2, 1, 3]), vi("w", F, [1, 2, 3]), vi("r", F, [1, 2, 2]),
          vi("b", F, [1, 4])],
         [vi("y", F, [2, 1, 1, 2]), vi("y_h", F, [1, 1, 2])], opset=14)
    # GRU-7, reverse, linear_before_reset, one step, only Y_h.
    save("gru_lbr", [n("GRU", ["x", "w", "r", "b"], ["", "y_h"], name="gru",
                       hidden_size=2, direction="reverse",
                       linear_before_reset=1)],
         [vi("x", F, [1, 1, 3]), vi("w", F, [1, 6, 3]), vi("r", F, [1, 6, 2]),
          vi("b", F, [1, 12])], [vi("y_h", F, [1, 1, 2])], opset=7)
    # LSTM-14, layout 1, a run-time sequence_lens, clip, Y_c.
    save("lstm_lens", [n("LSTM", ["x", "w", "r", "", "lens"],
                         ["y", "", "y_c"], name="lstm", hidden_size=2,
                         layout=1, clip=2.0)],
         [vi("x", F, [3, 2, 1]), vi("w", F, [1, 8, 1]), vi("r", F, [1, 8, 2]),
          vi("lens", I32, [3])],
         [vi("y", F, [3, 2, 1, 2]), vi("y_c", F, [3, 1, 2])], opset=14)
    # Bidirectional: two runs concatenated along the direction axis.
    save("rnn_bidir", [n("RNN", ["x", "w", "r"], ["", "y_h"], name="birnn",
                         hidden_size=2, direction="bidirectional",
                         activations=["Relu", "LeakyRelu"],
                         activation_alpha=[0.25])],
         [vi("x", F, [1, 1, 3]), vi("w", F, [2, 2, 3]), vi("r", F, [2, 2, 2])],
         [vi("y_h", F, [2, 1, 2])], opset=14)
    # Negative cases.
    save("rnn_bad_activation",
         [n("RNN", ["x", "w", "r"], ["y"], name="bad_act", hidden_size=2,
            activations=["Swish"])],
         [vi("x", F, [1, 1, 3]), vi("w", F, [1, 2, 3]), vi("r", F, [1, 2, 2])],
         [vi("y", F, [1, 1, 1, 2])], opset=14)
    save("rnn_dynamic_seq",
         [n("RNN", ["x", "w", "r"], ["y"], name="dyn_rnn", hidden_size=2)],
         [vi("x", F, ["T", 1, 3]), vi("w", F, [1, 2, 3]),
          vi("r", F, [1, 2, 2])], [vi("y", F, ["T", 1, 1, 2])], opset=14)
    save("gru_bad_weights",
         [n("GRU", ["x", "w", "r"], ["y"], name="bad_w", hidden_size=2)],
         [vi("x", F, [1, 1, 3]), vi("w", F, [1, 4, 3]), vi("r", F, [1, 6, 2])],
         [vi("y", F, [1, 1, 1, 2])], opset=14)
    save("lstm_bad_direction",
         [n("LSTM", ["x", "w", "r"], ["y"], name="bad_dir", hidden_size=2,
            direction="sideways")],
         [vi("x", F, [1, 1, 3]), vi("w", F, [1, 8, 3]), vi("r", F, [1, 8, 2])],
         [vi("y", F, [1, 1, 1, 2])], opset=14)
    save("lstm_bad_activation_count",
         [n("LSTM", ["x", "w", "r"], ["y"], name="bad_count", hidden_size=2,
            activations=["Sigmoid", "Tanh"])],
         [vi("x", F, [1, 1, 3]), vi("w", F, [1, 8, 3]), vi("r", F, [1, 8, 2])],
         [vi("y", F, [1, 1, 1, 2])], opset=14)
    save("rnn_bad_lens",
         [n("RNN", ["x", "w", "r", "", "lens"], ["y"], name="bad_lens",
            hidden_size=2)],
         [vi("x", F, [2, 1, 3]), vi("w", F, [1, 2, 3]), vi("r", F, [1, 2, 2])],
         [vi("y", F, [2, 1, 1, 2])],
         initializers=[const("lens", np.array([3], np.int32))], opset=14)


if __name__ == "__main__":
    main()
    legacy_broadcast()
    gen_attention(helper.make_node)
    gen_recurrent(helper.make_node)
