//===- DType.cpp - Element type helpers ----------------------------------===//
#include "Internal.h"

namespace {
struct DTypeEntry {
  dsrt_dtype dtype;
  const char *name;
  size_t size;
};
// The names match docs/artifact-abi.md, which the compiler writes.
constexpr DTypeEntry kDTypes[] = {
    {DSRT_F32, "float32", 4},  {DSRT_F16, "float16", 2},
    {DSRT_BF16, "bfloat16", 2}, {DSRT_F64, "float64", 8},
    {DSRT_I8, "int8", 1},      {DSRT_U8, "uint8", 1},
    {DSRT_I16, "int16", 2},    {DSRT_U16, "uint16", 2},
    {DSRT_I32, "int32", 4},    {DSRT_U32, "uint32", 4},
    {DSRT_I64, "int64", 8},    {DSRT_U64, "uint64", 8},
    {DSRT_BOOL, "bool", 1},
};

const DTypeEntry *lookup(dsrt_dtype dtype) {
  for (const DTypeEntry &entry : kDTypes)
    if (entry.dtype == dtype)
      return &entry;
  return nullptr;
}
} // namespace

dsrt_dtype dsrt::dtypeFromName(const std::string &name) {
  for (const DTypeEntry &entry : kDTypes)
    if (name == entry.name)
      return entry.dtype;
  return DSRT_DTYPE_INVALID;
}

DSRT_EXPORT size_t dsrt_dtype_size(dsrt_dtype dtype) {
  const DTypeEntry *entry = lookup(dtype);
  return entry ? entry->size : 0;
}

DSRT_EXPORT const char *dsrt_dtype_name(dsrt_dtype dtype) {
  const DTypeEntry *entry = lookup(dtype);
  return entry ? entry->name : "invalid";
}
