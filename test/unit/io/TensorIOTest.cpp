//===- TensorIOTest.cpp - Tests for DSIO ----------------------------------===//

#include "ds/IO/TensorIO.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir::ds;

namespace {

template <typename T>
HostTensor makeTensor(dsrt_dtype dtype, llvm::ArrayRef<int64_t> shape,
                      llvm::ArrayRef<T> values, std::string name = {}) {
  HostTensor t(dtype, shape, std::move(name));
  EXPECT_EQ(t.sizeInBytes(), values.size() * sizeof(T));
  std::memcpy(t.data(), values.data(), t.sizeInBytes());
  return t;
}

HostTensor f32(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<float> v) {
  return makeTensor<float>(DSRT_F32, shape, v);
}

/// The bytes numpy.save writes for a header dict and payload.
std::string npyBytes(llvm::StringRef dict, llvm::StringRef payload,
                     int major = 1) {
  std::string header = dict.str();
  size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  uint32_t len = header.size();
  out.append(reinterpret_cast<const char *>(&len), major == 1 ? 2 : 4);
  return out + header + payload.str();
}

std::string errorOf(llvm::Error err) { return llvm::toString(std::move(err)); }

template <typename T> std::string errorOf(llvm::Expected<T> v) {
  if (v)
    return "<success>";
  return llvm::toString(v.takeError());
}

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

TEST(HostTensor, SizesAndAlignment) {
  HostTensor t(DSRT_F16, {2, 3});
  EXPECT_EQ(t.numElements(), 6);
  EXPECT_EQ(t.sizeInBytes(), 12u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
  EXPECT_EQ(t.typeString(), "float16[2, 3]");
  HostTensor scalar(DSRT_I64, {});
  EXPECT_EQ(scalar.numElements(), 1);
  HostTensor empty(DSRT_F32, {0, 4});
  EXPECT_EQ(empty.numElements(), 0);
  EXPECT_NE(empty.data(), nullptr);
}

TEST(HostTensor, CreateRejectsBadShapes) {
  EXPECT_NE(errorOf(HostTensor::create(DSRT_F32, {2, -1})).find("negative"),
            std::string::npos);
  EXPECT_NE(errorOf(HostTensor::create(DSRT_F32, {INT64_MAX, 4}))
                .find("overflow"),
            std::string::npos);
  EXPECT_NE(errorOf(HostTensor::create(DSRT_DTYPE_INVALID, {1}))
                .find("unsupported element type"),
            std::string::npos);
}

TEST(HostTensor, BitcastKeepsBytes) {
  HostTensor t = makeTensor<uint16_t>(DSRT_U16, {2}, {0x3f80, 0xc000});
  EXPECT_TRUE(t.bitcastTo(DSRT_BF16));
  EXPECT_EQ(t.dtype(), DSRT_BF16);
  EXPECT_EQ(elementAsDouble(t, 0), 1.0);
  EXPECT_FALSE(t.bitcastTo(DSRT_F32));
  EXPECT_EQ(t.dtype(), DSRT_BF16);
}

//===----------------------------------------------------------------------===//
// TensorProto
//===----------------------------------------------------------------------===//

TEST(TensorProto, RoundTripEveryDType) {
  for (dsrt_dtype dt : {DSRT_F32, DSRT_U8, DSRT_I8, DSRT_U16, DSRT_I16,
                        DSRT_I32, DSRT_I64, DSRT_BOOL, DSRT_F16, DSRT_F64,
                        DSRT_U32, DSRT_U64, DSRT_BF16}) {
    HostTensor t(dt, {2, 3}, "x");
    for (size_t i = 0; i < t.sizeInBytes(); ++i)
      t.data()[i] = dt == DSRT_BOOL ? i % 2 : static_cast<uint8_t>(i * 7 + 1);
    llvm::Expected<std::string> bytes = serializeTensorProto(t);
    ASSERT_TRUE(!!bytes) << llvm::toString(bytes.takeError());
    llvm::Expected<HostTensor> back = parseTensorProto(*bytes, "mem");
    ASSERT_TRUE(!!back) << llvm::toString(back.takeError());
    EXPECT_EQ(back->dtype(), dt);
    EXPECT_EQ(back->shape(), t.shape());
    EXPECT_EQ(back->name(), "x");
    EXPECT_EQ(back->bytes(), t.bytes()) << dsrt_dtype_name(dt);
  }
}

TEST(TensorProto, FileRoundTripAndScalar) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("dsio-test", dir));
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(path, "t.pb");
  HostTensor t = makeTensor<double>(DSRT_F64, {}, {3.5}, "s");
  ASSERT_FALSE(errorOf(writeTensorProtoFile(t, path)) != "");
  llvm::Expected<HostTensor> back = readTensorFile(path);
  ASSERT_TRUE(!!back) << llvm::toString(back.takeError());
  EXPECT_EQ(back->rank(), 0);
  EXPECT_EQ(elementAsDouble(*back, 0), 3.5);
  llvm::sys::fs::remove_directories(dir);
}

