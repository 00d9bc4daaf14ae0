//===- Tensors.cpp - ONNX TensorProto to MLIR elements attributes ---------===//
//
// Tensor payloads come as raw little-endian bytes (raw_data, or an external
// file) or in typed repeated fields, where int32_data also carries the bit
// patterns of the narrower types. Everything is first brought to raw bytes of
// the element's width, then becomes an inline `dense<...>` or, above the size
// threshold, a `dense_resource` blob.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using namespace mlir::ds::onnx_import;
using onnx::TensorProto;

Type mlir::ds::onnx_import::convertElementType(MLIRContext *ctx,
                                               int32_t dataType) {
  Builder b(ctx);
  switch (dataType) {
  case TensorProto::FLOAT:
    return b.getF32Type();
  case TensorProto::FLOAT16:
    return b.getF16Type();
  case TensorProto::BFLOAT16:
    return b.getBF16Type();
  case TensorProto::DOUBLE:
    return b.getF64Type();
  case TensorProto::INT8:
    return b.getIntegerType(8);
  case TensorProto::INT16:
    return b.getIntegerType(16);
  case TensorProto::INT32:
    return b.getIntegerType(32);
  case TensorProto::INT64:
    return b.getIntegerType(64);
  case TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case TensorProto::UINT16:
    return b.getIntegerType(16, false);
  case TensorProto::UINT32:
    return b.getIntegerType(32, false);
  case TensorProto::UINT64:
    return b.getIntegerType(64, false);
  case TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

std::string mlir::ds::onnx_import::dataTypeName(int32_t dataType) {
  if (TensorProto::DataType_IsValid(dataType))
    return TensorProto::DataType_Name(
        static_cast<TensorProto::DataType>(dataType));
  return "<data type " + std::to_string(dataType) + ">";
}

bool mlir::ds::onnx_import::hasAddressableSize(ArrayRef<int64_t> shape) {
  constexpr int64_t kLimit = int64_t(1) << 60;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d) || d == 0)
      continue;
    if (d < 0 || d > kLimit / n)
      return false;
    n *= d;
  }
  return true;
}

/// Bytes per element in ONNX raw data (bool takes a whole byte).
static size_t byteWidth(Type type) {
  if (type.isInteger(1))
    return 1;
  return type.getIntOrFloatBitWidth() / 8;
}

/// Appends the low `width` bytes of `value`, little-endian.
static void appendBits(std::string &out, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

/// Gathers the typed repeated field matching the data type into raw bytes.
/// Returns the number of values found.
static int64_t typedFieldBytes(const TensorProto &t, size_t width,
                               std::string &out) {
  switch (t.data_type()) {
  case TensorProto::FLOAT:
    for (float v : t.float_data()) {
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      appendBits(out, bits, 4);
    }
    return t.float_data_size();
  case TensorProto::DOUBLE:
    for (double v : t.double_data()) {
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      appendBits(out, bits, 8);
    }
    return t.double_data_size();
  case TensorProto::INT64:
    for (int64_t v : t.int64_data())
      appendBits(out, static_cast<uint64_t>(v), 8);
    return t.int64_data_size();
  case TensorProto::UINT32:
  case TensorProto::UINT64:
    for (uint64_t v : t.uint64_data())
      appendBits(out, v, width);
    return t.uint64_data_size();
  default: // int32, int16, int8, uint16, uint8, bool, float16, bfloat16
    for (int32_t v : t.int32_data())
      appendBits(out, static_cast<uint32_t>(v), width);
    return t.int32_data_size();
  }
}

/// Reads an external-data payload: `location` relative to the model's
/// directory, optionally `offset` and `length`.
static LogicalResult readExternal(const TensorProto &t, StringRef what,
                                  Location loc, TensorEnv &env,
                                  std::string &out) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : t.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      unsigned long long v;
      if (StringRef(entry.value()).getAsInteger(10, v))
        return env.reporter.invalid(loc)
               << what << ": expected an integer external-data '" << entry.key()
               << "', found '" << entry.value() << "'";
      (entry.key() == "offset" ? offset : length.emplace()) = v;
    }
  }
  if (location.empty())
    return env.reporter.invalid(loc)
           << what << ": external data without a 'location'";
  if (env.baseDir.empty())
    return env.reporter.invalid(loc)
           << what << ": external data '" << location
           << "' cannot be resolved: the model was not read from a file";
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         ".."))
    return env.reporter.invalid(loc)
           << what << ": external data location '" << location
           << "' must be a relative path inside the model's directory";
  SmallString<256> path(env.baseDir);
  llvm::sys::path::append(path, location);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return env.reporter.invalid(loc)
           << what << ": cannot read external data file '" << path
           << "': " << buffer.getError().message();
  uint64_t size = (*buffer)->getBufferSize();
  uint64_t want = length ? *length : (offset <= size ? size - offset : 0);
  if (offset > size || want > size - offset)
    return env.reporter.invalid(loc)
           << what << ": external data file '" << path << "' has " << size
           << " bytes, too short for offset " << offset << " and length "
           << want;
  out.assign((*buffer)->getBufferStart() + offset, want);
  return success();
}

