// RUN: ds-translate --import-onnx %S/Inputs/unsqueeze_11.onnx | FileCheck %s
// RUN: ds-translate --import-onnx %S/Inputs/unsqueeze_13.onnx | FileCheck %s
// RUN: not ds-translate --import-onnx %S/Inputs/unsqueeze_runtime_axes.onnx 2>&1 | FileCheck %s --check-prefix=RUNTIME

// Axes come as an attribute at opset 11 and as a constant input at opset 13;
// both import to the same reshapes. With a dynamic batch the shape is a
// constant operand whose -1 stands for the unknown size.
// CHECK: func.func @main(%[[X:.*]]: tensor<?x3xf32> {ds.name = "x"}) -> (tensor<?x3x1xf32> {ds.name = "y"})
// CHECK:       %[[S1:.*]] = dsg.constant dense<[1, -1, 3, 1]> : tensor<4xi64>
// CHECK:       %[[U:.*]] = dsg.reshape %[[X]], %[[S1]] : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<1x?x3x1xf32>
// CHECK:       %[[S2:.*]] = dsg.constant dense<[-1, 3, 1]> : tensor<3xi64>
// CHECK:       %[[Y:.*]] = dsg.reshape %[[U]], %[[S2]] : (tensor<1x?x3x1xf32>, tensor<3xi64>) -> tensor<?x3x1xf32>
// CHECK:       return %[[Y]]

// Axes computed at run time need a known output shape (runtime_axes.mlir).
// RUNTIME: unsqueeze_runtime_axes.onnx:0:0: error: node 'unsqueeze' (Unsqueeze, opset 13): the axes input 'axes' is computed at run time and the shape of output 'y' is unknown; ds needs constant axes (initializer or Constant node) or a known output shape
