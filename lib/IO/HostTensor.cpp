//===- HostTensor.cpp - An owning host tensor -----------------------------===//

#include "ds/IO/TensorIO.h"
#include "Internal.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>

using namespace mlir::ds;
using llvm::Expected;

namespace {
// Compiled kernels vectorize over these buffers; a cache line of alignment
// keeps their loads aligned whatever the element type.
constexpr size_t kAlignment = 64;
} // namespace

void HostTensor::FreeDeleter::operator()(uint8_t *p) const { std::free(p); }

Expected<detail::TensorSize>
detail::checkTensorSize(dsrt_dtype dtype, llvm::ArrayRef<int64_t> shape,
                        const llvm::Twine &where) {
  size_t elemSize = dsrt_dtype_size(dtype);
  if (elemSize == 0)
    return makeError(where, "unsupported element type " +
                                llvm::Twine(static_cast<int>(dtype)));
  int64_t numElements = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return makeError(where, "negative dimension " + llvm::Twine(dim) +
                                  " in shape " +
                                  formatTensorType(dtype, shape));
    if (__builtin_mul_overflow(numElements, dim, &numElements))
      return makeError(where, "element count of shape " +
                                  formatTensorType(dtype, shape) +
                                  " overflows");
  }
  int64_t numBytes;
  if (__builtin_mul_overflow(numElements, static_cast<int64_t>(elemSize),
                             &numBytes) ||
      numBytes > INT64_MAX - static_cast<int64_t>(kAlignment))
    return makeError(where, "byte size of shape " +
                                formatTensorType(dtype, shape) +
                                " overflows");
  return TensorSize{numElements, static_cast<size_t>(numBytes)};
}

static uint8_t *allocateZeroed(size_t numBytes) {
  // aligned_alloc wants a multiple of the alignment, and a non-zero size
  // keeps data() non-null for empty tensors.
  size_t rounded = (numBytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0)
    rounded = kAlignment;
  auto *p = static_cast<uint8_t *>(std::aligned_alloc(kAlignment, rounded));
  if (p)
    std::memset(p, 0, rounded);
  return p;
}

HostTensor::HostTensor(dsrt_dtype dtype, llvm::ArrayRef<int64_t> shape,
                       std::string name)
    : dtype_(dtype), shape_(shape.begin(), shape.end()),
      name_(std::move(name)) {
  Expected<detail::TensorSize> size = detail::checkTensorSize(
      dtype, shape, "HostTensor");
  if (!size)
    llvm::report_fatal_error(size.takeError());
  numElements_ = size->numElements;
  sizeInBytes_ = size->numBytes;
  data_.reset(allocateZeroed(sizeInBytes_));
  if (!data_)
    llvm::report_bad_alloc_error("HostTensor: out of memory");
}

Expected<HostTensor> HostTensor::create(dsrt_dtype dtype,
                                        llvm::ArrayRef<int64_t> shape,
                                        std::string name) {
  Expected<detail::TensorSize> size = detail::checkTensorSize(
      dtype, shape, name.empty() ? "tensor" : "tensor '" + name + "'");
  if (!size)
    return size.takeError();
  HostTensor t;
  t.dtype_ = dtype;
  t.shape_.assign(shape.begin(), shape.end());
  t.name_ = std::move(name);
  t.numElements_ = size->numElements;
  t.sizeInBytes_ = size->numBytes;
  t.data_.reset(allocateZeroed(t.sizeInBytes_));
  if (!t.data_)
    return detail::makeError(t.name_.empty() ? "tensor" : t.name_,
                             "cannot allocate " + llvm::Twine(t.sizeInBytes_) +
                                 " bytes");
  return std::move(t);
}

bool HostTensor::bitcastTo(dsrt_dtype dtype) {
  size_t size = dsrt_dtype_size(dtype);
  if (size == 0 || size != elementSize())
    return false;
  dtype_ = dtype;
  return true;
}

dsrt_tensor HostTensor::view() {
  dsrt_tensor t;
  t.data = data_.get();
  t.dtype = dtype_;
  t.rank = static_cast<int32_t>(shape_.size());
  t.shape = shape_.data();
  return t;
}

std::string HostTensor::typeString() const {
  return formatTensorType(dtype_, shape_);
}

std::string mlir::ds::formatTensorType(dsrt_dtype dtype,
                                       llvm::ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  const char *name = dsrt_dtype_name(dtype);
  os << (name && *name ? name : "invalid") << '[';
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (d == -1)
      os << '?';
    else
      os << d;
  });
  os << ']';
  return s;
}
