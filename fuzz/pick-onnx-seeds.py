#!/usr/bin/python3
"""Picks a small, diverse seed set of ONNX models for the fuzz targets.

    pick-onnx-seeds.py [--max-bytes N] DIR...

Prints one path per line: for every distinct set of operator types (with
their domains, subgraphs included) among the `.onnx` files under
the DIRs, the smallest model that has it. The ONNX backend node tests hold
about 1,100 models, most of them variants of one operator with other shapes
or attributes; the compile target (capi-compile-fuzzer) runs each valid
model through code generation and a link, about a second apiece, so it
cannot afford them all. One model per operator set keeps every operator's
import and lowering in the corpus at a fifth of the cost; libFuzzer's
-merge=1 (scripts/fuzz.sh) then drops the ones that add no coverage.

Files that do not parse as a ModelProto are kept as well (one per distinct
size class of 1 KiB): the importer's error paths are part of what is fuzzed.
Needs the onnx Python package (/usr/bin/python3 on this machine).
"""
import argparse
import os
import sys

import onnx


def model_key(model):
    ops = set()

    def visit(graph):
        for node in graph.node:
            ops.add((node.domain, node.op_type))
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    visit(attr.g)
                for g in attr.graphs:
                    visit(g)

    visit(model.graph)
    return ("model", tuple(sorted(ops)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-bytes", type=int, default=16384,
                        help="skip models larger than this (default 16384)")
    parser.add_argument("dirs", nargs="+")
    args = parser.parse_args()

    best = {}
    for root in args.dirs:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(".onnx"):
                    continue
                path = os.path.join(dirpath, name)
                size = os.path.getsize(path)
                if size > args.max_bytes:
                    continue
                try:
                    with open(path, "rb") as f:
                        model = onnx.load_model_from_string(f.read())
                    key = model_key(model)
                except Exception:  # not a model: an error-path seed
                    key = ("unparsable", size // 1024)
                if key not in best or size < best[key][0]:
                    best[key] = (size, path)
    for size, path in sorted(best.values(), key=lambda v: (v[1], v[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
