#!/usr/bin/env bash
# Arena size against the sum of the buffers it holds, per model.
#
# Usage: bench/cpu/arena_report.sh [BUILD_DIR] [MODEL...]
#
# Takes each model (BUILD_DIR/models/NAME/model.onnx) through import,
# dsg → linalg and the CPU pipeline's bufferization steps (as in
# lib/Target/CPU/Pipeline.cpp), then runs ds-cpu-plan-buffers with and
# without in-place reuse and prints, for each function that has an arena,
# the sum of the planned buffers' sizes and the arena's (ds.buffer_bytes,
# ds.arena_bytes). Compile-time figures only: nothing is run.
set -u
BUILD_DIR=${1:-build}
shift || true
MODELS=${*:-"mlp cnn mlp_gelu resnet18 mobilenet_v2 vit transformer_encoder gpt bert_layer"}
BIN="$BUILD_DIR/bin"
printf '%-20s %14s %14s %14s %8s\n' model "sum of buffers" "arena" "arena,no in-pl" "sum/arena"
for m in $MODELS; do
  f="$BUILD_DIR/models/$m/model.onnx"
  [ -f "$f" ] || { echo "$m: no model"; continue; }
  bufferized=$(mktemp)
  "$BIN/ds-translate" --import-onnx "$f" 2>/dev/null |
    "$BIN/ds-opt" --ds-fuse-attention --ds-convert-graph-to-linalg 2>/dev/null |
    "$BIN/ds-opt" --ds-cpu-interchange-loops --canonicalize --cse --ds-cpu-flatten-constants \
      --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
      --canonicalize --cse \
      --buffer-results-to-out-params="hoist-static-allocs modify-public-functions" \
      -o "$bufferized" 2>/dev/null || { echo "$m: lowering failed"; rm -f "$bufferized"; continue; }
  attrs() {
    "$BIN/ds-opt" "$bufferized" --ds-cpu-plan-buffers="in-place=$1" 2>/dev/null |
      grep -o 'ds.arena_bytes = [0-9]* : i64, ds.buffer_bytes = [0-9]*' |
      awk '{ a += $3; s += $8 } END { print a + 0, s + 0 }'
  }
  read -r a1 s1 < <(attrs true)
  read -r a0 _ < <(attrs false)
  printf '%-20s %14s %14s %14s %8s\n' "$m" "$s1" "$a1" "$a0" \
    "$(awk -v s="$s1" -v a="$a1" 'BEGIN { if (a > 0) printf "%.2f", s / a; else print "n/a" }')"
  rm -f "$bufferized"
done
