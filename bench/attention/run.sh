#!/usr/bin/env bash
# Attention benchmark: ds fused (dsg.attention, online softmax) vs ds
# unfused (--no-fuse-attention: MatMul, Softmax, MatMul as exported) vs
# ONNX Runtime, at batch 1, 4 heads, head dim 64, causal and not.
#
# Usage: bench/attention/run.sh BUILD_DIR [ITERS]
#
#   - exports the models (if missing) into BUILD_DIR/attention-models with
#     bench/attention/export.py (Debian's /usr/bin/python3: torch + onnx);
#   - compiles each model twice (fused, unfused) with ds-run --keep-artifact,
#     then times the artifacts with ds-run ART --bench ITERS and ORT with
#     bench/ort_bench.js; each timed command runs under /usr/bin/time, whose
#     maximum resident set size is the "RSS" column (the whole process:
#     runtime, inputs, outputs and every buffer the kernel allocates);
#   - prints one row per (seq, causal): medians in ms, peak RSS in MiB, and
#     the ratios unfused/fused and ORT/fused (> 1: fused ds is faster).
#
# Environment:
#   SEQS="128 512 1024 2048 4096"   sequence lengths
#   THREADS=1                       threads for ds (its GEMM kernels; the fused
#                                   attention loop nest is single-threaded) and ORT
#   TIMEOUT=900                     per-command time limit (seconds)
#   PYTHON=/usr/bin/python3 NODE=node
# Anything that is missing or fails prints "n/a" and the run goes on.
set -u

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi

BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || { echo "attention bench: no such build dir: $1" >&2; exit 2; }
ITERS=${2:-5}
SEQS=${SEQS:-"128 512 1024 2048 4096"}
THREADS=${THREADS:-1}
TIMEOUT=${TIMEOUT:-900}
PYTHON=${PYTHON:-/usr/bin/python3}
NODE=${NODE:-node}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODEL_DIR="$BUILD_DIR/attention-models"
LOG_DIR="$BUILD_DIR/bench-logs/attention"
DS_RUN="$BUILD_DIR/bin/ds-run"
mkdir -p "$MODEL_DIR" "$LOG_DIR"

# shellcheck disable=SC2086
"$PYTHON" "$HERE/export.py" "$MODEL_DIR" $SEQS >"$LOG_DIR/export.log" 2>&1 \
  || echo "attention bench: export failed, see $LOG_DIR/export.log" >&2

# Runs "$@" under /usr/bin/time; the log gets the output and "maxrss_kb=N".
timed() {
  local log=$1; shift
  /usr/bin/time -f "maxrss_kb=%M" -o "$log.rss" timeout "$TIMEOUT" "$@" >"$log" 2>&1
  local rc=$?
  cat "$log.rss" >>"$log" 2>/dev/null
  return $rc
}
median() { sed -n "s/^$1 median_ms=\([0-9.]*\).*/\1/p" "$2" | head -1; }
rss_mib() { sed -n 's/^maxrss_kb=\([0-9]*\)/\1/p' "$1" | awk '{printf "%.0f", $1 / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
or_na() { if [ -n "$1" ]; then echo "$1"; else echo "n/a"; fi; }

printf "%-6s %-6s | %10s %10s %10s | %8s %8s %8s | %9s %9s\n" \
  seq causal "fused ms" "unfused ms" "ORT ms" "fused MB" "unfus MB" "ORT MB" \
  "unfus/fus" "ORT/fus"
for seq in $SEQS; do
  for kind in full causal; do
    name="attn_${kind}_${seq}"
    model="$MODEL_DIR/$name/model.onnx"
    data="$MODEL_DIR/$name/test_data_set_0"
    f_ms="" u_ms="" o_ms="" f_mb="" u_mb="" o_mb=""
    if [ -f "$model" ]; then
      # Compile (and check against PyTorch) once per variant.
      timeout "$TIMEOUT" "$DS_RUN" "$model" --test-data "$data" --rtol 1e-3 --atol 1e-4 \
        --keep-artifact "$LOG_DIR/$name.fused.so" >"$LOG_DIR/$name.fused.check" 2>&1
      timeout "$TIMEOUT" "$DS_RUN" "$model" --test-data "$data" --rtol 1e-3 --atol 1e-4 \
        --no-fuse-attention --keep-artifact "$LOG_DIR/$name.unfused.so" \
        >"$LOG_DIR/$name.unfused.check" 2>&1
      for v in fused unfused; do
        [ -f "$LOG_DIR/$name.$v.so" ] || continue
        timed "$LOG_DIR/$name.$v.log" "$DS_RUN" "$LOG_DIR/$name.$v.so" \
          --test-data "$data" --rtol 1e-3 --atol 1e-4 --bench "$ITERS" --num-threads "$THREADS"
      done
      timed "$LOG_DIR/$name.ort.log" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        "$NODE" "$ROOT/bench/ort_bench.js" "$model" --iters "$ITERS" \
        --threads "$THREADS" --test-data "$data"
      f_ms=$(median ds "$LOG_DIR/$name.fused.log" 2>/dev/null)
      u_ms=$(median ds "$LOG_DIR/$name.unfused.log" 2>/dev/null)
      o_ms=$(median ort "$LOG_DIR/$name.ort.log" 2>/dev/null)
      f_mb=$(rss_mib "$LOG_DIR/$name.fused.log" 2>/dev/null)
      u_mb=$(rss_mib "$LOG_DIR/$name.unfused.log" 2>/dev/null)
      o_mb=$(rss_mib "$LOG_DIR/$name.ort.log" 2>/dev/null)
    fi
    causal=no; [ "$kind" = causal ] && causal=yes
    printf "%-6s %-6s | %10s %10s %10s | %8s %8s %8s | %9s %9s\n" \
      "$seq" "$causal" "$(or_na "$f_ms")" "$(or_na "$u_ms")" "$(or_na "$o_ms")" \
      "$(or_na "$f_mb")" "$(or_na "$u_mb")" "$(or_na "$o_mb")" \
      "$(ratio "$u_ms" "$f_ms")" "$(ratio "$o_ms" "$f_ms")"
  done
done
echo "logs: $LOG_DIR (ds-run *.check: fused/unfused vs PyTorch, rtol 1e-3 atol 1e-4)"
