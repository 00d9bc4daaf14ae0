//===- Internal.h - dsrt internals ------------------------------*- C++ -*-===//
//
// Declarations shared by the runtime's translation units. Nothing here is
// part of the public ABI.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_INTERNAL_H
#define DSRT_LIB_INTERNAL_H

#include "dsrt/dsrt.h"

#include <cstdint>
#include <string>
#include <vector>

/// The library is built with hidden visibility; only the C API is exported.
#define DSRT_EXPORT extern "C" __attribute__((visibility("default")))

namespace dsrt {

/// Records `message` as this thread's last error and returns `status`.
dsrt_status setError(dsrt_status status, std::string message);
/// One input or output as described by the artifact's metadata.
struct TensorSpec {
  std::string name;
  dsrt_dtype dtype = DSRT_DTYPE_INVALID;
  std::vector<int64_t> shape; ///< -1 marks a dynamic dimension.
};

struct ModuleSpec {
  int version = 0;
  /// Ranks the model was partitioned for (metadata "ranks", default 1).
  int64_t ranks = 1;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
};

/// Parses the `ds_metadata` JSON of an artifact. On failure returns false
/// and sets `error` to a message that says what was expected.
bool parseMetadata(const char *json, ModuleSpec &spec, std::string &error);

/// Maps an ONNX-style dtype name ("float32") to its enum; INVALID if unknown.
dsrt_dtype dtypeFromName(const std::string &name);

/// Drops the kernels' packed copies of constant operands (kernels/Gemm.cpp).
void clearPackedConstants();
/// The same for the quantized kernels' packed weights (kernels/QGemm.cpp).
void clearQuantizedPackedWeights();
/// Frees the blocks that the compiled code's allocator keeps for reuse
/// (Memory.cpp), and says how many bytes it keeps now.
void releaseCachedBuffers();
uint64_t cachedBufferBytes();

} // namespace dsrt

/// The allocator that compiled code uses (runtime/lib/Memory.cpp): MLIR's
/// generic memref allocation functions, which the CPU pipeline selects.
DSRT_EXPORT void _mlir_memref_to_llvm_free(void *ptr);

#endif // DSRT_LIB_INTERNAL_H
