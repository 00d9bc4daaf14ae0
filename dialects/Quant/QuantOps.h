//===- QuantOps.h - the dsq dialect -----------------------------*- C++ -*-===//
#ifndef DS_DIALECTS_QUANT_QUANTOPS_H
#define DS_DIALECTS_QUANT_QUANTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "Quant/QuantEnums.h.inc"
#include "Quant/QuantOpsDialect.h.inc"

namespace mlir::ds::quant {

/// The largest magnitude a symmetric `bits`-bit value takes (127 or 7).
inline int64_t getQMax(int64_t bits) { return (int64_t(1) << (bits - 1)) - 1; }

/// Checks the dialect's scale rule for a quantized tensor of (unpacked)
/// shape `shape`: `scale` is rank 0, or has the same rank and leading sizes
/// and a last size that divides K. `what` names the operands in messages.
LogicalResult verifyScaleShape(Operation *op, ArrayRef<int64_t> shape,
                               RankedTensorType scale, StringRef what);

} // namespace mlir::ds::quant

#define GET_OP_CLASSES
#include "Quant/QuantOps.h.inc"

#endif // DS_DIALECTS_QUANT_QUANTOPS_H
