//===- TensorProto.cpp - ONNX TensorProto files ---------------------------===//
//
// The ONNX backend tests store each input and reference output as one
// serialized onnx.TensorProto. Writers use `raw_data`; older files and
// hand-made ones use the typed repeated fields, where every integer type
// narrower than 32 bits (and float16/bfloat16 as bit patterns) is widened
// into `int32_data`.
//
//===----------------------------------------------------------------------===//

#include "ds/IO/TensorIO.h"
#include "Internal.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <climits>
#include <cstring>

using namespace mlir::ds;
using detail::makeError;
using llvm::Expected;

static bool isSupportedDType(int32_t t) {
  switch (t) {
  case DSRT_F32: case DSRT_U8: case DSRT_I8: case DSRT_U16: case DSRT_I16:
  case DSRT_I32: case DSRT_I64: case DSRT_BOOL: case DSRT_F16: case DSRT_F64:
  case DSRT_U32: case DSRT_U64: case DSRT_BF16:
    return true;
  default:
    return false;
  }
}

static const char *onnxTypeName(int32_t t) {
  if (onnx::TensorProto_DataType_IsValid(t))
    return onnx::TensorProto_DataType_Name(
               static_cast<onnx::TensorProto_DataType>(t))
        .c_str();
  return "unknown";
}

/// Copies a repeated field of wider integers into `dst`, keeping the low
/// `sizeof(Narrow)` bytes of each (ONNX stores int8/uint16/float16 bit
/// patterns and the like widened this way).
template <typename Narrow, typename Field>
static void narrowCopy(const Field &field, uint8_t *dst) {
  for (int i = 0, e = field.size(); i < e; ++i) {
    Narrow v = static_cast<Narrow>(field.Get(i));
    std::memcpy(dst + i * sizeof(Narrow), &v, sizeof(Narrow));
  }
}

static void normalizeBools(HostTensor &t) {
  if (t.dtype() != DSRT_BOOL)
    return;
  for (size_t i = 0; i < t.sizeInBytes(); ++i)
    t.data()[i] = t.data()[i] != 0;
}

