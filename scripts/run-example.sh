#!/usr/bin/env bash
# The main job, from a fresh machine: install what is missing, build ds,
# export a small CNN with PyTorch, compile it for this CPU and run it,
# printing its output and the comparison with PyTorch's.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${DS_BUILD_DIR:-build}

scripts/install-deps.sh
scripts/build.sh ds-run ds-translate ds-opt

MODELS="$BUILD/models"
if [ ! -f "$MODELS/cnn/model.onnx" ]; then
  /usr/bin/python3 scripts/export_models.py "$MODELS" --only cnn
fi
echo "== ds-run $MODELS/cnn/model.onnx (compiled for this CPU, compared with PyTorch)"
"$BUILD/bin/ds-run" "$MODELS/cnn/model.onnx" \
  --test-data "$MODELS/cnn/test_data_set_0" --print-outputs
