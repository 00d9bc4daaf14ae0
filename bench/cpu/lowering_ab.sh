#!/usr/bin/env bash
# A/B of the CPU lowering steps that ds-run can turn off, interleaved.
#
# Usage: bench/cpu/lowering_ab.sh [BUILD_DIR] [--threads T] [--iters N]
#                                 [--rounds R] [--models "A B .."]
#
# Compiles each model three times (variants: "base" = --plan-buffers=false
# --parallel-loops=false, "plan" = --parallel-loops=false, "all" = the
# defaults), then runs the three artifacts R times (default 3) in turn,
# base/plan/all, base/plan/all, ..., so that the machine's drift hits each
# variant alike. Prints, per model and variant, the medians of each round
# (ms) and the model's buffer figures from ds-run --bench: the bytes
# allocated per run and the peak bytes held at once.
# Models come from BUILD_DIR/models (run bench/cpu/run.sh once to export).
set -u
BUILD_ARG=build THREADS=${THREADS:-2} ITERS=20 ROUNDS=3
MODELS="mlp cnn mlp_gelu resnet18 mobilenet_v2 vit transformer_encoder gpt bert_layer"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --threads) THREADS=$2; shift ;;
    --iters) ITERS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --models) MODELS=$2; shift ;;
    -*) echo "lowering_ab.sh: unknown option $1" >&2; exit 2 ;;
    *) BUILD_ARG=$1 ;;
  esac
  shift
done
BUILD_DIR=$(cd "$BUILD_ARG" 2>/dev/null && pwd) ||
  { echo "lowering_ab.sh: no such build dir: $BUILD_ARG" >&2; exit 2; }
DS_RUN="$BUILD_DIR/bin/ds-run"
OUT="$BUILD_DIR/bench-logs/ab"
mkdir -p "$OUT"
declare -A FLAGS=([base]="--plan-buffers=false --parallel-loops=false"
                  [plan]="--parallel-loops=false" [all]="")
VARIANTS="base plan all"
field() {
  grep -E "^$3" "$2" 2>/dev/null | tail -n1 | sed -nE "s/.*[ ]$1=([^ ]+).*/\1/p"
}
echo "== lowering A/B: $(date -u '+%H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), threads=$THREADS iters=$ITERS rounds=$ROUNDS"
for m in $MODELS; do
  model="$BUILD_DIR/models/$m/model.onnx"
  data="$BUILD_DIR/models/$m/test_data_set_0"
  [ -f "$model" ] || { echo "$m: no model (export with bench/cpu/run.sh)"; continue; }
  for v in $VARIANTS; do
    # shellcheck disable=SC2086
    "$DS_RUN" "$model" --test-data "$data" --keep-artifact "$OUT/$m.$v.so" ${FLAGS[$v]} \
      > "$OUT/$m.$v.compile.log" 2>&1 || echo "$m/$v: compile or check failed ($OUT/$m.$v.compile.log)"
  done
  declare -A T=()
  for r in $(seq "$ROUNDS"); do
    for v in $VARIANTS; do
      [ -f "$OUT/$m.$v.so" ] || continue
      "$DS_RUN" "$OUT/$m.$v.so" --test-data "$data" --bench "$ITERS" --num-threads "$THREADS" \
        > "$OUT/$m.$v.$r.log" 2>&1 || echo "$m/$v: run failed ($OUT/$m.$v.$r.log)"
      T[$v]="${T[$v]:-} $(field median_ms "$OUT/$m.$v.$r.log" 'ds median')"
    done
  done
  for v in $VARIANTS; do
    log="$OUT/$m.$v.1.log"
    printf '%-20s %-5s ms:%-30s alloc/run %8s MiB in %6s allocs, peak %8s MiB\n' "$m" "$v" "${T[$v]:-}" \
      "$(awk -v b="$(field buffer_bytes_per_run "$log" 'ds memory')" 'BEGIN { printf "%.3f", b / 1048576 }')" \
      "$(field buffer_allocs_per_run "$log" 'ds memory')" \
      "$(awk -v b="$(field buffer_peak_bytes "$log" 'ds memory')" 'BEGIN { printf "%.3f", b / 1048576 }')"
  done
  unset T
done
