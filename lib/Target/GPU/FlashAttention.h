//===- FlashAttention.h - the flash-attention kernels' shared pieces ------===//
//
// Internal to lib/Target/GPU: ds-gpu-expand-flash-attention (FlashAttention.cpp)
// picks, per call, the tensor-core kernel (FlashAttentionTensorCore.cpp)
// or the SIMT one.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_GPU_FLASHATTENTION_H
#define DS_LIB_TARGET_GPU_FLASHATTENTION_H

#include "mlir/IR/Builders.h"

#include <optional>
#include <string>

namespace mlir::ds::flash {

/// Batch, query/key-value heads, query/key lengths, head dims (q·k, v).
struct AttentionShape {
  int64_t b, hq, hkv, lq, lk, d, dv;
};

/// Why the tensor-core kernel cannot take an attention of this shape and
/// these element types (query/key/value `inType`, result `outType`), or
/// nullopt if it can.
std::optional<std::string> tensorCoreRejection(const AttentionShape &s,
                                               Type inType, Type outType);

/// Builds the tensor-core (FlashAttention-2) kernel at the builder's
/// insertion point: reads the buffers q, k, v (and mask, may be null) and
/// writes `out`. Requires tensorCoreRejection(...) == nullopt.
void buildTensorCoreFlashAttention(OpBuilder &b, Location loc,
                                   const AttentionShape &s, float scale,
                                   bool causal, Value q, Value k, Value v,
                                   Value mask, Value out);

} // namespace mlir::ds::flash

#endif // DS_LIB_TARGET_GPU_FLASHATTENTION_H
