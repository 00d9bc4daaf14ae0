#!/usr/bin/env bash
# Former entry point of the CPU model benchmark, kept for old commands:
#
#   bench/cpu_models.sh BUILD_DIR [ITERS]     (env MODELS, THREADS as before)
#
# runs bench/cpu/run.sh BUILD_DIR --iters ITERS (default 50) --models
# "$MODELS" (default "mlp cnn mlp_gelu resnet18") --threads "$THREADS"
# (default 2) --no-gemm. Use bench/cpu/run.sh directly for the full run
# (all models and the GEMMs); see its --help.
set -u
if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
exec "$(dirname "${BASH_SOURCE[0]}")/cpu/run.sh" "$1" --iters "${2:-50}" \
  --models "${MODELS:-mlp cnn mlp_gelu resnet18}" --threads "${THREADS:-2}" --no-gemm
