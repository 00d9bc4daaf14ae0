//===- QuantDialect.cpp - the dsq dialect ---------------------------------===//
#include "Quant/QuantOps.h"

using namespace mlir;
using namespace mlir::ds::quant;

#include "Quant/QuantEnums.cpp.inc"
#include "Quant/QuantOpsDialect.cpp.inc"

void DSQDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "Quant/QuantOps.cpp.inc"
      >();
}