TEST(TensorProto, TypedFields) {
  onnx::TensorProto p;
  p.add_dims(3);

  p.set_data_type(onnx::TensorProto::FLOAT);
  for (float f : {1.f, -2.f, 0.5f})
    p.add_float_data(f);
  llvm::Expected<HostTensor> t = parseTensorProto(p.SerializeAsString(), "f");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(elementAsDouble(*t, 1), -2.0);

  p.clear_float_data();
  p.set_data_type(onnx::TensorProto::INT8);
  for (int v : {-1, 127, -128})
    p.add_int32_data(v);
  t = parseTensorProto(p.SerializeAsString(), "i8");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(elementAsDouble(*t, 0), -1.0);
  EXPECT_EQ(elementAsDouble(*t, 2), -128.0);

  p.set_data_type(onnx::TensorProto::BOOL);
  t = parseTensorProto(p.SerializeAsString(), "b");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(t->data()[0], 1); // normalized to 0/1

  p.clear_int32_data();
  p.set_data_type(onnx::TensorProto::FLOAT16);
  for (int v : {0x3c00, 0xc000, 0x7c00}) // 1.0, -2.0, +inf
    p.add_int32_data(v);
  t = parseTensorProto(p.SerializeAsString(), "f16");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(elementAsDouble(*t, 0), 1.0);
  EXPECT_EQ(elementAsDouble(*t, 1), -2.0);
  EXPECT_TRUE(std::isinf(elementAsDouble(*t, 2)));

  p.clear_int32_data();
  p.set_data_type(onnx::TensorProto::BFLOAT16);
  for (int v : {0x3f80, 0xc000, 0x0000}) // 1.0, -2.0, 0
    p.add_int32_data(v);
  t = parseTensorProto(p.SerializeAsString(), "bf16");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(elementAsDouble(*t, 1), -2.0);

  p.clear_int32_data();
  p.set_data_type(onnx::TensorProto::INT64);
  for (int64_t v : {INT64_MIN, int64_t(0), INT64_MAX})
    p.add_int64_data(v);
  t = parseTensorProto(p.SerializeAsString(), "i64");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  int64_t last;
  std::memcpy(&last, t->data() + 16, 8);
  EXPECT_EQ(last, INT64_MAX);

  p.clear_int64_data();
  p.set_data_type(onnx::TensorProto::UINT32);
  for (uint64_t v : {0ull, 1ull, 4294967295ull})
    p.add_uint64_data(v);
  t = parseTensorProto(p.SerializeAsString(), "u32");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(elementAsDouble(*t, 2), 4294967295.0);

  p.clear_uint64_data();
  p.set_data_type(onnx::TensorProto::DOUBLE);
  for (double v : {0.25, 1e300, -3.0})
    p.add_double_data(v);
  t = parseTensorProto(p.SerializeAsString(), "f64");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(elementAsDouble(*t, 1), 1e300);
}

// Found by tensor-reader-fuzzer (UBSan: memcpy from the null array of an
// empty repeated field). Empty tensors in typed fields, of every field kind,
// parse as empty tensors.
TEST(TensorProto, EmptyTypedFields) {
  for (int dtype : {onnx::TensorProto::FLOAT, onnx::TensorProto::DOUBLE,
                    onnx::TensorProto::INT64, onnx::TensorProto::INT32,
                    onnx::TensorProto::UINT64, onnx::TensorProto::UINT32,
                    onnx::TensorProto::FLOAT16, onnx::TensorProto::UINT8}) {
    onnx::TensorProto p;
    p.set_data_type(dtype);
    p.add_dims(2);
    p.add_dims(0);
    llvm::Expected<HostTensor> t =
        parseTensorProto(p.SerializeAsString(), "empty");
    ASSERT_TRUE(!!t) << dtype << ": " << llvm::toString(t.takeError());
    EXPECT_EQ(t->numElements(), 0);
    EXPECT_EQ(t->sizeInBytes(), 0u);
    EXPECT_EQ(t->shape(), llvm::ArrayRef<int64_t>({2, 0}));
  }
}

