//===- FuzzerSupport.h - Shared setup of the ds libFuzzer targets -*- C++ -*-===//
//
// What every target needs before its first input: MLIR's multithreading off
// (a fuzzer runs one input at a time, and a thread pool per context costs
// more than the work), set through MLIR's own command-line option so that it
// also reaches the contexts libdscompiler creates internally.
//
//===----------------------------------------------------------------------===//
#ifndef DS_FUZZ_FUZZERSUPPORT_H
#define DS_FUZZ_FUZZERSUPPORT_H

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"

namespace ds_fuzz {

inline void disableMLIRThreading() {
  mlir::registerMLIRContextCLOptions();
  const char *argv[] = {"ds-fuzzer", "--mlir-disable-threading"};
  llvm::cl::ParseCommandLineOptions(2, argv, "ds fuzzer\n");
}

} // namespace ds_fuzz

#endif // DS_FUZZ_FUZZERSUPPORT_H
