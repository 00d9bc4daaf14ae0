//===- Dynamic.h - Lowering of dsg ops with run-time shapes -----*- C++ -*-===//
#ifndef DS_PASSES_CONVERSION_GRAPHTOLINALG_DYNAMIC_H
#define DS_PASSES_CONVERSION_GRAPHTOLINALG_DYNAMIC_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::ds::graph_to_linalg {
/// dsg.shape, dsg.fill, dsg.range_to, dsg.nonzero and dsg.slice_to.
void populateDynamicShapePatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);
} // namespace mlir::ds::graph_to_linalg

#endif // DS_PASSES_CONVERSION_GRAPHTOLINALG_DYNAMIC_H
