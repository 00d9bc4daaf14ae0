//===- tensor-reader-fuzzer.cpp - libFuzzer target for ds's tensor readers ===//
//
// Input: the bytes of a tensor file, as `ds-run --input`/`--expected` read
// them (lib/IO). Both readers see every input: .npy (parseNpy) and ONNX
// TensorProto (parseTensorProto). A tensor that parses is then used the way
// ds-run uses it: printed, read element by element, compared with itself,
// and written back and read again, which must give the same tensor.
//
//===----------------------------------------------------------------------===//
#include "ds/IO/TensorIO.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace mlir::ds;

static void check(bool ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "tensor-reader-fuzzer: %s\n", what);
    abort();
  }
}

static void exercise(HostTensor &tensor) {
  // Every failure of a reader is an llvm::Error; everything that parses is a
  // consistent tensor.
  int64_t n = 1;
  for (int64_t d : tensor.shape()) {
    check(d >= 0, "negative dimension");
    n *= d;
  }
  check(n == tensor.numElements(), "element count disagrees with the shape");
  check(tensor.sizeInBytes() ==
            static_cast<size_t>(n) * tensor.elementSize(),
        "byte size disagrees with the element count");
  (void)tensor.typeString();
  double sum = 0;
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    sum += elementAsDouble(tensor, i);
  (void)sum;
  (void)tensor.view();

  auto self = compareTensors(tensor, tensor);
  if (!self) {
    llvm::consumeError(self.takeError());
    abort();
  }

  auto bytes = serializeTensorProto(tensor);
  if (!bytes) {
    // Writing may refuse a dtype that ONNX cannot store; it must say so.
    llvm::consumeError(bytes.takeError());
    return;
  }
  auto again = parseTensorProto(*bytes, "roundtrip");
  if (!again) {
    llvm::consumeError(again.takeError());
    check(false, "a serialized tensor does not parse");
  }
  check(again->dtype() == tensor.dtype() &&
            again->shape() == tensor.shape() &&
            again->sizeInBytes() == tensor.sizeInBytes() &&
            (tensor.sizeInBytes() == 0 ||
             memcmp(again->data(), tensor.data(), tensor.sizeInBytes()) == 0),
        "the TensorProto round trip changed the tensor");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  if (auto npy = parseNpy(bytes, "fuzz.npy"))
    exercise(*npy);
  else
    llvm::consumeError(npy.takeError());
  if (auto pb = parseTensorProto(bytes, "fuzz.pb"))
    exercise(*pb);
  else
    llvm::consumeError(pb.takeError());
  return 0;
}
