// RUN: ds-translate --import-onnx %S/Inputs/topk.onnx | FileCheck %s

// TopK by ranking: k (a run-time input) is the declared output size. Each
// element's rank counts the elements before it (smaller, or equal at a lower
// index), the index of rank r is summed out of a one-hot match, and the
// values are gathered there.
// CHECK: func.func @main(%[[X:.*]]: tensor<3x2xf32> {ds.name = "x"}, %{{.*}}: tensor<1xi64> {ds.name = "k"})
// CHECK: %[[XI:.*]] = dsg.reshape %[[X]] : (tensor<3x2xf32>) -> tensor<3x1x2xf32>
// CHECK: %[[XJ:.*]] = dsg.reshape %[[X]] : (tensor<3x2xf32>) -> tensor<1x3x2xf32>
// CHECK: %[[LT:.*]] = dsg.less %[[XJ]], %[[XI]] : (tensor<1x3x2xf32>, tensor<3x1x2xf32>) -> tensor<3x3x2xi1>
// CHECK: %[[LOWER:.*]] = dsg.constant dense<{{\[\[\[}}false], [false], [false]], {{\[\[}}true], [false], [false]], {{\[\[}}true], [true], [false]]]> : tensor<3x3x1xi1>
// CHECK: %[[EQ:.*]] = dsg.equal %[[XJ]], %[[XI]]
// CHECK: %[[TIE:.*]] = dsg.and %[[EQ]], %[[LOWER]]
// CHECK: %[[BEFORE:.*]] = dsg.or %[[LT]], %[[TIE]]
// CHECK: %[[B64:.*]] = dsg.cast %[[BEFORE]] : tensor<3x3x2xi1> -> tensor<3x3x2xi64>
// CHECK: dsg.reduce_sum %[[B64]] {axes = array<i64: 1>, keepdims = false} : tensor<3x3x2xi64> -> tensor<3x2xi64>
// CHECK: %[[IDX:.*]] = dsg.reduce_sum %{{.*}} {axes = array<i64: 0>, keepdims = false} : tensor<3x2x2xi64> -> tensor<2x2xi64>
// CHECK: %[[VAL:.*]] = dsg.gather_elements %[[X]], %[[IDX]] {axis = 0 : i64} : (tensor<3x2xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
// CHECK: return %[[VAL]], %[[IDX]]

// RUN: not ds-translate --import-onnx %S/Inputs/topk_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=DYN
// DYN: error: node 'dyn_topk' (TopK, opset 11): output 'v' needs a static shape, found 'tensor<3x?xf32>'
