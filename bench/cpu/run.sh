#!/usr/bin/env bash
# CPU benchmark of ds against ONNX Runtime and PyTorch eager, in one run.
#
# Usage: bench/cpu/run.sh [BUILD_DIR] [options]        (BUILD_DIR: build)
#   --threads T        threads for ds, ONNX Runtime (intra-op) and torch
#                      (default: $THREADS, else 2)
#   --iters N          timed runs per model and peer, after warm-up (default 20)
#   --models "A B .."  models of scripts/export_models.py (default: all)
#   --gemm-sizes "N.." square GEMM sizes (default "256 512 1024 2048")
#   --no-gemm  --no-ort  --no-torch  --no-models     skip a part
#   --log-dir DIR      logs and compiled artifacts (default BUILD_DIR/bench-logs)
#
# For each model (exported into BUILD_DIR/models when missing):
#   1. ds-run MODEL --test-data DIR --keep-artifact M.so --bench 1
#      compiles it (compile time and peak RSS of the compile, as ds-run
#      reports them) and checks the outputs against PyTorch's;
#   2. ds-run M.so --test-data DIR --bench N --num-threads T: the latency
#      (median), the peak RSS of a process that only loads and runs the
#      artifact, and the peak bytes of the model's own buffers;
#   3. node bench/ort_bench.js (ONNX Runtime 1.20 CPU, same threads);
# then PyTorch eager for all models in one process (export_models.py
# --bench-torch). ORT and torch run with OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset; ds sees the environment as it is.
# Then ds-bench-gemm measures the FMA peak of this CPU on T threads and
# C += A·B through the kernel compiled models call (wall clock, median of
# 20 runs after a warm-up for both, with the spread; "packed" is the same
# product with its operands packed beforehand, i.e. without packing cost).
#
# Prints per-model medians, ORT/ds and torch/ds (> 1: ds is faster) with
# their geometric means, compile time and peak RSS, and GEMM GFLOP/s with
# the fraction of the measured peak. Anything missing or failing shows as
# n/a and the run goes on. Timings are never asserted anywhere.
# Environment: DS_TIMEOUT=600 PEER_TIMEOUT=600 (seconds per command),
# PYTHON=/usr/bin/python3, NODE=node.
set -u

usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

ALL_MODELS="mlp cnn mlp_gelu resnet18 mobilenet_v2 vit transformer_encoder gpt \
bert_layer gpt_long bert_masked attn_padded"
BUILD_ARG=build
THREADS=${THREADS:-2}
ITERS=20
MODELS=$ALL_MODELS
GEMM_SIZES="256 512 1024 2048"
DO_GEMM=1 DO_ORT=1 DO_TORCH=1 DO_MODELS=1
LOG_DIR=
positional=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage 0 ;;
    --threads) THREADS=$2; shift ;;
    --iters) ITERS=$2; shift ;;
    --models) MODELS=$2; shift ;;
    --gemm-sizes) GEMM_SIZES=$2; shift ;;
    --no-gemm) DO_GEMM=0 ;;
    --no-ort) DO_ORT=0 ;;
    --no-torch) DO_TORCH=0 ;;
    --no-models) DO_MODELS=0 ;;
    --log-dir) LOG_DIR=$2; shift ;;
    -*) echo "bench/cpu/run.sh: unknown option $1" >&2; usage ;;
    *) [ $positional -eq 0 ] || { echo "bench/cpu/run.sh: extra argument $1" >&2; usage; }
       BUILD_ARG=$1; positional=1 ;;
  esac
  shift
done
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || { echo "bench/cpu/run.sh: --threads wants a positive integer" >&2; exit 2; }
[[ "$ITERS" =~ ^[1-9][0-9]*$ ]] || { echo "bench/cpu/run.sh: --iters wants a positive integer" >&2; exit 2; }

BUILD_DIR=$(cd "$BUILD_ARG" 2>/dev/null && pwd) ||
  { echo "bench/cpu/run.sh: no such build dir: $BUILD_ARG" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)   # bench/
ROOT=$(cd "$HERE/.." && pwd)
DS_TIMEOUT=${DS_TIMEOUT:-600}
PEER_TIMEOUT=${PEER_TIMEOUT:-600}
PYTHON=${PYTHON:-/usr/bin/python3}
NODE=${NODE:-node}
MODEL_DIR="$BUILD_DIR/models"
DS_RUN="$BUILD_DIR/bin/ds-run"
GEMM_BIN="$BUILD_DIR/bin/ds-bench-gemm"
LOG_DIR=${LOG_DIR:-$BUILD_DIR/bench-logs}
mkdir -p "$MODEL_DIR" "$LOG_DIR"

peer() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE timeout "$PEER_TIMEOUT" "$@"; }

