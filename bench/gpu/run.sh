#!/usr/bin/env bash
# The ds GPU benchmark for one NVIDIA GPU (sized for an H200, < 8 minutes):
#   1. builds ds (ds-run, ds-translate) and the cuBLAS reference;
#   2. runs the exported test models (GPT-style, BERT-style, ViT, ResNet-18)
#      on the GPU and checks them against PyTorch's outputs and against ds's
#      own CPU outputs (fp32: rtol 1e-4), then again with --allow-tf32
#      (tensor-core matmuls with fused epilogues, implicit-GEMM convs;
#      rtol 1e-2 against PyTorch);
#   3. times a bf16 GEMM (4096^3, fp32 accumulation) against cuBLAS, with the
#      mma.sync kernel and with the sm_90a wgmma kernel (--gpu-wgmma; its
#      output first checked against mma.sync's on a small GEMM);
#   4. times fused attention (one dsg.attention, which the CUDA pipeline runs
#      as a flash-attention kernel; bf16, d_head 128, seq 1k-16k, causal and
#      not);
# and prints one table: TFLOP/s and the fraction of the H200's 989 TFLOP/s
# dense bf16 peak. Figures are measured here and never asserted.
# The GEMM and attention TFLOP/s come from the kernels' device time (ds-run
# --bench's "ds device_ms": events before the first and after the last
# launch of a call), as cuBLAS's are (events around its kernels); the wall
# time of a whole call, which also stages the operands host<->device, is
# printed beside them ("wall" rows/columns). Model rows stay wall time.
#
#   bench/gpu/run.sh [--chip sm_90] [--quick]
# Environment: DS_BUILD_DIR (default build), CUDA_HOME (default /usr/local/cuda).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${DS_BUILD_DIR:-build}
CHIP=sm_90
QUICK=0
while (($#)); do
  case $1 in
    --chip) CHIP=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    *) echo "usage: $0 [--chip sm_NN] [--quick]" >&2; exit 2 ;;
  esac
done
PEAK=989 # H200 dense bf16 TFLOP/s
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/ds-gpu-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
STEP_TIMEOUT=${DS_BENCH_STEP_TIMEOUT:-90}
ROWS=()
row() { ROWS+=("$(printf '| %-40s | %-12s | %-12s | %-8s | %-8s |' "$@")"); }

echo "== build"
DS_JOBS=$(nproc) scripts/build.sh ds-run ds-translate >"$WORK/build.log" 2>&1 ||
  { tail -20 "$WORK/build.log"; exit 1; }
g++ -O2 -o "$WORK/cublas_gemm" bench/gpu/cublas_gemm.cpp -ldl || exit 1
export PATH="$ROOT/$BUILD/bin:$PATH"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader

