//===- CollectiveDialect.cpp - the dsc dialect ----------------------------===//
#include "Collective/CollectiveOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ds::coll;

#include "Collective/CollectiveOpsDialect.cpp.inc"
#include "Collective/CollectiveOpsEnums.cpp.inc"

void DSCDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "Collective/CollectiveOps.cpp.inc"
      >();
}
