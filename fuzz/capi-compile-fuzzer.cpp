//===- capi-compile-fuzzer.cpp - libFuzzer target for ds_compile_onnx -----===//
//
// Input: a serialized onnx.ModelProto, handed to the C API's compile entry
// point (include/ds-c/ds.h) exactly as an embedding framework would: import,
// dsg→linalg, the CPU pipeline, LLVM code generation and the link into an
// artifact. -O0 keeps LLVM's share of each run small. The API promises a
// status and, on failure, an error with at least one diagnostic; both are
// checked.
//
//===----------------------------------------------------------------------===//
#include "FuzzerSupport.h"

#include "ds-c/ds.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

static void check(bool ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "capi-compile-fuzzer: %s\n", what);
    abort();
  }
}

static ds_options *options;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  ds_fuzz::disableMLIRThreading();
  check(ds_options_create(&options) == DS_OK, "ds_options_create failed");
  check(ds_options_set_opt_level(options, 0) == DS_OK, "set_opt_level failed");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // One compiler (one MLIR context) per input, as the API suggests for
  // independent work; nothing uniqued by one model survives into the next.
  ds_compiler *compiler = nullptr;
  check(ds_compiler_create(&compiler) == DS_OK, "ds_compiler_create failed");
  ds_artifact *artifact = nullptr;
  ds_error *error = nullptr;
  ds_status status = ds_compile_onnx(compiler, data, size, "fuzz.onnx",
                                     options, &artifact, &error);
  if (status == DS_OK) {
    check(artifact && !error, "DS_OK without an artifact");
    check(ds_artifact_size(artifact) > 0 && ds_artifact_data(artifact),
          "empty artifact");
  } else {
    check(!artifact && error, "a failure without an error");
    check(ds_error_status(error) == status, "error status differs");
    check(ds_error_num_diagnostics(error) > 0, "a failure with no diagnostic");
    check(ds_error_message(error)[0] != '\0', "an empty error message");
    for (size_t i = 0; i < ds_error_num_diagnostics(error); ++i) {
      (void)ds_error_diagnostic_location(error, i);
      (void)ds_error_diagnostic_message(error, i);
    }
  }
  ds_artifact_destroy(artifact);
  ds_error_destroy(error);
  ds_compiler_destroy(compiler);
  return 0;
}
