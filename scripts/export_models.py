#!/usr/bin/python3
"""Export the ds test/benchmark models to ONNX with reference data.

Usage:
  /usr/bin/python3 scripts/export_models.py OUTDIR [--only NAME ...]
                                               [--bench-torch N] [--threads T]

For each model NAME this writes
  OUTDIR/NAME/model.onnx
  OUTDIR/NAME/test_data_set_0/input_0.pb ... output_0.pb
(the ONNX model-zoo / onnx backend-test layout; tensor names are the graph
input/output names; multi-input models get input_0.pb, input_1.pb, ...),
with outputs computed by PyTorch eager.

Models: mlp, cnn, resnet18, mlp_gelu, and the larger / attention models
mobilenet_v2, vit (a small torchvision VisionTransformer), transformer_encoder
(nn.TransformerEncoder), gpt (hand-written causal decoder, int64 token ids)
and bert_layer (hand-written encoder layer; inputs hidden_states and a float
0/1 attention_mask); gpt_long (one GPT block over 2048 tokens) and
bert_masked (the BERT layer over 2048 tokens with a fully masked row) and
attn_padded (attention alone with a boolean padding mask, one batch row fully
masked) for the attention tests.

Everything is deterministic: fixed seeds, eval mode, single-process export.
The op histogram of each exported model is printed. For the first four it is
checked against the op set that ds supports (the script fails loudly on any
other op); the larger models (UNCHECKED_OPS) are not checked, since ds does
not support all of their ops yet.

--bench-torch N: after exporting (or finding) a model, time PyTorch eager on
the same module (torch.set_num_threads(T), T = --threads, default 2) and
print one machine-readable line per model:
  torch median_ms=X min_ms=Y model=NAME
(With --bench-torch, models whose model.onnx already exists are not
re-exported; the module is rebuilt from the same seed, so it is identical.)

Needs Debian's python (torch, torchvision, onnx, numpy): call it with
/usr/bin/python3 explicitly.
"""

import argparse
import collections
import math
import os
import statistics
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn

SEED = 20240601
OPSET = 14

ALLOWED_OPS = {
    "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt",
    "Relu", "Sigmoid", "Tanh", "Erf", "Exp", "MaxPool", "AveragePool",
    "GlobalAveragePool", "Flatten", "Reshape", "Transpose", "Softmax",
    "Constant", "Identity", "Concat", "BatchNormalization",
    "LayerNormalization", "Gather", "Unsqueeze", "Squeeze", "Cast", "Where",
    "ReduceMean",
}


# --------------------------------------------------------------------------
# Model definitions
# --------------------------------------------------------------------------

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=1, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.pool2 = nn.AdaptiveAvgPool2d(1)  # exports GlobalAveragePool
        self.fc = nn.Linear(32, 10)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.pool1(self.relu(self.bn1(self.conv1(x))))
        x = self.pool2(self.relu(self.bn2(self.conv2(x))))
        x = torch.flatten(x, 1)
        return self.fc(x)


class MLPGelu(nn.Module):
    """MLP exercising GELU (Erf), LayerNorm, Tanh, Sigmoid, Softmax."""

    def __init__(self, d_in=32, hidden=64, d_out=16):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.ln1 = nn.LayerNorm(hidden)
        self.gelu = nn.GELU()
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, hidden)
        self.ln2 = nn.LayerNorm(hidden)
        self.fc4 = nn.Linear(hidden, d_out)

    def forward(self, x):
        h = self.gelu(self.ln1(self.fc1(x)))
        h = torch.tanh(self.fc2(h)) * torch.sigmoid(self.fc3(h))  # gated
        h = self.ln2(h)
        return torch.softmax(self.fc4(h), dim=-1)