# field KEY FILE [PREFIX]: the value of KEY=... on the last line starting
# with PREFIX (default: any line) in FILE, or n/a.
field() {
  local v
  v=$(grep -E "^${3:-}" "$2" 2>/dev/null | grep -E "(^|[ ])$1=" | tail -n1 |
      sed -E "s/(^|.*[ ])$1=([^ ]+).*/\2/")
  if [[ "$v" =~ ^[0-9.eE+-]+$ ]]; then echo "$v"; else echo n/a; fi
}
# calc EXPR with a, b bound; n/a in, n/a out.
calc() {
  local a=$1 b=$2 expr=$3
  if [ "$a" = n/a ] || [ "$b" = n/a ]; then echo n/a; return; fi
  awk -v a="$a" -v b="$b" "BEGIN { if ($4) printf \"%.3f\", $expr; else print \"n/a\" }"
}
geomean() {  # values on stdin, n/a skipped
  awk '$1 != "n/a" && $1 > 0 { s += log($1); n++ }
       END { if (n) printf "%.3f (over %d)", exp(s / n), n; else print "n/a" }'
}

echo "== bench/cpu: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), threads=$THREADS iters=$ITERS"
echo "   (timings from a shared machine vary by tens of percent between runs: compare within a run)"

declare -A DS ORT TORCH COMPILE RSS_C RSS_R BUF CHECK
if [ $DO_MODELS -eq 1 ]; then
  # 1. Export what is missing.
  missing=()
  for m in $MODELS; do
    [ -f "$MODEL_DIR/$m/model.onnx" ] && [ -f "$MODEL_DIR/$m/test_data_set_0/input_0.pb" ] ||
      missing+=("$m")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== exporting: ${missing[*]}"
    "$PYTHON" "$ROOT/scripts/export_models.py" "$MODEL_DIR" --only "${missing[@]}" \
      > "$LOG_DIR/export.log" 2>&1 ||
      { echo "bench/cpu: export failed (see $LOG_DIR/export.log)" >&2; tail -n 5 "$LOG_DIR/export.log" >&2; }
  fi

  HAVE_ORT=$DO_ORT
  if [ $DO_ORT -eq 1 ] && [ ! -d "$HERE/node_modules/onnxruntime-node" ]; then
    echo "== installing onnxruntime-node into bench/node_modules"
    (cd "$HERE" && npm install --ignore-scripts --no-audit --no-fund > "$LOG_DIR/npm.log" 2>&1) ||
      { echo "bench/cpu: npm install failed (see $LOG_DIR/npm.log); ORT column n/a" >&2; HAVE_ORT=0; }
  fi
  [ -x "$DS_RUN" ] || echo "bench/cpu: $DS_RUN not found; ds columns n/a" >&2

  # 2. ds and ORT, model by model (interleaved, so drift hits both).
  for m in $MODELS; do
    model="$MODEL_DIR/$m/model.onnx"
    data="$MODEL_DIR/$m/test_data_set_0"
    so="$LOG_DIR/$m.so"
    for v in DS ORT TORCH COMPILE RSS_C RSS_R BUF CHECK; do eval "$v[\$m]=n/a"; done
    if [ ! -f "$model" ]; then echo "== $m: model missing, skipped" >&2; continue; fi
    if [ -x "$DS_RUN" ]; then
      rm -f "$so"
      timeout "$DS_TIMEOUT" "$DS_RUN" "$model" --test-data "$data" --keep-artifact "$so" \
        --bench 1 --num-threads "$THREADS" > "$LOG_DIR/$m.compile.log" 2>&1
      rc=$?
      COMPILE[$m]=$(field compile_s "$LOG_DIR/$m.compile.log" "ds memory")
      RSS_C[$m]=$(field compile_peak_rss_kb "$LOG_DIR/$m.compile.log" "ds memory")
      CHECK[$m]=$(grep -qx PASS "$LOG_DIR/$m.compile.log" && echo PASS || echo FAIL)
      [ $rc -ne 0 ] && echo "   ds-run (compile, check) rc=$rc, see $LOG_DIR/$m.compile.log" >&2
      if [ -f "$so" ]; then
        timeout "$DS_TIMEOUT" "$DS_RUN" "$so" --test-data "$data" --bench "$ITERS" \
          --num-threads "$THREADS" > "$LOG_DIR/$m.ds.log" 2>&1
        rc=$?
        if [ $rc -eq 0 ]; then
          DS[$m]=$(field median_ms "$LOG_DIR/$m.ds.log" "ds ")
          RSS_R[$m]=$(field peak_rss_kb "$LOG_DIR/$m.ds.log" "ds memory")
          BUF[$m]=$(field buffer_peak_bytes "$LOG_DIR/$m.ds.log" "ds memory")
        else
          echo "   ds-run (bench) rc=$rc, see $LOG_DIR/$m.ds.log" >&2
        fi
      fi
    fi
    if [ $HAVE_ORT -eq 1 ]; then
      peer "$NODE" "$HERE/ort_bench.js" "$model" --iters "$ITERS" --threads "$THREADS" \
        --test-data "$data" > "$LOG_DIR/$m.ort.log" 2>&1 ||
        echo "   ORT failed, see $LOG_DIR/$m.ort.log" >&2
      ORT[$m]=$(field median_ms "$LOG_DIR/$m.ort.log" "ort ")
    fi
    echo "== $m: ds ${DS[$m]} ms (${CHECK[$m]}), ORT ${ORT[$m]} ms, compile ${COMPILE[$m]} s"
  done

  # 3. PyTorch eager: one process (importing torch takes seconds).
  if [ $DO_TORCH -eq 1 ]; then
    present=()
    for m in $MODELS; do [ -f "$MODEL_DIR/$m/model.onnx" ] && present+=("$m"); done
    if [ ${#present[@]} -gt 0 ]; then
      echo "== torch: ${present[*]}"
      peer "$PYTHON" "$ROOT/scripts/export_models.py" "$MODEL_DIR" --only "${present[@]}" \
        --bench-torch "$ITERS" --threads "$THREADS" > "$LOG_DIR/torch.log" 2>&1 ||
        echo "   torch failed, see $LOG_DIR/torch.log" >&2
      for m in "${present[@]}"; do
        TORCH[$m]=$(grep -E "^torch .* model=$m\$" "$LOG_DIR/torch.log" | tail -n1 |
                    sed -E 's/.*median_ms=([0-9.eE+-]+).*/\1/')
        [[ "${TORCH[$m]}" =~ ^[0-9.eE+-]+$ ]] || TORCH[$m]=n/a
      done
    fi
  fi

  # 4. Table.
  echo
  echo "Models: medians of $ITERS runs, $THREADS threads each, ms. ratio > 1: ds is faster."
  echo "compile: ds-run's compile wall time; RSS: peak of the compile and of a process"
  echo "that only loads and runs the artifact; buffers: peak bytes of the model's own buffers."
  printf '%-20s %10s %10s %10s %8s %8s %6s %9s %8s %8s %10s\n' model "ds" "ORT" "torch" \
    "ORT/ds" "torch/ds" check "compile s" "RSS c MB" "RSS r MB" "buffers MB"
  ort_r=() torch_r=()
  for m in $MODELS; do
    r1=$(calc "${ORT[$m]}" "${DS[$m]}" "a / b" "b > 0")
    r2=$(calc "${TORCH[$m]}" "${DS[$m]}" "a / b" "b > 0")
    ort_r+=("$r1"); torch_r+=("$r2")
    printf '%-20s %10s %10s %10s %8s %8s %6s %9s %8s %8s %10s\n' "$m" "${DS[$m]}" \
      "${ORT[$m]}" "${TORCH[$m]}" "$r1" "$r2" "${CHECK[$m]}" "${COMPILE[$m]}" \
      "$(calc "${RSS_C[$m]}" 1 "a / 1024" 1)" "$(calc "${RSS_R[$m]}" 1 "a / 1024" 1)" \
      "$(calc "${BUF[$m]}" 1 "a / 1048576" 1)"
  done
  echo "geomean ORT/ds:   $(printf '%s\n' "${ort_r[@]}" | geomean)"
  echo "geomean torch/ds: $(printf '%s\n' "${torch_r[@]}" | geomean)"
fi

# 5. GEMM against the FMA peak measured now, same threads, wall clock.
if [ $DO_GEMM -eq 1 ]; then
  echo
  if [ -x "$GEMM_BIN" ]; then
    # shellcheck disable=SC2086
    timeout "$DS_TIMEOUT" "$GEMM_BIN" --threads "$THREADS" $GEMM_SIZES > "$LOG_DIR/gemm.log" 2>&1 ||
      echo "bench/cpu: ds-bench-gemm failed, see $LOG_DIR/gemm.log" >&2
    peak=$(field wall "$LOG_DIR/gemm.log" "threads=")
    echo "GEMM C += A·B (fp32, n×n×n, dsrt_kernel_sgemm, median of 20 after a warm-up, wall clock, $THREADS threads)"
    echo "measured FMA peak (median of 20 bursts, same clock and threads): $peak GFLOP/s"
    printf '%6s %10s %8s %17s %10s %8s\n' n GFLOP/s "of peak" "[min-max]" packed "of peak"
    awk '$1 ~ /^[0-9]+$/ && NF >= 7 { printf "%6s %10s %8s %17s %10s %8s\n", $1, $2, $3, $4, $6, $7 }' "$LOG_DIR/gemm.log"
  else
    echo "GEMM: $GEMM_BIN not found (build target ds-bench-gemm)"
  fi
fi
echo
echo "logs: $LOG_DIR"
exit 0
