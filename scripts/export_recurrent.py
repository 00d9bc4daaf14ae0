#!/usr/bin/python3
"""Recurrent-op (RNN, GRU, LSTM) test models with reference outputs.

Usage:
  /usr/bin/python3 scripts/export_recurrent.py OUTDIR

Writes OUTDIR/NAME/model.onnx and OUTDIR/NAME/test_data_set_0/{input,output}_K.pb
(the ONNX backend-test layout, so `ds-onnx-test OUTDIR` and
`ds-run --test-data` both read it) for two kinds of cases:

* torch_*: nn.RNN / nn.GRU / nn.LSTM modules (bidirectional, two layers,
  batch_first) exported by PyTorch (opset 14), outputs from PyTorch eager.
  PyTorch's GRU export uses linear_before_reset=1.
* spec_*: single ONNX nodes that PyTorch never emits (reverse direction,
  sequence_lens, initial_c, peepholes, clip, input_forget, layout=1,
  linear_before_reset=0, parameterized activations), with outputs from
  `reference()` below, a direct NumPy transcription of the equations in the
  ONNX operator specification (activation_alpha/beta consumed in order by the
  activations that take them, clip applied to the gate pre-activations).

Everything is seeded and deterministic. Needs Debian's python (torch, onnx,
numpy).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 14


def write_case(outdir, name, model, inputs, outputs):
    mdir = os.path.join(outdir, name)
    ddir = os.path.join(mdir, "test_data_set_0")
    os.makedirs(ddir, exist_ok=True)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(mdir, "model.onnx"))
    for k, (n, a) in enumerate(inputs):
        t = numpy_helper.from_array(np.ascontiguousarray(a), name=n)
        with open(os.path.join(ddir, "input_%d.pb" % k), "wb") as f:
            f.write(t.SerializeToString())
    for k, (n, a) in enumerate(outputs):
        t = numpy_helper.from_array(np.ascontiguousarray(a), name=n)
        with open(os.path.join(ddir, "output_%d.pb" % k), "wb") as f:
            f.write(t.SerializeToString())
    ops = sorted({node.op_type for node in model.graph.node})
    print("[%s] ops: %s" % (name, ", ".join(ops)))


# --------------------------------------------------------------------------
# PyTorch exports
# --------------------------------------------------------------------------

def torch_cases(outdir):
    import torch

    torch.manual_seed(0)
    cases = {
        "torch_lstm_bi": torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True,
                                       batch_first=True),
        "torch_gru_bi": torch.nn.GRU(4, 6, num_layers=2, bidirectional=True),
        "torch_rnn_relu_bi": torch.nn.RNN(3, 4, nonlinearity="relu",
                                          bidirectional=True),
    }
    for name, module in cases.items():
        module.eval()
        x = torch.randn(2, 5, module.input_size)
        y, _ = module(x)
        path = os.path.join(outdir, name + ".tmp.onnx")
        torch.onnx.export(module, (x,), path, opset_version=OPSET,
                          input_names=["x"], output_names=["y"])
        model = onnx.load(path)
        os.remove(path)
        # Keep only the sequence output (the hidden states are compared
        # through the next layer and the spec cases).
        del model.graph.output[1:]
        write_case(outdir, name, model, [("x", x.numpy())],
                   [("y", y.detach().numpy())])


# --------------------------------------------------------------------------
# Reference implementation of the ONNX specification
# --------------------------------------------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


ACTS = {
    "Relu": (0, lambda x, a, b: np.maximum(x, 0)),
    "Tanh": (0, lambda x, a, b: np.tanh(x)),
    "Sigmoid": (0, lambda x, a, b: sigmoid(x)),
    "Affine": (2, lambda x, a, b: a * x + b),
    "LeakyRelu": (1, lambda x, a, b: np.where(x < 0, a * x, x)),
    "ScaledTanh": (2, lambda x, a, b: a * np.tanh(b * x)),
    "HardSigmoid": (2, lambda x, a, b: np.clip(a * x + b, 0, 1)),
    "Elu": (1, lambda x, a, b: np.where(x < 0, a * (np.exp(x) - 1), x)),
    "Softsign": (0, lambda x, a, b: x / (1 + np.abs(x))),
}


def activations(names, alphas, betas):
    out, ia, ib = [], 0, 0
    for n in names:
        count, fn = ACTS[n]
        a = b = None
        if count >= 1:
            a, ia = alphas[ia], ia + 1
        if count >= 2:
            b, ib = betas[ib], ib + 1
        out.append(lambda x, fn=fn, a=a, b=b: fn(x, a, b))
    return out


def reference(kind, attrs, X, W, R, B=None, lens=None, h0=None, c0=None,
              P=None):
    """Y, Y_h (and Y_c for LSTM) of one ONNX RNN/GRU/LSTM node."""
    layout = attrs.get("layout", 0)
    if layout:
        X = X.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    T, Bn, _ = X.shape
    D, GH, _ = W.shape
    H = R.shape[2]
    G = GH // H
    nact = {"RNN": 1, "GRU": 2, "LSTM": 3}[kind]
    default = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"],
               "LSTM": ["Sigmoid", "Tanh", "Tanh"]}[kind]
    names = attrs.get("activations", default * D)
    acts = activations(names, attrs.get("activation_alpha", []),
                       attrs.get("activation_beta", []))
    clip = attrs.get("clip")
    cl = (lambda v: np.clip(v, -clip, clip)) if clip else (lambda v: v)
    direction = attrs.get("direction", "forward")
    lens = np.full(Bn, T) if lens is None else lens
    Y = np.zeros((T, D, Bn, H), X.dtype)
    Yh = np.zeros((D, Bn, H), X.dtype)
    Yc = np.zeros((D, Bn, H), X.dtype)
    for d in range(D):
        f, g, h = (acts[d * nact:(d + 1) * nact] + [None, None])[:3]
        Wd, Rd = W[d], R[d]
        Bd = np.zeros(2 * GH, X.dtype) if B is None else B[d]
        Wb, Rb = Bd[:GH], Bd[GH:]
        Hs = np.zeros((Bn, H), X.dtype) if h0 is None else h0[d].copy()
        Cs = np.zeros((Bn, H), X.dtype) if c0 is None else c0[d].copy()
        reverse = direction == "reverse" or d == 1
        for bi in range(Bn):
            Ht, Ct = Hs[bi], Cs[bi]
            steps = range(lens[bi] - 1, -1, -1) if reverse else range(lens[bi])
            for t in steps:
                x = X[t, bi]
                gates = [x @ Wd[k * H:(k + 1) * H].T + Wb[k * H:(k + 1) * H]
                         for k in range(G)]
                rec = [Ht @ Rd[k * H:(k + 1) * H].T + Rb[k * H:(k + 1) * H]
                       for k in range(G)]
                if kind == "RNN":
                    Ht = f(cl(gates[0] + rec[0]))
                elif kind == "GRU":
                    z = f(cl(gates[0] + rec[0]))
                    r = f(cl(gates[1] + rec[1]))
                    if attrs.get("linear_before_reset", 0):
                        hh = g(cl(gates[2] + r * rec[2]))
                    else:
                        hh = g(cl(gates[2] + (r * Ht) @ Rd[2 * H:].T
                                  + Rb[2 * H:]))
                    Ht = (1 - z) * hh + z * Ht
                else:
                    p = np.zeros(3 * H, X.dtype) if P is None else P[d]
                    i = f(cl(gates[0] + rec[0] + p[:H] * Ct))
                    if attrs.get("input_forget", 0):
                        fg = 1 - i
                    else:
                        fg = f(cl(gates[2] + rec[2] + p[2 * H:] * Ct))
                    c = g(cl(gates[3] + rec[3]))
                    Ct = fg * Ct + i * c
                    o = f(cl(gates[1] + rec[1] + p[H:2 * H] * Ct))
                    Ht = o * h(Ct)
                Y[t, d, bi] = Ht
            Yh[d, bi], Yc[d, bi] = Ht, Ct
    if layout:
        Y = Y.transpose(2, 0, 1, 3)
        Yh = Yh.transpose(1, 0, 2)
        Yc = Yc.transpose(1, 0, 2)
    return Y, Yh, Yc


def spec_case(outdir, name, kind, attrs, T, Bn, I, H, D, with_b=True,
              with_lens=False, with_h0=False, with_c0=False, with_p=False,
              seed=0):
    rng = np.random.default_rng(seed)
    G = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    f32 = np.float32
    layout = attrs.get("layout", 0)
    X = rng.standard_normal((Bn, T, I) if layout else (T, Bn, I)).astype(f32)
    W = (0.5 * rng.standard_normal((D, G * H, I))).astype(f32)
    R = (0.5 * rng.standard_normal((D, G * H, H))).astype(f32)
    state = (Bn, D, H) if layout else (D, Bn, H)
    feeds = [("X", X), ("W", W), ("R", R)]
    opt = {}
    if with_b:
        opt["B"] = (0.5 * rng.standard_normal((D, 2 * G * H))).astype(f32)
    if with_lens:
        opt["sequence_lens"] = rng.integers(1, T + 1, Bn).astype(np.int32)
    if with_h0:
        opt["initial_h"] = rng.standard_normal(state).astype(f32)
    if with_c0:
        opt["initial_c"] = rng.standard_normal(state).astype(f32)
    if with_p:
        opt["P"] = (0.5 * rng.standard_normal((D, 3 * H))).astype(f32)
    order = ["B", "sequence_lens", "initial_h", "initial_c", "P"]
    node_inputs = ["X", "W", "R"]
    last = max([order.index(k) for k in opt] + [-1])
    for k in order[:last + 1]:
        node_inputs.append(k if k in opt else "")
        if k in opt:
            feeds.append((k, opt[k]))
    Y, Yh, Yc = reference(kind, attrs, X, W, R, opt.get("B"),
                          opt.get("sequence_lens"), opt.get("initial_h"),
                          opt.get("initial_c"), opt.get("P"))
    outs = [("Y", Y), ("Y_h", Yh)] + ([("Y_c", Yc)] if kind == "LSTM" else [])
    node = helper.make_node(kind, node_inputs, [n for n, _ in outs],
                            hidden_size=H, **attrs)
    elem = lambda a: (TensorProto.INT32 if a.dtype == np.int32
                      else TensorProto.FLOAT)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(n, elem(a), a.shape) for n, a in feeds],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, a.shape)
         for n, a in outs])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    write_case(outdir, name, model, feeds, outs)


def spec_cases(outdir):
    spec_case(outdir, "spec_lstm_reverse_all_inputs", "LSTM",
              dict(direction="reverse", clip=1.5), T=4, Bn=3, I=2, H=3, D=1,
              with_lens=True, with_h0=True, with_c0=True, with_p=True)
    spec_case(outdir, "spec_lstm_bidir_layout1_forget", "LSTM",
              dict(direction="bidirectional", layout=1, input_forget=1),
              T=3, Bn=2, I=3, H=4, D=2, with_lens=True, with_h0=True, seed=1)
    spec_case(outdir, "spec_gru_bidir_lbr0_lens", "GRU",
              dict(direction="bidirectional"), T=5, Bn=3, I=2, H=3, D=2,
              with_lens=True, with_h0=True, seed=2)
    spec_case(outdir, "spec_gru_reverse_lbr1_acts", "GRU",
              dict(direction="reverse", linear_before_reset=1,
                   activations=["HardSigmoid", "LeakyRelu"],
                   activation_alpha=[0.3, 0.05], activation_beta=[0.4]),
              T=3, Bn=2, I=3, H=2, D=1, seed=3)
    spec_case(outdir, "spec_rnn_bidir_acts", "RNN",
              dict(direction="bidirectional",
                   activations=["ScaledTanh", "Affine"],
                   activation_alpha=[0.8, 0.5], activation_beta=[1.2, 0.1]),
              T=4, Bn=2, I=3, H=3, D=2, with_h0=True, seed=4)
    spec_case(outdir, "spec_rnn_layout1_lens_elu", "RNN",
              dict(layout=1, activations=["Elu"], activation_alpha=[0.7]),
              T=4, Bn=3, I=2, H=2, D=1, with_b=False, with_lens=True, seed=5)
    spec_case(outdir, "spec_lstm_softsign_noB", "LSTM",
              dict(activations=["Sigmoid", "Softsign", "Relu"]),
              T=2, Bn=2, I=2, H=2, D=1, with_b=False, seed=6)


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__)
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    spec_cases(outdir)
    torch_cases(outdir)


if __name__ == "__main__":
    main(sys.argv)
