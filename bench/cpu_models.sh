#!/usr/bin/env bash
# CPU model benchmark: ds vs ONNX Runtime vs PyTorch eager.
#
# Usage: bench/cpu_models.sh BUILD_DIR [ITERS]
#
#   - exports the models (if missing) into BUILD_DIR/models with
#     scripts/export_models.py (Debian's /usr/bin/python3: torch + onnx);
#   - for each model runs
#       BUILD_DIR/bin/ds-run MODEL --test-data DIR --bench ITERS --num-threads T
#                                                   (line "ds median_ms=X min_ms=Y")
#       node bench/ort_bench.js MODEL --iters ITERS --threads T --test-data DIR
#       /usr/bin/python3 scripts/export_models.py ... --bench-torch ITERS --threads T
#   - prints a table  model | ds ms | ORT ms | torch ms | ORT/ds  (medians)
#     and the geometric mean of ORT/ds over the models where both ran
#     (> 1 means ds is faster than ORT).
#
# Anything that is missing or fails prints "n/a" and the run goes on.
# Environment:
#   MODELS="mlp cnn mlp_gelu resnet18"   models to run
#   THREADS=2                            threads for ds, ORT (intra-op) and torch
#   DS_TIMEOUT=600 PEER_TIMEOUT=600      per-command time limits (seconds)
#   PYTHON=/usr/bin/python3 NODE=node
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset only for the peer (ORT,
# torch) timing commands; ds-run sees the environment as it is.
set -u

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi

BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || { echo "cpu_models: no such build dir: $1" >&2; exit 2; }
ITERS=${2:-50}
MODELS=${MODELS:-"mlp cnn mlp_gelu resnet18"}
THREADS=${THREADS:-2}
DS_TIMEOUT=${DS_TIMEOUT:-600}
PEER_TIMEOUT=${PEER_TIMEOUT:-600}
PYTHON=${PYTHON:-/usr/bin/python3}
NODE=${NODE:-node}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
MODEL_DIR="$BUILD_DIR/models"
DS_RUN="$BUILD_DIR/bin/ds-run"
LOG_DIR="$BUILD_DIR/bench-logs"
mkdir -p "$MODEL_DIR" "$LOG_DIR"

# Peer commands run without the OpenBLAS tuning variables.
peer() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE timeout "$PEER_TIMEOUT" "$@"; }

# median_ms from the line starting with $1 in file $2, or "n/a".
parse_median() {
  local v
  v=$(grep -E "^$1 .*median_ms=" "$2" 2>/dev/null | tail -n1 |
      sed -E 's/.*median_ms=([0-9.eE+-]+).*/\1/')
  if [[ "$v" =~ ^[0-9.eE+-]+$ ]]; then echo "$v"; else echo "n/a"; fi
}

# 1. Export what is missing.
missing=()
for m in $MODELS; do
  [ -f "$MODEL_DIR/$m/model.onnx" ] && [ -f "$MODEL_DIR/$m/test_data_set_0/input_0.pb" ] ||
    missing+=("$m")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== exporting: ${missing[*]}"
  if ! "$PYTHON" "$ROOT/scripts/export_models.py" "$MODEL_DIR" --only "${missing[@]}" \
        > "$LOG_DIR/export.log" 2>&1; then
    echo "cpu_models: export failed (see $LOG_DIR/export.log):" >&2
    tail -n 20 "$LOG_DIR/export.log" >&2
  fi
  grep -E '^\[.*\] ops:' "$LOG_DIR/export.log"
fi

# ORT needs bench/node_modules (npm registry only; the package's own
# download script is skipped, the bundled CPU library is enough).
HAVE_ORT=1
if [ ! -d "$HERE/node_modules/onnxruntime-node" ]; then
  echo "== installing onnxruntime-node into bench/node_modules"
  (cd "$HERE" && npm install --ignore-scripts --no-audit --no-fund > "$LOG_DIR/npm.log" 2>&1) ||
    { echo "cpu_models: npm install failed (see $LOG_DIR/npm.log); ORT column n/a" >&2; HAVE_ORT=0; }
