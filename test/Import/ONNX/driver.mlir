// The model may come from stdin; -o writes the module only on success.
// RUN: ds-translate --import-onnx - < %S/Inputs/softmax_13.onnx | FileCheck %s
// RUN: rm -f %t.mlir
// RUN: ds-translate --import-onnx %S/Inputs/softmax_13.onnx -o %t.mlir
// RUN: FileCheck %s < %t.mlir
// RUN: rm -f %t.bad.mlir
// RUN: not ds-translate --import-onnx %S/Inputs/unknown_op.onnx -o %t.bad.mlir
// RUN: not test -e %t.bad.mlir
// Exit codes: 3 for unsupported models, 1 for invalid ones.
// RUN: sh -c 'ds-translate --import-onnx %S/Inputs/unknown_op.onnx 2>/dev/null; test $? -eq 3'
// RUN: sh -c 'ds-translate --import-onnx %S/Inputs/truncated.onnx 2>/dev/null; test $? -eq 1'
// Backend-test style: a runtime input bound to a constant becomes static.
// RUN: ds-translate --import-onnx %S/Inputs/tensor.onnx --onnx-const-input=s=%S/Inputs/shape_6x4.pb | FileCheck %s --check-prefix=BOUND

// CHECK: dsg.softmax %arg0 {axis = 1 : i64} : tensor<2x3x4xf32>

// BOUND-LABEL: func.func @main(%arg0: tensor<2x3x4xf32> {ds.name = "x"}) ->
// BOUND:       dsg.reshape %arg0 : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
