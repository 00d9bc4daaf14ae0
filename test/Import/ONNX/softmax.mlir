// RUN: ds-translate --import-onnx %S/Inputs/softmax_11.onnx | FileCheck %s --check-prefix=V11
// RUN: ds-translate --import-onnx %S/Inputs/softmax_13.onnx | FileCheck %s --check-prefix=V13

// The same node (axis = 1) means different things before and from opset 13.
// Softmax-11 normalizes over the input flattened to 2-D at the axis:
// V11: func.func @main(%[[X:.*]]: tensor<2x3x4xf32>
// V11:       %[[FLAT:.*]] = dsg.reshape %[[X]] : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// V11:       %[[SM:.*]] = dsg.softmax %[[FLAT]] {axis = 1 : i64} : tensor<2x12xf32>
// V11:       %[[Y:.*]] = dsg.reshape %[[SM]] : (tensor<2x12xf32>) -> tensor<2x3x4xf32>
// V11:       return %[[Y]]

// Softmax-13 normalizes along the one axis:
// V13: func.func @main(%[[X:.*]]: tensor<2x3x4xf32>
// V13-NOT:   dsg.reshape
// V13:       %[[Y:.*]] = dsg.softmax %[[X]] {axis = 1 : i64} : tensor<2x3x4xf32>
// V13:       return %[[Y]]
