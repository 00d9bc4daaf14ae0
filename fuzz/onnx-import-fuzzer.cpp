//===- onnx-import-fuzzer.cpp - libFuzzer target for the ONNX importer ----===//
//
// Input: a serialized onnx.ModelProto. Runs what `ds-translate --import-onnx`
// runs (parse, ONNX shape inference with data propagation, import into dsg,
// verification), then verifies and prints the module again. Any outcome is
// fine except a crash, a sanitizer report, a leak or a hang; an import that
// fails must have said why.
//
//===----------------------------------------------------------------------===//
#include "FuzzerSupport.h"

#include "ds/Import/ONNX.h"
#include "ds/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace mlir;

static DialectRegistry &getRegistry() {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry;
    r->insert<func::FuncDialect>();
    ds::registerAllDialects(*r);
    return r;
  }();
  return *registry;
}

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  ds_fuzz::disableMLIRThreading();
  getRegistry();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context per input: nothing an input uniques (attributes, types,
  // resource blobs) survives into the next one.
  MLIRContext context(getRegistry(), MLIRContext::Threading::DISABLED);
  unsigned numErrors = 0;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      ++numErrors;
    return success();
  });

  OwningOpRef<ModuleOp> module;
  ds::ImportResult result = ds::importONNXBytes(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz.onnx", /*baseDir=*/"", &context, module);
  if (result != ds::ImportResult::Success) {
    // Failing is fine; failing silently is a bug (users get no message).
    if (numErrors == 0) {
      fprintf(stderr, "import failed without an error diagnostic\n");
      abort();
    }
    return 0;
  }
  if (!module || failed(verify(*module))) {
    fprintf(stderr, "import succeeded but the module does not verify\n");
    abort();
  }
  // The printers of the ds ops run on whatever the importer built.
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return 0;
}
