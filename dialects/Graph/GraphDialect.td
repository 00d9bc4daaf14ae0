//===- GraphDialect.td - the dsg dialect -------------------*- tablegen -*-===//
#ifndef DS_GRAPH_DIALECT
#define DS_GRAPH_DIALECT

include "mlir/IR/OpBase.td"

def DSG_Dialect : Dialect {
  let name = "dsg";
  let cppNamespace = "::mlir::ds::graph";
  let summary = "Tensor-level dataflow graph of an imported model";
  let description = [{
    `dsg` holds the tensor operations that ds imports from models (ONNX
    today). Its ops are value-semantic (they consume and produce ranked
    tensors, no side effects) and keep the source framework's semantics
    explicit in attributes: broadcasting, padding, strides, axes. Attribute
    values are normalized on import (axes are non-negative, defaults are
    filled in), so passes never re-derive framework defaults.

    Element types follow the model: signed integers are signless (`i32`),
    unsigned ones are `ui8`/`ui16`/`ui32`/`ui64`, booleans are `i1`. The
    conversion to linalg maps unsigned types to signless ones and chooses
    the unsigned arithmetic where it matters (division, comparison, casts).
  }];
  let hasConstantMaterializer = 1;
}

#endif // DS_GRAPH_DIALECT
