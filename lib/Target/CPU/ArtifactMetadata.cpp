//===- ArtifactMetadata.cpp - The ds_metadata of an artifact -------------===//
#include "ds/Target/CPU/ArtifactMetadata.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ds;

std::string ds::getDTypeName(Type type) {
  if (type.isF32())
    return "float32";
  if (type.isF16())
    return "float16";
  if (type.isBF16())
    return "bfloat16";
  if (type.isF64())
    return "float64";
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return "";
  unsigned width = intType.getWidth();
  if (width == 1)
    return intType.isUnsigned() ? "" : "bool";
  if (width != 8 && width != 16 && width != 32 && width != 64)
    return "";
  // ONNX signed integers arrive as signless (`i32`), unsigned as `ui32`.
  // Explicitly signed `si32` means the same as signless here.
  return (intType.isUnsigned() ? "uint" : "int") + std::to_string(width);
}

/// Describes one argument or result; `kind` and `index` only shape messages.
static FailureOr<TensorMetadata> describe(func::FuncOp func, Type type,
                                          DictionaryAttr attrs,
                                          StringRef kind, unsigned index) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return func.emitOpError() << kind << " #" << index
                              << ": expected a ranked tensor, found " << type;
  TensorMetadata tensor;
  tensor.dtype = getDTypeName(tensorType.getElementType());
  if (tensor.dtype.empty())
    return func.emitOpError()
           << kind << " #" << index << ": element type "
           << tensorType.getElementType()
           << " has no dtype in the artifact ABI (expected f16, bf16, f32, "
              "f64, i1 or an 8/16/32/64-bit integer)";
  auto name = attrs ? attrs.getAs<StringAttr>(kTensorNameAttr) : StringAttr();
  tensor.name = name ? name.str() : (kind + Twine(index)).str();
  for (int64_t dim : tensorType.getShape())
    tensor.shape.push_back(ShapedType::isDynamic(dim) ? -1 : dim);
  return tensor;
}

FailureOr<ArtifactMetadata> ds::buildArtifactMetadata(func::FuncOp func) {
  ArtifactMetadata metadata;
  FunctionType type = func.getFunctionType();
  for (auto [i, argType] : llvm::enumerate(type.getInputs())) {
    FailureOr<TensorMetadata> tensor =
        describe(func, argType, func.getArgAttrDict(i), "input", i);
    if (failed(tensor))
      return failure();
    metadata.inputs.push_back(std::move(*tensor));
  }
  for (auto [i, resultType] : llvm::enumerate(type.getResults())) {
    FailureOr<TensorMetadata> tensor =
        describe(func, resultType, func.getResultAttrDict(i), "output", i);
    if (failed(tensor))
      return failure();
    metadata.outputs.push_back(std::move(*tensor));
  }
  return metadata;
}

bool ArtifactMetadata::hasDynamicOutputs() const {
  return llvm::any_of(outputs, [](const TensorMetadata &tensor) {
    return llvm::is_contained(tensor.shape, -1);
  });
}

static void writeTensors(llvm::json::OStream &json, StringRef key,
                         ArrayRef<TensorMetadata> tensors) {
  json.attributeArray(key, [&] {
    for (const TensorMetadata &tensor : tensors) {
      json.object([&] {
        json.attribute("name", tensor.name);
        json.attribute("dtype", tensor.dtype);
        json.attributeArray("shape", [&] {
          for (int64_t dim : tensor.shape)
            json.value(dim);
        });
      });
    }
  });
}

std::string ArtifactMetadata::toJSON() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::json::OStream json(os);
  json.object([&] {
    json.attribute("version", version());
    writeTensors(json, "inputs", inputs);
    writeTensors(json, "outputs", outputs);
    if (ranks != 1)
      json.attribute("ranks", ranks);
  });
  return text;
}