TEST(TensorProto, MalformedInputsAreErrors) {
  // Not a protobuf at all.
  EXPECT_NE(errorOf(parseTensorProto("\xff\xff\xff", "junk.pb"))
                .find("junk.pb: not a valid serialized onnx.TensorProto"),
            std::string::npos);

  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(2);
  p.add_dims(3);
  p.set_raw_data(std::string(20, '\0')); // needs 24
  std::string err = errorOf(parseTensorProto(p.SerializeAsString(), "a.pb"));
  EXPECT_NE(err.find("a.pb"), std::string::npos) << err;
  EXPECT_NE(err.find("raw_data holds 20 bytes"), std::string::npos) << err;

  // A shape claiming terabytes is rejected before anything is allocated.
  p.set_dims(0, 1ll << 40);
  err = errorOf(parseTensorProto(p.SerializeAsString(), "big.pb"));
  EXPECT_NE(err.find("needs"), std::string::npos) << err;

  p.set_dims(0, -2);
  err = errorOf(parseTensorProto(p.SerializeAsString(), "neg.pb"));
  EXPECT_NE(err.find("negative dimension"), std::string::npos) << err;

  p.set_dims(0, INT64_MAX);
  p.set_dims(1, INT64_MAX);
  err = errorOf(parseTensorProto(p.SerializeAsString(), "ovf.pb"));
  EXPECT_NE(err.find("overflow"), std::string::npos) << err;

  onnx::TensorProto q;
  q.set_data_type(onnx::TensorProto::INT32);
  q.add_dims(4);
  q.add_int32_data(1); // 1 of 4
  err = errorOf(parseTensorProto(q.SerializeAsString(), "few.pb"));
  EXPECT_NE(err.find("int32_data holds 1 elements"), std::string::npos) << err;

  q.set_data_type(onnx::TensorProto::STRING);
  err = errorOf(parseTensorProto(q.SerializeAsString(), "s.pb"));
  EXPECT_NE(err.find("unsupported data_type 8 (STRING)"), std::string::npos)
      << err;

  q.set_data_type(onnx::TensorProto::FLOAT);
  q.set_data_location(onnx::TensorProto::EXTERNAL);
  err = errorOf(parseTensorProto(q.SerializeAsString(), "ext.pb"));
  EXPECT_NE(err.find("external data"), std::string::npos) << err;

  err = errorOf(readTensorProtoFile("/nonexistent/dir/x.pb"));
  EXPECT_NE(err.find("/nonexistent/dir/x.pb: cannot read"), std::string::npos)
      << err;
}