class GPTBlock(nn.Module):
    """One pre-LN GPT decoder block with a hand-written causal attention."""

    def __init__(self, d_model, n_head, block_size):
        super().__init__()
        self.n_head = n_head
        self.d_head = d_model // n_head
        self.ln1 = nn.LayerNorm(d_model)
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc = nn.Linear(d_model, 4 * d_model)
        self.gelu = nn.GELU()
        self.fc_out = nn.Linear(4 * d_model, d_model)
        self.register_buffer(
            "tril", torch.tril(torch.ones(block_size, block_size)))

    def forward(self, x):
        B, T, C = x.size()
        h = self.ln1(x)
        q = self.q(h).view(B, T, self.n_head, self.d_head).transpose(1, 2)
        k = self.k(h).view(B, T, self.n_head, self.d_head).transpose(1, 2)
        v = self.v(h).view(B, T, self.n_head, self.d_head).transpose(1, 2)
        att = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(self.d_head))
        att = att.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        att = torch.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.proj(y)
        x = x + self.fc_out(self.gelu(self.fc(self.ln2(x))))
        return x


class GPT(nn.Module):
    def __init__(self, vocab=100, d_model=64, n_head=4, n_layer=2,
                 block_size=16):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, d_model)
        self.pos_emb = nn.Parameter(torch.randn(1, block_size, d_model) * 0.02)
        self.blocks = nn.ModuleList(
            [GPTBlock(d_model, n_head, block_size) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab, bias=False)

    def forward(self, idx):
        T = idx.size(1)
        x = self.tok_emb(idx) + self.pos_emb[:, :T, :]
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln_f(x))


class BertLayer(nn.Module):
    """A BERT encoder layer (self-attention + FFN, post-LN) by hand."""

    def __init__(self, hidden=64, n_head=4, intermediate=128, eps=1e-12):
        super().__init__()
        self.n_head = n_head
        self.d_head = hidden // n_head
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_ln = nn.LayerNorm(hidden, eps=eps)
        self.inter = nn.Linear(hidden, intermediate)
        self.gelu = nn.GELU()
        self.out = nn.Linear(intermediate, hidden)
        self.out_ln = nn.LayerNorm(hidden, eps=eps)

    def split(self, x):
        B, T, _ = x.size()
        return x.view(B, T, self.n_head, self.d_head).permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        ext = (1.0 - attention_mask[:, None, None, :]) * -10000.0
        q = self.split(self.query(hidden_states))
        k = self.split(self.key(hidden_states))
        v = self.split(self.value(hidden_states))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d_head) + ext
        probs = torch.softmax(scores, dim=-1)
        ctx = (probs @ v).permute(0, 2, 1, 3).contiguous()
        B, T = ctx.shape[0], ctx.shape[1]
        ctx = ctx.view(B, T, self.n_head * self.d_head)
        h = self.attn_ln(self.attn_out(ctx) + hidden_states)
        return self.out_ln(self.out(self.gelu(self.inter(h))) + h)


