//===- TensorIO.h - Host tensors and their file formats ---------*- C++ -*-===//
//
// A small owning host tensor and the file formats ds tools exchange tensors
// in: ONNX TensorProto (`.pb`, as in the ONNX backend test folders) and NumPy
// `.npy`. Readers treat files as untrusted: every size is checked before it
// is used, and failures are llvm::Errors whose messages name the file.
//
// Comparison follows numpy.allclose with equal_nan=True:
//   |actual - expected| <= atol + rtol * |expected|
// floating-point types are compared as double, integers and booleans exactly.
//
//===----------------------------------------------------------------------===//
#ifndef DS_IO_TENSORIO_H
#define DS_IO_TENSORIO_H

#include "dsrt/dsrt.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>

namespace mlir::ds {

/// A dense, row-major tensor in host memory that owns its bytes. The buffer
/// is 64-byte aligned so that it can be handed to compiled code as is.
class HostTensor {
public:
  HostTensor() = default;
  /// A zero-filled tensor. `dtype` must be valid and `shape` non-negative;
  /// use `create` where those come from untrusted data.
  HostTensor(dsrt_dtype dtype, llvm::ArrayRef<int64_t> shape,
             std::string name = {});

  /// Checks `dtype` and `shape` (non-negative sizes, no overflow of the byte
  /// count) and allocates a zero-filled tensor.
  static llvm::Expected<HostTensor> create(dsrt_dtype dtype,
                                           llvm::ArrayRef<int64_t> shape,
                                           std::string name = {});

  dsrt_dtype dtype() const { return dtype_; }
  llvm::ArrayRef<int64_t> shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t numElements() const { return numElements_; }
  size_t elementSize() const { return dsrt_dtype_size(dtype_); }
  size_t sizeInBytes() const { return sizeInBytes_; }

  const std::string &name() const { return name_; }
  void setName(std::string name) { name_ = std::move(name); }

  uint8_t *data() { return data_.get(); }
  const uint8_t *data() const { return data_.get(); }
  llvm::ArrayRef<uint8_t> bytes() const { return {data_.get(), sizeInBytes_}; }

  /// Reinterprets the bytes as `dtype`, which must have the same element
  /// size (e.g. uint16 bit patterns as bfloat16, as ONNX test data stores
  /// them). Returns false, changing nothing, otherwise.
  bool bitcastTo(dsrt_dtype dtype);

  /// A non-owning view for the runtime; valid while this tensor lives and
  /// is not moved from.
  dsrt_tensor view();

  /// "float32[2, 3]": the dtype and shape, for diagnostics.
  std::string typeString() const;

private:
  struct FreeDeleter {
    void operator()(uint8_t *p) const;
  };

  dsrt_dtype dtype_ = DSRT_DTYPE_INVALID;
  llvm::SmallVector<int64_t, 4> shape_;
  int64_t numElements_ = 0;
  size_t sizeInBytes_ = 0;
  std::string name_;
  std::unique_ptr<uint8_t, FreeDeleter> data_;
};

/// "float32[2, 3]" for a dtype and shape; -1 sizes print as "?".
std::string formatTensorType(dsrt_dtype dtype, llvm::ArrayRef<int64_t> shape);

//===----------------------------------------------------------------------===//
// ONNX TensorProto
//===----------------------------------------------------------------------===//

/// Parses a serialized onnx.TensorProto. Data may be in `raw_data` (little
/// endian) or in the typed fields; external data, strings, complex types and
/// segments are rejected. `bufferName` prefixes every error message.
llvm::Expected<HostTensor> parseTensorProto(llvm::StringRef bytes,
                                            llvm::StringRef bufferName);
llvm::Expected<HostTensor> readTensorProtoFile(llvm::StringRef path);

/// Serializes `tensor` as an onnx.TensorProto with `raw_data`, carrying the
/// tensor's name.
llvm::Expected<std::string> serializeTensorProto(const HostTensor &tensor);
llvm::Error writeTensorProtoFile(const HostTensor &tensor,
                                 llvm::StringRef path);

//===----------------------------------------------------------------------===//
// NumPy .npy
//===----------------------------------------------------------------------===//

/// Parses an .npy file (format versions 1-3) holding a little-endian,
/// C-ordered array of one of: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes,
                                    llvm::StringRef bufferName);
llvm::Expected<HostTensor> readNpyFile(llvm::StringRef path);

/// Reads `path` as .npy if it starts with the NumPy magic string, otherwise
/// as a TensorProto.
llvm::Expected<HostTensor> readTensorFile(llvm::StringRef path);

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

struct CompareOptions {
  double rtol = 1e-3;
  double atol = 1e-5;
};

struct CompareResult {
  /// max |actual - expected| over all elements (NaN pairs count as 0; a NaN
  /// against a number, or mismatched infinities, count as +inf).
  double maxAbsError = 0.0;
  /// max |actual - expected| / |expected| over elements with a non-zero,
  /// finite expected value.
  double maxRelError = 0.0;
  /// Elements failing the allclose test, and the first one of them.
  int64_t numMismatches = 0;
  int64_t firstMismatchIndex = -1;
  double firstMismatchActual = 0.0;
  double firstMismatchExpected = 0.0;

  bool allClose() const { return numMismatches == 0; }
};

/// Compares `actual` against `expected` element-wise. Fails (as an error,
/// not a mismatch) if the dtypes or shapes differ.
llvm::Expected<CompareResult> compareTensors(const HostTensor &actual,
                                             const HostTensor &expected,
                                             const CompareOptions &options = {});

/// The element at flat index `i` converted to double (f16/bf16 widened).
double elementAsDouble(const HostTensor &tensor, int64_t i);

} // namespace mlir::ds

#endif // DS_IO_TENSORIO_H
