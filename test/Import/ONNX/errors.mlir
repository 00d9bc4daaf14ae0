// Every diagnostic names the file, and the node with its op type and opset.

// RUN: not ds-translate --import-onnx %S/Inputs/truncated.onnx 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// TRUNCATED: truncated.onnx:0:0: error: not a valid ONNX model: the protobuf cannot be parsed

// RUN: not ds-translate --import-onnx %S/Inputs/not_a_protobuf.onnx 2>&1 | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: not_a_protobuf.onnx:0:0: error: not a valid ONNX model

// RUN: not ds-translate --import-onnx %S/Inputs/no_such_model.onnx 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: error: cannot read '{{.*}}no_such_model.onnx'

// RUN: not ds-translate --import-onnx %S/Inputs/unknown_op.onnx 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: unknown_op.onnx:0:0: error: unsupported op 'Foo' (domain '', opset 13) at node 'foo_node'

// RUN: not ds-translate --import-onnx %S/Inputs/old_opset.onnx 2>&1 | FileCheck %s --check-prefix=OPSET
// OPSET: old_opset.onnx:0:0: error: unsupported op 'Add' (domain '', opset 5) at node 'old_add'; ds handles it from opset 6

// RUN: not ds-translate --import-onnx %S/Inputs/string_dtype.onnx 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: string_dtype.onnx:0:0: error: graph input 'x' has unsupported element type STRING

// RUN: not ds-translate --import-onnx %S/Inputs/bad_attribute.onnx 2>&1 | FileCheck %s --check-prefix=ATTR
// ATTR: bad_attribute.onnx:0:0: error: node 'bad_perm' (Transpose, opset 13): expected perm to be a permutation of [0, 2), found [0, 0]

// RUN: not ds-translate --import-onnx %S/Inputs/dangling_input.onnx 2>&1 | FileCheck %s --check-prefix=DANGLING
// DANGLING: dangling_input.onnx:0:0: error: node 'dangling' (Relu, opset 13) uses 'nowhere', which no earlier node, graph input or initializer defines

// RUN: not ds-translate --import-onnx %S/Inputs/float_mod.onnx 2>&1 | FileCheck %s --check-prefix=FMOD
// FMOD: float_mod.onnx:0:0: error: node 'float_mod' (Mod, opset 13): floating-point Mod requires fmod = 1

// RUN: not ds-translate --import-onnx %S/Inputs/int_floor.onnx 2>&1 | FileCheck %s --check-prefix=INTFLOOR
// INTFLOOR: int_floor.onnx:0:0: error: node 'int_floor' (Floor, opset 13): unsupported element type 'i32'

// ReduceL2 takes a square root: ds imports it for float inputs only.
// RUN: not ds-translate --import-onnx %S/Inputs/reduce_l2_int.onnx 2>&1 | FileCheck %s --check-prefix=L2INT
// L2INT: reduce_l2_int.onnx:0:0: error: node 'l2' (ReduceL2, opset 13): ds imports it for floating-point inputs only, found 'tensor<2x3xi32>'