def _randomize_bn(model, gen):
    """Give BatchNorm non-trivial running stats and affine params so the
    reference data actually exercises inference-mode BN."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)


def build_mlp():
    return MLP(), (4, 784)


def build_cnn():
    m = SmallCNN()
    _randomize_bn(m, torch.Generator().manual_seed(SEED + 1))
    return m, (2, 3, 32, 32)


def build_resnet18():
    import torchvision
    m = torchvision.models.resnet18(weights=None)
    _randomize_bn(m, torch.Generator().manual_seed(SEED + 2))
    return m, (1, 3, 224, 224)


def build_mlp_gelu():
    m = MLPGelu()
    # Non-trivial LayerNorm affine params (also keeps the exporter from
    # deduplicating identical ln1/ln2 initializers into Identity nodes).
    gen = torch.Generator().manual_seed(SEED + 3)
    for ln in (m.ln1, m.ln2):
        with torch.no_grad():
            ln.weight.copy_(torch.rand(ln.weight.shape, generator=gen) + 0.5)
            ln.bias.copy_(torch.randn(ln.bias.shape, generator=gen) * 0.1)
    return m, (2, 32)


def _randomize_ln(model, gen):
    """Non-trivial LayerNorm affine params (default init is 1/0)."""
    for m in model.modules():
        if isinstance(m, nn.LayerNorm) and m.elementwise_affine:
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)


def build_mobilenet_v2():
    import torchvision
    m = torchvision.models.mobilenet_v2(weights=None)
    _randomize_bn(m, torch.Generator().manual_seed(SEED + 4))
    return m, (1, 3, 224, 224)


def build_vit():
    from torchvision.models.vision_transformer import VisionTransformer
    m = VisionTransformer(image_size=32, patch_size=8, num_layers=2,
                          num_heads=4, hidden_dim=64, mlp_dim=128,
                          num_classes=10)
    # torchvision zero-initializes the class token and the classifier head,
    # which would make every output 0: give them random values.
    gen = torch.Generator().manual_seed(SEED + 5)
    with torch.no_grad():
        m.class_token.copy_(torch.randn(m.class_token.shape, generator=gen))
        head = m.heads.head
        head.weight.copy_(torch.randn(head.weight.shape, generator=gen) * 0.1)
        head.bias.copy_(torch.randn(head.bias.shape, generator=gen) * 0.1)
    _randomize_ln(m, gen)
    return m, (2, 3, 32, 32)


def build_transformer_encoder():
    layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                       dropout=0.0, batch_first=True)
    m = nn.TransformerEncoder(layer, num_layers=2)
    _randomize_ln(m, torch.Generator().manual_seed(SEED + 6))
    return m, (2, 16, 64)


def build_gpt():
    m = GPT()
    _randomize_ln(m, torch.Generator().manual_seed(SEED + 7))

    def inputs(gen):
        return collections.OrderedDict([
            ("input_ids", torch.randint(0, 100, (2, 16), generator=gen,
                                        dtype=torch.int64))])
    return m, inputs


def build_bert_layer():
    m = BertLayer()
    _randomize_ln(m, torch.Generator().manual_seed(SEED + 8))

    def inputs(gen):
        hidden = torch.randn(2, 16, 64, generator=gen)
        # Row 0 attends to all 16 tokens, row 1 to the first 11 (padding).
        mask = torch.ones(2, 16)
        mask[1, 11:] = 0.0
        return collections.OrderedDict([
            ("hidden_states", hidden), ("attention_mask", mask)])
    return m, inputs


class PaddedAttention(nn.Module):
    """Attention with a boolean key-padding mask (masked_fill with -inf)."""

    def forward(self, q, k, v, keep):
        att = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        att = att.masked_fill(~keep[:, None, None, :], float("-inf"))
        return torch.softmax(att, dim=-1) @ v


def build_attn_padded():
    """Batch row 0 keeps 40 of 70 keys; row 1 keeps none, so its outputs
    are NaN (softmax of an all -inf row) in PyTorch, unfused and fused."""
    def inputs(gen):
        keep = torch.ones(2, 70, dtype=torch.bool)
        keep[0, 40:] = False
        keep[1, :] = False
        return collections.OrderedDict(
            [(n, torch.randn(2, 4, 70, 16, generator=gen)) for n in "qkv"]
            + [("keep", keep)])
    return PaddedAttention(), inputs


def build_gpt_long():
    """One GPT block over 2048 tokens: the causal attention at a length where
    the unfused scores (4 x 2048 x 2048) dominate."""
    m = GPT(n_layer=1, block_size=2048)
    _randomize_ln(m, torch.Generator().manual_seed(SEED + 9))

    def inputs(gen):
        return collections.OrderedDict([
            ("input_ids", torch.randint(0, 100, (1, 2048), generator=gen,
                                        dtype=torch.int64))])
    return m, inputs


def build_bert_masked():
    """The BERT layer over 2048 tokens, with padding in row 0 and row 1
    fully masked (every key padded: softmax of equal scores)."""
    m = BertLayer()
    _randomize_ln(m, torch.Generator().manual_seed(SEED + 10))

    def inputs(gen):
        hidden = torch.randn(2, 2048, 64, generator=gen)
        mask = torch.ones(2, 2048)
        mask[0, 1500:] = 0.0
        mask[1, :] = 0.0
        return collections.OrderedDict([
            ("hidden_states", hidden), ("attention_mask", mask)])
    return m, inputs


# name -> (builder, export options)
MODELS = collections.OrderedDict([
    ("mlp", (build_mlp, dict(do_constant_folding=True))),
    # Keep BatchNormalization as its own node: no constant folding, and
    # TrainingMode.PRESERVE so the exporter's eval-mode peephole does not
    # fuse Conv+BN (the module itself is in eval mode, so BN is exported in
    # inference form, training_mode=0).
    ("cnn", (build_cnn, dict(do_constant_folding=False,
                             training=torch.onnx.TrainingMode.PRESERVE),
             {"Conv", "BatchNormalization", "Relu", "MaxPool",
              "GlobalAveragePool", "Flatten", "Gemm"})),
    ("resnet18", (build_resnet18, dict(do_constant_folding=True))),
    ("mlp_gelu", (build_mlp_gelu, dict(do_constant_folding=True),
                  {"Erf", "Div", "Mul", "Add", "Softmax", "Tanh", "Sigmoid"})),
    # Larger / attention models. Their op set is printed but not checked
    # against ALLOWED_OPS (see UNCHECKED_OPS): ds need not support all of it.
    ("mobilenet_v2", (build_mobilenet_v2, dict(do_constant_folding=True))),
    ("vit", (build_vit, dict(do_constant_folding=True))),
    ("transformer_encoder", (build_transformer_encoder,
                             dict(do_constant_folding=True))),
    ("gpt", (build_gpt, dict(do_constant_folding=True))),
    ("bert_layer", (build_bert_layer, dict(do_constant_folding=True))),
    # Attention at length 2048 and with fully masked rows
    # (test/e2e/attention-fusion.test).
    ("gpt_long", (build_gpt_long, dict(do_constant_folding=True))),
    ("bert_masked", (build_bert_masked, dict(do_constant_folding=True))),
    ("attn_padded", (build_attn_padded, dict(do_constant_folding=True))),
])

# Models whose ops are not checked against ALLOWED_OPS.
UNCHECKED_OPS = {"mobilenet_v2", "vit", "transformer_encoder", "gpt",
                 "bert_layer", "gpt_long", "bert_masked", "attn_padded"}

# Models traced (and their reference computed) with grad enabled: in eval
# mode under no_grad, nn.MultiheadAttention / nn.TransformerEncoderLayer take
# a fused inference fast path (aten::_native_multi_head_attention, which has
# no ONNX symbolic); with grad enabled they run the plain decomposition.
TRACE_WITH_GRAD = {"vit", "transformer_encoder"}


def make_model_inputs(name):
    """Deterministically build (module in eval mode, inputs), where inputs
    is an ordered {graph input name: tensor}. A builder returns either an
    input shape (one float32 randn input named 'input') or a function of a
    torch.Generator returning that dict."""
    entry = MODELS[name]
    builder = entry[0]
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    model, spec = builder()
    model.eval()
    gen = torch.Generator().manual_seed(SEED + 100)
    if callable(spec):
        inputs = spec(gen)
    else:
        inputs = collections.OrderedDict([
            ("input", torch.randn(*spec, generator=gen, dtype=torch.float32))])
    return model, inputs


def make_model(name):
    """Deterministically build (module in eval mode, example input): the
    input tensor, or for a multi-input model the tuple of inputs."""
    model, inputs = make_model_inputs(name)
    xs = tuple(inputs.values())
    return model, (xs[0] if len(xs) == 1 else xs)


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------

def op_histogram(model_proto):
    hist = collections.Counter()

    def walk(graph):
        for node in graph.node:
            key = node.op_type if node.domain in ("", "ai.onnx") \
                else "%s::%s" % (node.domain, node.op_type)
            hist[key] += 1
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    walk(attr.g)
                elif attr.type == onnx.AttributeProto.GRAPHS:
                    for g in attr.graphs:
                        walk(g)

    walk(model_proto.graph)
    return hist


def write_pb(path, array, name):
    t = numpy_helper.from_array(np.ascontiguousarray(array), name=name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def export_one(name, outdir):
    entry = MODELS[name]
    opts = dict(entry[1])
    required = entry[2] if len(entry) > 2 else set()
    model, inputs = make_model_inputs(name)
    xs = tuple(inputs.values())

    mdir = os.path.join(outdir, name)
    ddir = os.path.join(mdir, "test_data_set_0")
    os.makedirs(ddir, exist_ok=True)
    path = os.path.join(mdir, "model.onnx")

    with torch.set_grad_enabled(name in TRACE_WITH_GRAD):
        y = model(*xs).detach()
        torch.onnx.export(
            model, xs, path,
            export_params=True,
            opset_version=OPSET,
            input_names=list(inputs),
            output_names=["output"],
            **opts)

    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    init_names = {init.name for init in proto.graph.initializer}
    in_names = [i.name for i in proto.graph.input if i.name not in init_names]
    out_names = [o.name for o in proto.graph.output]
    assert in_names == list(inputs) and len(out_names) == 1, (
        in_names, out_names)
    for k, (iname, x) in enumerate(inputs.items()):
        write_pb(os.path.join(ddir, "input_%d.pb" % k), x.numpy(), iname)
    write_pb(os.path.join(ddir, "output_0.pb"), y.numpy(), out_names[0])

    hist = op_histogram(proto)
    size_mb = os.path.getsize(path) / 1e6
    print("[%s] %s (%.1f MB, opset %d) input %s -> output %s %s" % (
        name, path, size_mb, OPSET,
        " ".join("%s %s %s" % (n, str(x.dtype).replace("torch.", ""),
                               list(x.shape)) for n, x in inputs.items()),
        out_names[0], list(y.shape)))
    print("[%s] ops: %s" % (name, ", ".join(
        "%s=%d" % kv for kv in sorted(hist.items()))))

    if name not in UNCHECKED_OPS:
        bad = sorted(set(hist) - ALLOWED_OPS)
        if bad:
            raise SystemExit(
                "ERROR: model %s uses ops outside the supported set: %s"
                % (name, ", ".join(bad)))
    missing = sorted(required - set(hist))
    if missing:
        raise SystemExit("ERROR: model %s lacks expected ops: %s"
                         % (name, ", ".join(missing)))
    return model, inputs


# --------------------------------------------------------------------------
# Torch eager timing (peer baseline)
# --------------------------------------------------------------------------

def bench_torch(name, model, inputs, iters, threads):
    xs = tuple(inputs.values())
    torch.set_num_threads(threads)
    warmup = max(3, min(10, iters // 5))
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            model(*xs)
        for _ in range(iters):
            t0 = time.perf_counter()
            model(*xs)
            times.append((time.perf_counter() - t0) * 1e3)
    print("torch median_ms=%.4f min_ms=%.4f model=%s" % (
        statistics.median(times), min(times), name), flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("outdir")
    ap.add_argument("--only", nargs="+", metavar="NAME", choices=list(MODELS),
                    help="export only these models (default: all)")
    ap.add_argument("--bench-torch", type=int, default=0, metavar="N",
                    help="time PyTorch eager with N iterations per model")
    ap.add_argument("--threads", type=int, default=2,
                    help="torch intra-op threads for --bench-torch (default 2)")
    args = ap.parse_args(argv)

    torch.use_deterministic_algorithms(True)
    names = args.only or list(MODELS)
    os.makedirs(args.outdir, exist_ok=True)
    for name in names:
        t0 = time.time()
        onnx_path = os.path.join(args.outdir, name, "model.onnx")
        if args.bench_torch and os.path.exists(onnx_path):
            model, inputs = make_model_inputs(name)
        else:
            # Export uses the default thread count; keep it fast.
            model, inputs = export_one(name, args.outdir)
            print("[%s] exported in %.1fs" % (name, time.time() - t0),
                  file=sys.stderr)
        if args.bench_torch:
            bench_torch(name, model, inputs, args.bench_torch, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