Expected<HostTensor> mlir::ds::parseTensorProto(llvm::StringRef bytes,
                                                llvm::StringRef bufferName) {
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return makeError(bufferName, "file of " + llvm::Twine(bytes.size()) +
                                     " bytes is too large for a TensorProto");
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return makeError(bufferName, "not a valid serialized onnx.TensorProto");

  std::string where = bufferName.str();
  if (!proto.name().empty())
    where += " (tensor '" + proto.name() + "')";

  if (proto.has_segment())
    return makeError(where, "segmented tensors are not supported");
  if (proto.data_location() == onnx::TensorProto::EXTERNAL ||
      proto.external_data_size() > 0)
    return makeError(where, "tensors with external data are not supported");
  int32_t type = proto.data_type();
  if (!isSupportedDType(type))
    return makeError(where, "unsupported data_type " + llvm::Twine(type) +
                                " (" + onnxTypeName(type) + ")");
  auto dtype = static_cast<dsrt_dtype>(type);

  llvm::SmallVector<int64_t, 4> shape(proto.dims().begin(),
                                      proto.dims().end());
  Expected<detail::TensorSize> size =
      detail::checkTensorSize(dtype, shape, where);
  if (!size)
    return size.takeError();
  int64_t n = size->numElements;

  // Check the payload's size before allocating: the shape is untrusted and
  // may claim far more than the file holds.
  auto expectCount = [&](int64_t found, llvm::StringRef field) -> llvm::Error {
    if (found == n)
      return llvm::Error::success();
    return makeError(where, llvm::Twine(field) + " holds " +
                                llvm::Twine(found) + " elements but shape " +
                                formatTensorType(dtype, shape) + " needs " +
                                llvm::Twine(n));
  };
  const bool raw = proto.has_raw_data();
  if (raw) {
    if (proto.raw_data().size() != size->numBytes)
      return makeError(where, "raw_data holds " +
                                  llvm::Twine(proto.raw_data().size()) +
                                  " bytes but shape " +
                                  formatTensorType(dtype, shape) + " needs " +
                                  llvm::Twine(size->numBytes));
  } else {
    llvm::Error err = llvm::Error::success();
    switch (dtype) {
    case DSRT_F32:
      err = expectCount(proto.float_data_size(), "float_data");
      break;
    case DSRT_F64:
      err = expectCount(proto.double_data_size(), "double_data");
      break;
    case DSRT_I64:
      err = expectCount(proto.int64_data_size(), "int64_data");
      break;
    case DSRT_U32:
    case DSRT_U64:
      err = expectCount(proto.uint64_data_size(), "uint64_data");
      break;
    default:
      err = expectCount(proto.int32_data_size(), "int32_data");
      break;
    }
    if (err)
      return std::move(err);
  }

  Expected<HostTensor> tensorOr = HostTensor::create(dtype, shape, proto.name());
  if (!tensorOr)
    return makeError(where, llvm::toString(tensorOr.takeError()));
  HostTensor &t = *tensorOr;
  // An empty repeated field has no array (data() is null), and memcpy must
  // not see a null pointer even for zero bytes.
  if (size->numBytes == 0)
    return std::move(t);
  uint8_t *dst = t.data();
  if (raw) {
    std::memcpy(dst, proto.raw_data().data(), size->numBytes);
  } else {
    switch (dtype) {
    case DSRT_F32:
      std::memcpy(dst, proto.float_data().data(), size->numBytes);
      break;
    case DSRT_F64:
      std::memcpy(dst, proto.double_data().data(), size->numBytes);
      break;
    case DSRT_I64:
      std::memcpy(dst, proto.int64_data().data(), size->numBytes);
      break;
    case DSRT_U64:
      std::memcpy(dst, proto.uint64_data().data(), size->numBytes);
      break;
    case DSRT_U32:
      narrowCopy<uint32_t>(proto.uint64_data(), dst);
      break;
    case DSRT_I32:
      std::memcpy(dst, proto.int32_data().data(), size->numBytes);
      break;
    case DSRT_I16:
    case DSRT_U16:
    case DSRT_F16:
    case DSRT_BF16:
      narrowCopy<uint16_t>(proto.int32_data(), dst);
      break;
    default: // I8, U8, BOOL
      narrowCopy<uint8_t>(proto.int32_data(), dst);
      break;
    }
  }
  normalizeBools(t);
  return std::move(t);
}

Expected<HostTensor> mlir::ds::readTensorProtoFile(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return makeError(path, "cannot read: " + buf.getError().message());
  return parseTensorProto((*buf)->getBuffer(), path);
}

Expected<std::string> mlir::ds::serializeTensorProto(const HostTensor &t) {
  if (!isSupportedDType(t.dtype()))
    return makeError(t.name().empty() ? "tensor" : t.name(),
                     "cannot serialize a tensor of dtype " +
                         llvm::Twine(static_cast<int>(t.dtype())));
  onnx::TensorProto proto;
  proto.set_data_type(static_cast<int32_t>(t.dtype()));
  for (int64_t d : t.shape())
    proto.add_dims(d);
  proto.set_name(t.name());
  proto.set_raw_data(t.data(), t.sizeInBytes());
  std::string out;
  if (!proto.SerializeToString(&out))
    return makeError(t.name().empty() ? "tensor" : t.name(),
                     "cannot serialize (is it larger than 2 GiB?)");
  return std::move(out);
}

llvm::Error mlir::ds::writeTensorProtoFile(const HostTensor &t,
                                           llvm::StringRef path) {
  Expected<std::string> bytes = serializeTensorProto(t);
  if (!bytes)
    return makeError(path, llvm::toString(bytes.takeError()));
  // writeToOutput goes through a temporary file and renames it, so readers
  // never see a half-written tensor.
  llvm::Error err = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << *bytes;
    return llvm::Error::success();
  });
  if (err)
    return makeError(path, "cannot write: " + llvm::toString(std::move(err)));
  return llvm::Error::success();
}