# ds-run --bench prints "ds median_ms=X min_ms=Y".
median_ms() { sed -n 's/^ds median_ms=\([0-9.]*\).*/\1/p' "$1" | tail -1; }
# ... and, for GPU artifacts, "ds device_ms median=X min=Y" (kernels alone).
device_ms() { sed -n 's/^ds device_ms median=\([0-9.]*\).*/\1/p' "$1" | tail -1; }
tflops() { awk -v f="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.2f", f / (ms * 1e-3) / 1e12; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.3f", a / b; else print "-" }'; }

echo "== models (GPU vs PyTorch, GPU vs ds CPU)"
MODELS="gpt bert_layer vit resnet18"
((QUICK)) && MODELS="gpt"
$PY scripts/export_models.py "$WORK/models" --only $MODELS >"$WORK/export.log" 2>&1 ||
  { tail -5 "$WORK/export.log"; }
for m in $MODELS; do
  dir="$WORK/models/$m"
  [[ -f $dir/model.onnx ]] || { row "model $m" "export failed" "" "" ""; continue; }
  log="$WORK/$m.gpu.log"
  if timeout "$STEP_TIMEOUT" ds-run --target=cuda --chip="$CHIP" "$dir/model.onnx" \
      --test-data "$dir/test_data_set_0" --rtol 1e-4 --atol 1e-5 --bench 10 \
      --output-dir "$WORK/$m.gpu-out" >"$log" 2>&1; then
    vs_torch=PASS
  else
    vs_torch="FAIL($?)"
  fi
  # GPU outputs as references for the CPU run: GPU vs CPU directly.
  vs_cpu=-
  if [[ -d $WORK/$m.gpu-out ]]; then
    mkdir -p "$WORK/$m.vs"
    cp "$dir"/test_data_set_0/input_*.pb "$WORK/$m.vs/"
    cp "$WORK/$m.gpu-out"/output_*.pb "$WORK/$m.vs/"
    if timeout "$STEP_TIMEOUT" ds-run "$dir/model.onnx" --test-data "$WORK/$m.vs" \
        --rtol 1e-4 --atol 1e-5 >"$WORK/$m.cpu.log" 2>&1; then vs_cpu=PASS; else vs_cpu=FAIL; fi
  fi
  ms=$(median_ms "$log")
  row "model $m (median ms; vs torch, vs cpu)" "${ms:--}" "$vs_torch" "$vs_cpu" "-"
  # What a timed run included (weights resident; staged inputs/outputs).
  sed -n 's/^ds gpu /  timed run traffic: /p' "$log" | tail -1
  [[ $vs_torch == PASS ]] || tail -3 "$log"
done

echo "== GPT-style int8 (GPU int8 kernels vs ds CPU int8)"
# Same quantization on both sides (int8 per-channel weights, int8 per-token
# activations): the integer sums are exact on both, so they differ only by
# float rounding in the rescale, plus an occasional one-step flip where the
# next layer's run-time quantization lands on a rounding boundary; hence
# rtol 2e-2 / atol 2e-3 (not the fp32 1e-4).
Q="weights=int8 activations=dynamic-per-token"
dir="$WORK/models/gpt"
if [[ -f $dir/model.onnx ]]; then
  mkdir -p "$WORK/gpt.q.ref"
  cp "$dir"/test_data_set_0/input_*.pb "$WORK/gpt.q.ref/"
  # ds-run writes --output-dir before comparing (the fp32 reference is only
  # there to give it the inputs), so its exit status does not matter here.
  q_cpu=FAIL
  timeout "$STEP_TIMEOUT" ds-run "$dir/model.onnx" --quantize="$Q" \
      --test-data "$dir/test_data_set_0" --rtol 1 --atol 1 \
      --output-dir "$WORK/gpt.q.cpu-out" >"$WORK/gpt.q.cpu.log" 2>&1
  cp "$WORK/gpt.q.cpu-out"/output_*.pb "$WORK/gpt.q.ref/" 2>/dev/null && q_cpu=PASS
  vs_cpu_q=-
  if [[ $q_cpu == PASS ]]; then
    if timeout "$STEP_TIMEOUT" ds-run --target=cuda --chip="$CHIP" "$dir/model.onnx" \
        --quantize="$Q" --test-data "$WORK/gpt.q.ref" --rtol 2e-2 --atol 2e-3 \
        --bench 10 >"$WORK/gpt.q.gpu.log" 2>&1; then vs_cpu_q=PASS; else vs_cpu_q="FAIL($?)"; fi
  fi
  row "model gpt int8 (median ms; cpu, vs cpu)" "$(median_ms "$WORK/gpt.q.gpu.log")" \
      "$q_cpu" "$vs_cpu_q" "-"
  [[ $vs_cpu_q == PASS ]] || tail -3 "$WORK/gpt.q.gpu.log"
fi
echo "== models with --allow-tf32 (tensor-core matmuls with fused epilogues, implicit-GEMM convs)"
# tf32 keeps 10 mantissa bits: compared with PyTorch's fp32 outputs at a
# looser tolerance; the timing is against the fp32 SIMT run above.
for m in $MODELS; do
  [[ $m == bert_layer ]] && continue
  dir="$WORK/models/$m"
  [[ -f $dir/model.onnx ]] || continue
  log="$WORK/$m.tf32.log"
  if timeout "$STEP_TIMEOUT" ds-run --target=cuda --chip="$CHIP" --allow-tf32 "$dir/model.onnx" \
      --test-data "$dir/test_data_set_0" --rtol 1e-2 --atol 1e-3 --bench 5 >"$log" 2>&1; then
    vs_torch=PASS
  else
    vs_torch="FAIL($?)"
  fi
  ms=$(median_ms "$log")
  row "model $m tf32 (median ms; vs torch rtol 1e-2; speedup vs fp32)" "${ms:--}" "$vs_torch" \
    "$(ratio "$(median_ms "$WORK/$m.gpu.log")" "$ms")" "-"
  [[ $vs_torch == PASS ]] || tail -3 "$log"
done

echo "== GEMM bf16 4096^3"
N=4096
((QUICK)) && N=1024
FLOP=$(awk -v n=$N 'BEGIN { printf "%.0f", 2 * n * n * n }')
cub=$("$WORK/cublas_gemm" $N $N $N 20 2>&1)
cub_tf=$(sed -n 's/.*cublas_tflops=\([0-9.]*\).*/\1/p' <<<"$cub")
[[ -n $cub_tf ]] || { echo "cuBLAS: $cub"; cub_tf=-; }
$PY bench/gpu/make_kernels.py gemm $N $N $N "$WORK/gemm.mlir"
ds_tf=-; wall_tf=-
if timeout "$STEP_TIMEOUT" ds-run --target=cuda --chip="$CHIP" "$WORK/gemm.mlir" --bench 5 \
    >"$WORK/gemm.log" 2>&1; then
  ds_tf=$(tflops "$FLOP" "$(device_ms "$WORK/gemm.log")")
  wall_tf=$(tflops "$FLOP" "$(median_ms "$WORK/gemm.log")")
  [[ -n $(device_ms "$WORK/gemm.log") ]] || { ds_tf=-; grep 'kernels alone' "$WORK/gemm.log"; }
else
  tail -3 "$WORK/gemm.log"
fi
sed -n 's/^ds gpu /  gemm timed run traffic (operands staged each run): /p' "$WORK/gemm.log" | tail -1
grep '^ds-run: kernels alone' "$WORK/gemm.log" | sed 's/^ds-run: /  gemm /'
row "gemm bf16 ${N}^3 (TFLOP/s, kernels)" "$ds_tf" "$cub_tf" "$(ratio "$ds_tf" "$cub_tf")" "$(ratio "$ds_tf" $PEAK)"
row "gemm bf16 ${N}^3 (TFLOP/s, wall incl. staging)" "$wall_tf" "-" "-" "$(ratio "$wall_tf" $PEAK)"

echo "== GEMM bf16 ${N}^3 wgmma (sm_90a, --gpu-wgmma)"
# The warpgroup-MMA kernel has never run before this: first its output on a
# 200 x 256 x 192 GEMM (M padding, 2 x 2 blocks, 3 K steps) against the
# mma.sync kernel's (both f32-accumulated bf16 products in a different
# order: rtol 1e-3, atol 1e-3), then the timed 4096^3 run.
$PY bench/gpu/make_kernels.py gemm 200 256 192 "$WORK/gemm_small.mlir"
wg_check=FAIL
if timeout "$STEP_TIMEOUT" ds-run --target=cuda --chip=sm_90a "$WORK/gemm_small.mlir" \
    --output-dir "$WORK/wg.ref" >"$WORK/wg.ref.log" 2>&1 &&
  timeout "$STEP_TIMEOUT" ds-run --target=cuda --chip=sm_90a --gpu-wgmma "$WORK/gemm_small.mlir" \
    --test-data "$WORK/wg.ref" --rtol 1e-3 --atol 1e-3 >"$WORK/wg.check.log" 2>&1; then
  wg_check=PASS
else
  tail -3 "$WORK/wg.ref.log" "$WORK/wg.check.log" 2>/dev/null
fi
if timeout "$STEP_TIMEOUT" ds-run --target=cuda --chip=sm_90a --gpu-wgmma "$WORK/gemm.mlir" \
    --bench 5 >"$WORK/gemm_wg.log" 2>&1; then
  wg_tf=$(tflops "$FLOP" "$(median_ms "$WORK/gemm_wg.log")")
else
  wg_tf=-; tail -3 "$WORK/gemm_wg.log"
fi
row "gemm bf16 ${N}^3 wgmma sm_90a (TFLOP/s)" "$wg_tf" "$cub_tf" "$(ratio "$wg_tf" "$cub_tf")" "$(ratio "$wg_tf" $PEAK)"
row "  wgmma vs mma.sync output (200x256x192)" "$wg_check" "-" "-" "-"

echo "== attention bf16 d_head=128"
SEQS="1024 2048 4096 8192 16384"
((QUICK)) && SEQS="1024"
for s in $SEQS; do
  heads=$((16384 / s)); ((heads < 1)) && heads=1
  for mode in full causal; do
    flop=$(awk -v s=$s -v h=$heads -v c=$([[ $mode == causal ]] && echo 0.5 || echo 1) \
      'BEGIN { printf "%.0f", 4 * s * s * 128 * h * c }')
    f="$WORK/attn-$s-$mode.mlir"
    $PY bench/gpu/make_kernels.py attention $s $heads 128 $mode "$f"
    # bf16 with d_head 128 takes the tensor-core (mma.sync) kernel.
    out=()
    ((s == 1024)) && out=(--output-dir "$f.out")
    wall_tf=-
    if timeout "$STEP_TIMEOUT" ds-run --target=cuda --chip="$CHIP" "$f" --bench 3 \
        "${out[@]}" >"$f.log" 2>&1; then
      tf=$(tflops "$flop" "$(device_ms "$f.log")")
      [[ -n $(device_ms "$f.log") ]] || tf=-
      wall_tf=$(tflops "$flop" "$(median_ms "$f.log")")
    else
      rc=$?; tf=$([[ $rc == 124 ]] && echo timeout || echo "fail($rc)")
      tail -2 "$f.log"
    fi
    # At s = 1024 the kernel's output is checked against the CPU back end
    # (bf16 output, fp32 softmax on both: rtol/atol 1e-2).
    vs_cpu=-
    if ((s == 1024)) && [[ -f $f.out/output_0.pb ]]; then
      mkdir -p "$f.vs" && cp "$f.out"/output_*.pb "$f.vs/"
      if timeout "$STEP_TIMEOUT" ds-run "$f" --test-data "$f.vs" --rtol 1e-2 --atol 1e-2 \
          >"$f.cpu.log" 2>&1; then vs_cpu=PASS; else vs_cpu=FAIL; tail -2 "$f.cpu.log"; fi
    fi
    row "attention s=$s h=$heads $mode (TFLOP/s kernels)" "$tf" "wall $wall_tf" "vs cpu $vs_cpu" "$(ratio "$tf" $PEAK)"
  done
done

echo
printf '| %-40s | %-12s | %-12s | %-8s | %-8s |\n' case ds reference ratio "of peak"
printf '|%s|%s|%s|%s|%s|\n' "------------------------------------------" "--------------" "--------------" "----------" "----------"
printf '%s\n' "${ROWS[@]}"
echo "(peak: $PEAK TFLOP/s dense bf16, H200; reference: cuBLAS for GEMM (kernels, events), PyTorch outputs for models;"
echo " kernels: ds device time of the launches alone; wall: whole call incl. staging operands host<->device)"
