//===- InitAll.h - register ds dialects and passes --------------*- C++ -*-===//
#ifndef DS_INITALL_H
#define DS_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::ds {

/// Adds the ds dialects (dsg, ...) to `registry`.
void registerAllDialects(DialectRegistry &registry);

/// Registers every ds pass and named pipeline with the global registry, so
/// that `ds-opt` and textual pipelines can name them.
void registerAllPasses();

} // namespace mlir::ds

#endif // DS_INITALL_H
