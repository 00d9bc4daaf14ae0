//===- GraphOpsDynamic.h - dsg ops with run-time shapes ---------*- C++ -*-===//
//
// dsg.shape, dsg.fill, dsg.range_to and dsg.nonzero (GraphOpsDynamic.td),
// generated apart from the other dsg ops.
//
//===----------------------------------------------------------------------===//
#ifndef DS_DIALECTS_GRAPH_GRAPHOPSDYNAMIC_H
#define DS_DIALECTS_GRAPH_GRAPHOPSDYNAMIC_H

#include "Graph/GraphOps.h"

#define GET_OP_CLASSES
#include "Graph/GraphOpsDynamic.h.inc"

#endif // DS_DIALECTS_GRAPH_GRAPHOPSDYNAMIC_H