TEST(TensorProto, TruncatedFilesNeverCrash) {
  HostTensor t = f32({4}, {1, 2, 3, 4});
  t.setName("name");
  std::string bytes = *serializeTensorProto(t);
  for (size_t n = 0; n < bytes.size(); ++n) {
    llvm::Expected<HostTensor> r =
        parseTensorProto(llvm::StringRef(bytes).take_front(n), "cut");
    if (r) // Some prefixes are valid protos (e.g. empty ones); fine.
      continue;
    llvm::consumeError(r.takeError());
  }
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

struct NpyCase {
  const char *descr;
  dsrt_dtype dtype;
};

TEST(Npy, EveryDType) {
  const NpyCase cases[] = {
      {"<f4", DSRT_F32}, {"<f8", DSRT_F64}, {"<f2", DSRT_F16},
      {"|i1", DSRT_I8},  {"|u1", DSRT_U8},  {"<i2", DSRT_I16},
      {"<u2", DSRT_U16}, {"<i4", DSRT_I32}, {"<u4", DSRT_U32},
      {"<i8", DSRT_I64}, {"<u8", DSRT_U64}, {"|b1", DSRT_BOOL}};
  for (const NpyCase &c : cases) {
    size_t es = dsrt_dtype_size(c.dtype);
    std::string payload(2 * 3 * es, '\0');
    for (size_t i = 0; i < payload.size(); ++i)
      payload[i] = c.dtype == DSRT_BOOL ? char(i % 2) : char(i + 1);
    std::string dict = std::string("{'descr': '") + c.descr +
                       "', 'fortran_order': False, 'shape': (2, 3), }";
    for (int major : {1, 2, 3}) {
      llvm::Expected<HostTensor> t =
          parseNpy(npyBytes(dict, payload, major), "x.npy");
      ASSERT_TRUE(!!t) << c.descr << ": " << llvm::toString(t.takeError());
      EXPECT_EQ(t->dtype(), c.dtype) << c.descr;
      EXPECT_EQ(t->shape(), llvm::ArrayRef<int64_t>({2, 3}));
      EXPECT_EQ(llvm::StringRef(reinterpret_cast<const char *>(t->data()),
                                t->sizeInBytes()),
                payload)
          << c.descr;
    }
  }
}

TEST(Npy, ShapesAndWhitespace) {
  float one = 1.0f;
  std::string payload(reinterpret_cast<const char *>(&one), 4);
  llvm::Expected<HostTensor> t = parseNpy(
      npyBytes("{'descr':'<f4','fortran_order':False,'shape':()}", payload),
      "s.npy");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(t->rank(), 0);
  t = parseNpy(npyBytes("{\"descr\": \"<f4\", \"shape\": (1,), "
                        "\"fortran_order\": False}",
                        payload),
               "v.npy");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(t->shape(), llvm::ArrayRef<int64_t>({1}));
  t = parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (0, 5), }",
                        ""),
               "e.npy");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(t->numElements(), 0);
}

