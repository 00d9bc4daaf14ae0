#!/usr/bin/env bash
# Regenerates docs/conformance.md: runs the ONNX backend suites shipped by
# libonnx-testdata (node, pytorch-converted, pytorch-operator, simple)
# through ds-onnx-test and writes the per-op table and every FAIL/SKIP.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${DS_BUILD_DIR:-build}
DATA=${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}
scripts/build.sh ds-run ds-onnx-test >/dev/null || exit 1
"$BUILD/bin/ds-onnx-test" --markdown docs/conformance.md \
  "$DATA/node" "$DATA/pytorch-converted" "$DATA/pytorch-operator" "$DATA/simple" |
  tail -n 1
# Failing tests are what the report is for; only a runner error (2: bad
# arguments, unwritable report) fails this script.
[ "${PIPESTATUS[0]}" -ne 2 ]