fi
[ -x "$DS_RUN" ] || echo "cpu_models: $DS_RUN not found; ds column n/a" >&2

# 2. Run.
declare -A DS ORT TORCH
for m in $MODELS; do
  model="$MODEL_DIR/$m/model.onnx"
  data="$MODEL_DIR/$m/test_data_set_0"
  DS[$m]=n/a; ORT[$m]=n/a; TORCH[$m]=n/a
  if [ ! -f "$model" ]; then
    echo "== $m: model missing, skipped" >&2
    continue
  fi
  echo "== $m"

  if [ -x "$DS_RUN" ]; then
    timeout "$DS_TIMEOUT" "$DS_RUN" "$model" --test-data "$data" --bench "$ITERS" \
      --num-threads "$THREADS" > "$LOG_DIR/$m.ds.log" 2>&1
    rc=$?
    DS[$m]=$(parse_median ds "$LOG_DIR/$m.ds.log")
    [ $rc -ne 0 ] && { echo "   ds-run failed (rc=$rc), see $LOG_DIR/$m.ds.log" >&2; DS[$m]=n/a; }
    echo "   ds:    ${DS[$m]} ms"
  fi

  if [ $HAVE_ORT -eq 1 ]; then
    peer "$NODE" "$HERE/ort_bench.js" "$model" --iters "$ITERS" --threads "$THREADS" \
      --test-data "$data" > "$LOG_DIR/$m.ort.log" 2>&1
    rc=$?
    ORT[$m]=$(parse_median ort "$LOG_DIR/$m.ort.log")
    [ $rc -ne 0 ] && { echo "   ort failed (rc=$rc), see $LOG_DIR/$m.ort.log" >&2; ORT[$m]=n/a; }
    echo "   ort:   ${ORT[$m]} ms"
  fi

  peer "$PYTHON" "$ROOT/scripts/export_models.py" "$MODEL_DIR" --only "$m" \
    --bench-torch "$ITERS" --threads "$THREADS" > "$LOG_DIR/$m.torch.log" 2>&1
  rc=$?
  TORCH[$m]=$(parse_median torch "$LOG_DIR/$m.torch.log")
  [ $rc -ne 0 ] && { echo "   torch failed (rc=$rc), see $LOG_DIR/$m.torch.log" >&2; TORCH[$m]=n/a; }
  echo "   torch: ${TORCH[$m]} ms"
done

# 3. Table.
echo
echo "CPU models, median of $ITERS runs, $THREADS threads for ORT/torch (ms; ORT/ds > 1: ds faster)"
printf '%-10s | %10s | %10s | %10s | %7s\n' model "ds ms" "ORT ms" "torch ms" "ORT/ds"
printf -- '-----------+------------+------------+------------+--------\n'
ratios=()
for m in $MODELS; do
  r=n/a
  if [ "${DS[$m]}" != n/a ] && [ "${ORT[$m]}" != n/a ]; then
    r=$(awk -v o="${ORT[$m]}" -v d="${DS[$m]}" 'BEGIN { if (d > 0) printf "%.3f", o / d; else print "n/a" }')
    [ "$r" != n/a ] && ratios+=("$r")
  fi
  printf '%-10s | %10s | %10s | %10s | %7s\n' "$m" "${DS[$m]}" "${ORT[$m]}" "${TORCH[$m]}" "$r"
done
if [ ${#ratios[@]} -gt 0 ]; then
  gm=$(printf '%s\n' "${ratios[@]}" | awk '{ s += log($1); n++ } END { printf "%.3f", exp(s / n) }')
  echo "geomean ORT/ds: $gm (over ${#ratios[@]} models)"
else
  echo "geomean ORT/ds: n/a"
fi
exit 0