TEST(Npy, Rejections) {
  std::string payload(8, '\0');
  auto err = [&](llvm::StringRef dict, llvm::StringRef data = {}) {
    return errorOf(parseNpy(
        npyBytes(dict, data.data() ? data : llvm::StringRef(payload)),
        "bad.npy"));
  };
  std::string e = err("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }");
  EXPECT_NE(e.find("bad.npy: Fortran-ordered"), std::string::npos) << e;
  e = err("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }");
  EXPECT_NE(e.find("big-endian"), std::string::npos) << e;
  e = err("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }");
  EXPECT_NE(e.find("unsupported .npy dtype '<c8'"), std::string::npos) << e;
  e = err("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }");
  EXPECT_NE(e.find("structured"), std::string::npos) << e;
  e = err("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
  EXPECT_NE(e.find("array data holds 8 bytes"), std::string::npos) << e;
  e = err("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }");
  EXPECT_NE(e.find("malformed .npy header"), std::string::npos) << e;
  e = err("{'descr': '<f4', 'fortran_order': False}");
  EXPECT_NE(e.find("lacks 'shape'"), std::string::npos) << e;
  e = err("{'descr': '<f4', 'fortran_order': False, 'shape': "
          "(99999999999999999999,), }");
  EXPECT_NE(e.find("too large"), std::string::npos) << e;
  e = err("{'descr': '<f4', 'fortran_order': False, 'shape': "
          "(4294967296, 4294967296, 4294967296), }");
  EXPECT_NE(e.find("overflow"), std::string::npos) << e;

  EXPECT_NE(errorOf(parseNpy("hello", "x.npy")).find("not an .npy file"),
            std::string::npos);
  std::string truncated("\x93NUMPY\x01\x00\xff\x00{", 11);
  EXPECT_NE(errorOf(parseNpy(truncated, "t.npy")).find("truncated"),
            std::string::npos);
  std::string v9("\x93NUMPY\x09\x00\x00\x00", 10);
  EXPECT_NE(errorOf(parseNpy(v9, "v.npy")).find("version 9.0"),
            std::string::npos);
}

TEST(Npy, TruncatedFilesNeverCrash) {
  std::string bytes = npyBytes(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
      std::string(32, '\1'));
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(!!parseNpy(llvm::StringRef(bytes).take_front(n), "cut"))
        << n;
  for (size_t n = 0; n < bytes.size(); ++n) {
    llvm::consumeError(parseNpy(llvm::StringRef(bytes).take_front(n), "cut")
                           .takeError());
  }
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

TEST(Compare, AllCloseIsNumpys) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CompareOptions opts{/*rtol=*/1e-3, /*atol=*/1e-5};
  auto close = [&](float a, float e) {
    HostTensor ta = f32({1}, {a}), te = f32({1}, {e});
    return compareTensors(ta, te, opts)->allClose();
  };
  EXPECT_TRUE(close(1.0f, 1.0f));
  EXPECT_TRUE(close(1000.5f, 1000.0f));  // 0.5 <= 1e-5 + 1e-3 * 1000
  EXPECT_FALSE(close(1001.5f, 1000.0f)); // 1.5 > 1.00001
  EXPECT_TRUE(close(0.0f, 5e-6f));       // atol covers it
  EXPECT_FALSE(close(0.0f, 5e-5f));
  // Asymmetric, like numpy: scaled by |expected|.
  EXPECT_TRUE(close(1.0f, 1.001f));
  EXPECT_TRUE(close(nan, nan));
  EXPECT_FALSE(close(nan, 1.0f));
  EXPECT_FALSE(close(1.0f, nan));
  EXPECT_TRUE(close(inf, inf));
  EXPECT_FALSE(close(inf, -inf));
  EXPECT_FALSE(close(1e30f, inf));
}

TEST(Compare, ErrorsAndFirstMismatch) {
  HostTensor a = f32({4}, {1.0f, 2.0f, 3.5f, 0.0f});
  HostTensor e = f32({4}, {1.0f, 2.2f, 3.0f, 0.0f});
  llvm::Expected<CompareResult> r = compareTensors(a, e);
  ASSERT_TRUE(!!r);
  EXPECT_FALSE(r->allClose());
  EXPECT_EQ(r->numMismatches, 2);
  EXPECT_EQ(r->firstMismatchIndex, 1);
  EXPECT_NEAR(r->maxAbsError, 0.5, 1e-6);
  EXPECT_NEAR(r->maxRelError, 0.5 / 3.0, 1e-6);
  // A zero expected value contributes to the absolute error only.
  HostTensor z = f32({1}, {0.0f}), y = f32({1}, {1.0f});
  r = compareTensors(y, z);
  ASSERT_TRUE(!!r);
  EXPECT_EQ(r->maxAbsError, 1.0);
  EXPECT_EQ(r->maxRelError, 0.0);
}

TEST(Compare, IntegersAndBoolsAreExact) {
  CompareOptions loose{/*rtol=*/0.5, /*atol=*/10};
  HostTensor a = makeTensor<int64_t>(DSRT_I64, {2}, {INT64_MAX, 5});
  HostTensor b = makeTensor<int64_t>(DSRT_I64, {2}, {INT64_MAX - 1, 5});
  EXPECT_FALSE(compareTensors(a, b, loose)->allClose());
  EXPECT_TRUE(compareTensors(a, a, loose)->allClose());
  HostTensor t = makeTensor<uint8_t>(DSRT_BOOL, {2}, {1, 0});
  HostTensor f = makeTensor<uint8_t>(DSRT_BOOL, {2}, {1, 1});
  llvm::Expected<CompareResult> r = compareTensors(t, f, loose);
  ASSERT_TRUE(!!r);
  EXPECT_EQ(r->numMismatches, 1);
  EXPECT_EQ(r->maxAbsError, 1.0);
}

TEST(Compare, HalfPrecision) {
  // float16 1.0 vs 1.0009765625 (next representable): within rtol=1e-3.
  HostTensor a = makeTensor<uint16_t>(DSRT_F16, {1}, {0x3c00});
  HostTensor b = makeTensor<uint16_t>(DSRT_F16, {1}, {0x3c01});
  llvm::Expected<CompareResult> r = compareTensors(a, b);
  ASSERT_TRUE(!!r);
  EXPECT_TRUE(r->allClose());
  EXPECT_NEAR(r->maxAbsError, 0.0009765625, 1e-12);
}

TEST(Compare, MismatchedTypesAreErrors) {
  HostTensor a = f32({2}, {1, 2});
  HostTensor b = f32({1, 2}, {1, 2});
  std::string e = errorOf(compareTensors(a, b));
  EXPECT_NE(e.find("expected float32[1, 2], found float32[2]"),
            std::string::npos)
      << e;
  HostTensor c = makeTensor<double>(DSRT_F64, {2}, {1, 2});
  EXPECT_NE(errorOf(compareTensors(a, c)).find("float64"), std::string::npos);
}

} // namespace