/// Builds a resource name MLIR prints without quotes.
static std::string resourceName(StringRef name) {
  std::string out;
  for (char c : name)
    out.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (out.empty())
    return "tensor";
  if (llvm::isDigit(out[0]) || out[0] == '.')
    out.insert(out.begin(), '_');
  return out;
}

FailureOr<ElementsAttr>
mlir::ds::onnx_import::importTensor(const TensorProto &t, StringRef what,
                                    Location loc, TensorEnv &env) {
  MLIRContext *ctx = loc.getContext();
  Type elementType = convertElementType(ctx, t.data_type());
  if (!elementType)
    return env.reporter.unsupported(loc)
           << what << " has unsupported element type "
           << dataTypeName(t.data_type());
  if (t.has_segment())
    return env.reporter.unsupported(loc)
           << what << " is segmented, which ds does not support";

  SmallVector<int64_t> shape;
  int64_t numElements = 1;
  for (int64_t d : t.dims()) {
    if (d < 0)
      return env.reporter.invalid(loc)
             << what << " has a negative dimension " << d;
    if (d != 0 && numElements > (int64_t(1) << 40) / d)
      return env.reporter.invalid(loc) << what << " is implausibly large";
    numElements *= d;
    shape.push_back(d);
  }
  auto type = RankedTensorType::get(shape, elementType);
  size_t width = byteWidth(elementType);
  uint64_t wantBytes = static_cast<uint64_t>(numElements) * width;

  std::string bytes;
  if (t.data_location() == TensorProto::EXTERNAL) {
    if (failed(readExternal(t, what, loc, env, bytes)))
      return failure();
  } else if (t.has_raw_data()) {
    bytes = t.raw_data();
  } else {
    int64_t count = typedFieldBytes(t, width, bytes);
    if (count != numElements)
      return env.reporter.invalid(loc)
             << what << " holds " << count << " values, expected "
             << numElements << " for shape " << type;
  }
  if (bytes.size() != wantBytes)
    return env.reporter.invalid(loc)
           << what << " holds " << bytes.size() << " bytes of data, expected "
           << wantBytes << " for " << type;

  if (elementType.isInteger(1)) {
    // ONNX stores a byte per bool; MLIR's dense storage differs, so go
    // through values.
    SmallVector<bool> values;
    for (char c : bytes)
      values.push_back(c != 0);
    return cast<ElementsAttr>(DenseElementsAttr::get(type, values));
  }
  if (numElements > 0 && bytes.size() >= env.resourceThresholdBytes) {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(bytes.data(), bytes.size()), alignof(uint64_t),
        /*dataIsMutable=*/false);
    return cast<ElementsAttr>(DenseResourceElementsAttr::get(
        type, resourceName(t.name()), std::move(blob)));
  }
  if (numElements == 0)
    return cast<ElementsAttr>(
        DenseElementsAttr::get(type, ArrayRef<Attribute>()));
  return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(bytes.data(), bytes.size())));
}
