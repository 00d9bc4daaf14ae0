//===- CollectiveOps.h - the dsc dialect ------------------------*- C++ -*-===//
#ifndef DS_DIALECTS_COLLECTIVE_COLLECTIVEOPS_H
#define DS_DIALECTS_COLLECTIVE_COLLECTIVEOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Shard/IR/ShardDialect.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "Collective/CollectiveOpsDialect.h.inc"
#include "Collective/CollectiveOpsEnums.h.inc"

namespace mlir::ds::coll {

/// The resource every collective reads and writes: it orders collectives
/// with respect to each other so that every rank issues the same sequence.
struct CommunicatorResource
    : public SideEffects::Resource::Base<CommunicatorResource> {
  StringRef getName() final { return "dsc::communicator"; }
};

/// The number of ranks in a group over `axes` of a grid of shape `shape`
/// (ShapedType::kDynamic if one of those axes has a dynamic size).
int64_t groupSize(ArrayRef<int64_t> shape, ArrayRef<int16_t> axes);

} // namespace mlir::ds::coll

#define GET_OP_CLASSES
#include "Collective/CollectiveOps.h.inc"

#endif // DS_DIALECTS_COLLECTIVE_COLLECTIVEOPS_H
