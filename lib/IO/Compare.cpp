//===- Compare.cpp - Tensor comparison ------------------------------------===//
//
// numpy.allclose(actual, expected, rtol, atol, equal_nan=True): the test is
// asymmetric, scaled by the expected value, as in numpy.
//
//===----------------------------------------------------------------------===//

#include "ds/IO/TensorIO.h"
#include "Internal.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir::ds;
using llvm::Expected;

static float bitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

static double halfToDouble(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(static_cast<double>(mant), -24); // zero or subnormal
  else if (exp == 31)
    v = mant ? std::numeric_limits<double>::quiet_NaN()
             : std::numeric_limits<double>::infinity();
  else
    v = std::ldexp(static_cast<double>(mant | 0x400), static_cast<int>(exp) - 25);
  return sign ? -v : v;
}

template <typename T> static T load(const uint8_t *base, int64_t i) {
  T v;
  std::memcpy(&v, base + i * sizeof(T), sizeof(T));
  return v;
}

double mlir::ds::elementAsDouble(const HostTensor &t, int64_t i) {
  const uint8_t *p = t.data();
  switch (t.dtype()) {
  case DSRT_F32: return load<float>(p, i);
  case DSRT_F64: return load<double>(p, i);
  case DSRT_F16: return halfToDouble(load<uint16_t>(p, i));
  case DSRT_BF16: return bitsToFloat(uint32_t(load<uint16_t>(p, i)) << 16);
  case DSRT_I8: return load<int8_t>(p, i);
  case DSRT_U8: return load<uint8_t>(p, i);
  case DSRT_BOOL: return load<uint8_t>(p, i) != 0;
  case DSRT_I16: return load<int16_t>(p, i);
  case DSRT_U16: return load<uint16_t>(p, i);
  case DSRT_I32: return load<int32_t>(p, i);
  case DSRT_U32: return load<uint32_t>(p, i);
  case DSRT_I64: return static_cast<double>(load<int64_t>(p, i));
  case DSRT_U64: return static_cast<double>(load<uint64_t>(p, i));
  default: return std::numeric_limits<double>::quiet_NaN();
  }
}

static bool isFloat(dsrt_dtype t) {
  return t == DSRT_F32 || t == DSRT_F64 || t == DSRT_F16 || t == DSRT_BF16;
}

Expected<CompareResult> mlir::ds::compareTensors(const HostTensor &actual,
                                                 const HostTensor &expected,
                                                 const CompareOptions &opts) {
  if (actual.dtype() != expected.dtype() || actual.shape() != expected.shape())
    return detail::makeError(
        "compare", "expected " + expected.typeString() + ", found " +
                       actual.typeString());

  const double inf = std::numeric_limits<double>::infinity();
  const bool floating = isFloat(actual.dtype());
  const size_t elemSize = actual.elementSize();
  CompareResult r;
  for (int64_t i = 0, n = actual.numElements(); i < n; ++i) {
    double a = elementAsDouble(actual, i);
    double e = elementAsDouble(expected, i);
    bool close;
    double absErr;
    if (!floating) {
      // Compare the bits: 64-bit integers do not survive the trip to double.
      close = std::memcmp(actual.data() + i * elemSize,
                          expected.data() + i * elemSize, elemSize) == 0;
      absErr = close ? 0.0 : std::fabs(a - e);
    } else if (std::isnan(a) || std::isnan(e)) {
      close = std::isnan(a) && std::isnan(e);
      absErr = close ? 0.0 : inf;
    } else if (std::isinf(a) || std::isinf(e)) {
      close = a == e;
      absErr = close ? 0.0 : inf;
    } else {
      absErr = std::fabs(a - e);
      close = absErr <= opts.atol + opts.rtol * std::fabs(e);
    }
    r.maxAbsError = std::max(r.maxAbsError, absErr);
    if (e != 0.0 && std::isfinite(e))
      r.maxRelError = std::max(r.maxRelError, absErr / std::fabs(e));
    if (!close) {
      if (r.numMismatches == 0) {
        r.firstMismatchIndex = i;
        r.firstMismatchActual = a;
        r.firstMismatchExpected = e;
      }
      ++r.numMismatches;
    }
  }
  return r;
}
