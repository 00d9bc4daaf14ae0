//===- QuantizedKernels.h - dsq ops as CUDA kernels -------------*- C++ -*-===//
#ifndef DS_TARGET_GPU_QUANTIZEDKERNELS_H
#define DS_TARGET_GPU_QUANTIZEDKERNELS_H

namespace mlir {
class OpPassManager;
namespace ds {
/// Adds the CUDA counterpart of addCPUQuantizedKernelPasses, run on dsq
/// (tensors) before ds-lower-quantized: `dsq.qmatmul` with int8
/// activations and int8/int4 weights and `dsq.dynamic_quantize` become
/// calls that ds-gpu-expand-quantized (in the CUDA pipeline) turns into the
/// int8 tensor-core GEMM and the block-per-row quantization kernel
/// (docs/gpu.md, "Quantized kernels").
void addGPUQuantizedKernelPasses(OpPassManager &pm);
} // namespace ds
} // namespace mlir

#endif // DS_TARGET_GPU_QUANTIZEDKERNELS_H
