//===- GraphDialect.cpp - the dsg dialect ---------------------------------===//
#include "Graph/GraphOps.h"
#include "Graph/GraphOpsDynamic.h"

using namespace mlir;
using namespace mlir::ds::graph;

#include "Graph/GraphOpsDialect.cpp.inc"

void DSGDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "Graph/GraphOps.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "Graph/GraphOpsDynamic.cpp.inc"
      >();
}

Operation *DSGDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
