#!/usr/bin/python3
"""End-to-end numerics of ds's dynamic quantization.

Usage:
  /usr/bin/python3 scripts/quant_e2e.py OUTDIR --ds-run PATH [--models ...]
                                        [--check]

Trains small classifiers here (deterministic, CPU, seconds each: MLPs on
digits and a synthetic set, and digits_cnn, a two-convolution CNN on
digits), exports them to ONNX with their whole test split as one batch, and
exports models of scripts/export_models.py (the transformer layers
bert_layer and gpt; the CNNs resnet18 and mobilenet_v2), which are judged
by output SQNR. Each model
then runs through `ds-run` in float and under each quantization setting; the
script prints one line per (model, setting):

  quant model=digits setting=int8 top1=97.41 float_top1=97.59 delta=-0.19 \
        agree=99.26 sqnr_db=38.1 weight_ratio=0.2539

top1 and float_top1 are the accuracies (percent) of ds's quantized and float
runs on the test labels, agree the percentage of inputs whose top-1 class is
unchanged, sqnr_db the output signal-to-quantization-noise ratio against
ds's float output, weight_ratio the bytes of the quantized layers' weights
(values + scales) over their float bytes, from ds-quantize's report.

--check fails (exit 1) unless, on the trained classifiers, int8 (dynamic per
token) loses at most 0.5 points of top-1, int4 (group 128, or 32 where the
layer is narrower) at most 2 points, and the weight ratios are within 27%
(int8) and 15% (int4 group 128); bits=auto with a 1-point top-1 budget
(measured on calibration rows from the training split) stays within 1 point
of float top-1 on the test split at no more than 30% of the float weight
bytes; and the exported models keep an output SQNR of at least 25 dB
(int8) and 12 dB (int4).

Settings with calibration=... also print the SQNR the pass measured on the
calibration inputs with and without bias correction (cal_sqnr_db,
cal_sqnr_db_no_bias_correction); the *-nobc settings turn it off, so the
test-set effect is the sqnr_db of a setting against its -nobc twin.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

SEED = 1234


def write_pb(path, array, name):
    from onnx import numpy_helper
    t = numpy_helper.from_array(array, name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def read_pb(path):
    import onnx
    from onnx import numpy_helper
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


# --- Classifiers trained here ----------------------------------------------

def load_dataset(name):
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    if name == "digits":
        d = datasets.load_digits()
        x, y = d.data.astype(np.float32) / 16.0, d.target
    else:  # "synthetic": 256 features, 10 classes, enough to need depth
        x, y = datasets.make_classification(
            n_samples=8000, n_features=256, n_informative=96,
            n_redundant=32, n_classes=10, n_clusters_per_class=2,
            class_sep=1.5, random_state=SEED)
        x = x.astype(np.float32)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25,
                                          random_state=SEED, stratify=y)
    if name == "digits":  # pixels already in [0, 1]; some are always 0
        return xtr, ytr, xte, yte
    mean, std = xtr.mean(0), xtr.std(0)
    return (xtr - mean) / std, ytr, ((xte - mean) / std).astype(np.float32), yte


def build_cnn():
    """digits_cnn: 8x8 digits through two 3x3 convolutions (K = 9, then
    32*9 = 288: a multiple of int4's group 32), a 2x2 max pool and a linear
    classifier (K = 1024)."""
    import torch
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(64 * 4 * 4, 10))


def train_classifier(name, outdir):
    import torch
    torch.manual_seed(SEED)
    cnn = name == "digits_cnn"
    xtr, ytr, xte, yte = load_dataset("digits" if cnn else name)
    if cnn:
        xtr = xtr.reshape(-1, 1, 8, 8)
        xte = xte.reshape(-1, 1, 8, 8)
        model = build_cnn()
    else:
        widths = {"digits": [64, 256, 256, 10],
                  "synthetic": [256, 512, 256, 10]}[name]
        layers = []
        for i in range(len(widths) - 1):
            layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
            if i + 2 < len(widths):
                layers.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    xt, yt = torch.from_numpy(xtr), torch.from_numpy(ytr).long()
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(30 if cnn else 60):
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    mdir = os.path.join(outdir, name)
    ddir = os.path.join(mdir, "test_data_set_0")
    os.makedirs(ddir, exist_ok=True)
    x = torch.from_numpy(xte)
    with torch.no_grad():
        ref = model(x).numpy()
    torch.onnx.export(model, (x,), os.path.join(mdir, "model.onnx"),
                      input_names=["input"], output_names=["logits"],
                      opset_version=14, do_constant_folding=True)
    write_pb(os.path.join(ddir, "input_0.pb"), xte, "input")
    write_pb(os.path.join(ddir, "output_0.pb"), ref, "logits")
    # Calibration: two sets of training rows (the model's batch is static),
    # never the test rows the accuracy is measured on.
    for i in range(2):
        cdir = os.path.join(mdir, "calibration", "set%d" % i)
        os.makedirs(cdir, exist_ok=True)
        rows = xtr[i * len(xte):(i + 1) * len(xte)].astype(np.float32)
        write_pb(os.path.join(cdir, "input_0.pb"), rows, "input")
    np.save(os.path.join(mdir, "labels.npy"), yte)
    return mdir


def export_transformer(name, outdir):
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "export_models.py"),
                    outdir, "--only", name], check=True,
                   stdout=subprocess.DEVNULL)
    # The exports have one (random) input set: calibrate on it.
    mdir = os.path.join(outdir, name)
    os.makedirs(os.path.join(mdir, "calibration"), exist_ok=True)
    for f in os.listdir(os.path.join(mdir, "test_data_set_0")):
        if f.startswith("input_"):
            link = os.path.join(mdir, "calibration", f)
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(os.path.join("..", "test_data_set_0", f), link)
    return mdir


# --- Running ds ---------------------------------------------------------------

def run_ds(ds_run, mdir, setting, tag):
    """Runs the model's test data through ds; returns (outputs, report)."""
    ddir = os.path.join(mdir, "test_data_set_0")
    out = os.path.join(mdir, "out_" + tag)
    os.makedirs(out, exist_ok=True)
    cmd = [ds_run, os.path.join(mdir, "model.onnx")]
    for f in sorted(os.listdir(ddir)):
        if f.startswith("input_"):
            import onnx
            tp = onnx.TensorProto()
            with open(os.path.join(ddir, f), "rb") as fh:
                tp.ParseFromString(fh.read())
            cmd += ["--input", "%s=%s" % (tp.name, os.path.join(ddir, f))]
    cmd += ["--output-dir", out]
    report = None
    if setting is not None:
        report = os.path.join(mdir, "report_%s.json" % tag)
        setting = setting.replace("{cal}", os.path.join(mdir, "calibration"))
        cmd += ["--quantize", setting + " report=" + report]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    outputs = read_pb(os.path.join(out, "output_0.pb"))
    if report:
        with open(report) as f:
            report = json.load(f)
    return outputs, report


def sqnr_db(ref, got):
    noise = np.sum((ref.astype(np.float64) - got) ** 2)
    signal = np.sum(ref.astype(np.float64) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(signal / noise)


CLASSIFIERS = ("digits", "synthetic", "digits_cnn")

SETTINGS = [
    ("int8", "weights=int8 activations=dynamic-per-token"),
    ("int8-tensor", "weights=int8 activations=dynamic-per-tensor"),
    ("int8-wonly", "weights=int8 activations=none"),
    ("int4", "weights=int4 group=128 activations=dynamic-per-token"),
    ("int4-g32", "weights=int4 group=32 activations=dynamic-per-token"),
    ("int4-wonly", "weights=int4 group=128 activations=none"),
    ("int8-auto-act", "weights=int8 activations=dynamic-auto"),
    # With calibration inputs: bias correction (on by default) and bits=auto.
    ("int8-cal", "weights=int8 calibration={cal}"),
    ("int8-cal-nobc", "weights=int8 calibration={cal} bias-correction=false"),
    ("int4-g32-cal", "weights=int4 group=32 calibration={cal}"),
    ("int4-g32-cal-nobc",
     "weights=int4 group=32 calibration={cal} bias-correction=false"),
]

# bits=auto: the classifiers' budget is 1 point of top-1 on the calibration
# inputs, the transformer layers' an output SQNR of 30 dB.
AUTO = {
    "classifier": ("int4-auto", "bits=auto group=32 budget=0.01 "
                                "calibration={cal}"),
    "transformer": ("int4-auto", "bits=auto group=32 metric=sqnr budget=30 "
                                 "calibration={cal}"),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("outdir")
    ap.add_argument("--ds-run", required=True)
    ap.add_argument("--models", nargs="+",
                    default=["digits", "synthetic", "bert_layer", "gpt"])
    ap.add_argument("--settings", nargs="+",
                    help="run only these settings (tags), e.g. int8 int4-auto")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    failures = []
    for name in args.models:
        classifier = name in CLASSIFIERS
        mdir = (train_classifier(name, args.outdir) if classifier
                else export_transformer(name, args.outdir))
        ref, _ = run_ds(args.ds_run, mdir, None, "float")
        labels = np.load(os.path.join(mdir, "labels.npy")) if classifier else None
        float_top1 = (100.0 * np.mean(ref.argmax(-1) == labels)
                      if classifier else None)
        auto = AUTO["classifier" if classifier else "transformer"]
        for tag, setting in SETTINGS + [auto]:
            if args.settings and tag not in args.settings:
                continue
            got, report = run_ds(args.ds_run, mdir, setting, tag)
            quantized = [l for l in report["layers"] if l["quantized"]]
            ratio = (report["quantized_bytes"] / report["quantized_float_bytes"]
                     if report["quantized_float_bytes"] else 1.0)
            line = "quant model=%s setting=%s" % (name, tag)
            s = sqnr_db(ref, got)
            if classifier:
                top1 = 100.0 * np.mean(got.argmax(-1) == labels)
                agree = 100.0 * np.mean(got.argmax(-1) == ref.argmax(-1))
                line += " top1=%.2f float_top1=%.2f delta=%.2f agree=%.2f" % (
                    top1, float_top1, top1 - float_top1, agree)
                if tag == "int8" and top1 < float_top1 - 0.5:
                    failures.append(line)
                if tag.startswith("int4") and top1 < float_top1 - 2.0:
                    failures.append(line)
            else:
                if tag.startswith("int8") and s < 25:
                    failures.append(line + " sqnr")
                if tag.startswith("int4") and s < 12:
                    failures.append(line + " sqnr")
            line += " sqnr_db=%.1f weight_ratio=%.4f layers=%d/%d" % (
                s, ratio, len(quantized), len(report["layers"]))
            cal = report.get("calibration")
            if cal:
                fmt = lambda v: "inf" if v is None else "%.1f" % v
                line += " cal_sqnr_db=%s" % fmt(cal["measured"]["sqnr_db"])
                if "measured_without_bias_correction" in cal:
                    line += " cal_sqnr_db_no_bias_correction=%s" % fmt(
                        cal["measured_without_bias_correction"]["sqnr_db"])
            if tag == "int4-auto":
                # Against all float weights, the layers left float included.
                total = (report["quantized_bytes"] +
                         report["float_bytes_left"])
                floats = (report["quantized_float_bytes"] +
                          report["float_bytes_left"])
                line += " bits=%s total_weight_ratio=%.4f budget_met=%s" % (
                    ",".join(str(l.get("bits", 32)) for l in report["layers"]),
                    total / floats, cal["budget_met"])
                if not cal["budget_met"]:
                    failures.append(line + " budget")
                if classifier and (top1 < float_top1 - 1.0 or
                                   total / floats > 0.30):
                    failures.append(line + " auto")
            if tag == "int8" and ratio > 0.27:
                failures.append(line + " bytes")
            if tag in ("int4", "int4-wonly") and quantized and ratio > 0.15:
                failures.append(line + " bytes")
            print(line, flush=True)
    if args.check and failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("quant e2e: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
