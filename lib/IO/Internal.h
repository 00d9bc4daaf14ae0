//===- Internal.h - Helpers shared by the DSIO readers ----------*- C++ -*-===//
#ifndef DS_LIB_IO_INTERNAL_H
#define DS_LIB_IO_INTERNAL_H

#include "dsrt/dsrt.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace mlir::ds::detail {

// The readers copy little-endian file data straight into host buffers.
static_assert(llvm::endianness::native == llvm::endianness::little,
              "DSIO assumes a little-endian host");

struct TensorSize {
  int64_t numElements;
  size_t numBytes;
};

/// Validates a dtype and shape from untrusted data: a supported dtype,
/// non-negative sizes, and element and byte counts that do not overflow.
/// Messages are prefixed with `where`.
llvm::Expected<TensorSize> checkTensorSize(dsrt_dtype dtype,
                                           llvm::ArrayRef<int64_t> shape,
                                           const llvm::Twine &where);

/// An error "<where>: <message>".
inline llvm::Error makeError(const llvm::Twine &where,
                             const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (where + ": " + message).str());
}

} // namespace mlir::ds::detail

#endif // DS_LIB_IO_INTERNAL_H
