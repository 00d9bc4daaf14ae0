//===- Metadata.cpp - Parse an artifact's ds_metadata --------------------===//
//
// The runtime is built without exceptions, so JSON is parsed with
// nlohmann's non-throwing entry point and every access is type-checked
// first: a malformed artifact must produce a message, never an abort.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {
/// The metadata format version this runtime understands.
/// Version 1: `void ds_entry(void **)`; version 2: it returns an int32
/// status; version 3: outputs may have dynamic shapes and ds_entry allocates
/// them (docs/artifact-abi.md). All three are read.
constexpr int kSupportedVersion = 3;

bool parseTensor(const json &value, const std::string &where,
                 dsrt::TensorSpec &spec, std::string &error) {
  if (!value.is_object()) {
    error = where + ": expected an object";
    return false;
  }
  auto name = value.find("name");
  if (name == value.end() || !name->is_string()) {
    error = where + ": expected a string 'name'";
    return false;
  }
  spec.name = name->get<std::string>();
  std::string label = where + " ('" + spec.name + "')";

  auto dtype = value.find("dtype");
  if (dtype == value.end() || !dtype->is_string()) {
    error = label + ": expected a string 'dtype'";
    return false;
  }
  spec.dtype = dsrt::dtypeFromName(dtype->get<std::string>());
  if (spec.dtype == DSRT_DTYPE_INVALID) {
    error = label + ": unknown dtype '" + dtype->get<std::string>() + "'";
    return false;
  }

  auto shape = value.find("shape");
  if (shape == value.end() || !shape->is_array()) {
    error = label + ": expected an array 'shape'";
    return false;
  }
  spec.shape.clear();
  for (const json &dim : *shape) {
    if (!dim.is_number_integer() || dim.get<int64_t>() < -1) {
      error = label + ": expected shape entries to be integers >= -1, found " +
              dim.dump();
      return false;
    }
    spec.shape.push_back(dim.get<int64_t>());
  }
  return true;
}

bool parseTensorList(const json &root, const char *key,
                     std::vector<dsrt::TensorSpec> &specs,
                     std::string &error) {
  auto list = root.find(key);
  if (list == root.end() || !list->is_array()) {
    error = std::string("expected an array '") + key + "'";
    return false;
  }
  specs.clear();
  for (size_t i = 0; i < list->size(); ++i) {
    dsrt::TensorSpec spec;
    std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    if (!parseTensor((*list)[i], where, spec, error))
      return false;
    specs.push_back(std::move(spec));
  }
  return true;
}
} // namespace

bool dsrt::parseMetadata(const char *text, ModuleSpec &spec,
                         std::string &error) {
  json root = json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    error = "ds_metadata is not valid JSON";
    return false;
  }
  if (!root.is_object()) {
    error = "ds_metadata: expected a JSON object at the top level";
    return false;
  }
  auto version = root.find("version");
  if (version == root.end() || !version->is_number_integer()) {
    error = "ds_metadata: expected an integer 'version'";
    return false;
  }
  spec.version = version->get<int>();
  if (spec.version < 1 || spec.version > kSupportedVersion) {
    error = "ds_metadata: unsupported version " +
            std::to_string(spec.version) + " (this runtime reads versions 1 to " +
            std::to_string(kSupportedVersion) + ")";
    return false;
  }
  if (auto ranks = root.find("ranks"); ranks != root.end()) {
    if (!ranks->is_number_integer() || ranks->get<int64_t>() < 1) {
      error = "ds_metadata: 'ranks' must be a positive integer";
      return false;
    }
    spec.ranks = ranks->get<int64_t>();
  }
  if (!parseTensorList(root, "inputs", spec.inputs, error) ||
      !parseTensorList(root, "outputs", spec.outputs, error)) {
    error = "ds_metadata: " + error;
    return false;
  }
  // Versions 1 and 2 have the caller allocate outputs, so their shapes must
  // be known.
  if (spec.version < 3)
    for (const TensorSpec &output : spec.outputs)
      for (int64_t dim : output.shape)
        if (dim < 0) {
          error = "ds_metadata: output '" + output.name +
                  "' has a dynamic dimension; outputs of version " +
                  std::to_string(spec.version) +
                  " artifacts must have static shapes";
          return false;
        }
  return true;
}
