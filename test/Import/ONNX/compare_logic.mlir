// RUN: ds-translate --import-onnx %S/Inputs/compare_logic.onnx | FileCheck %s

// Variadic Max/Sum fold pairwise with broadcasting, a single-input Min is the
// input itself, Mean divides the sum by the input count; comparisons and
// logical ops produce i1; Mod keeps fmod; BitShift picks the direction.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[A:[^:]*]]: tensor<2x3xf32> {ds.name = "a"}, %[[B:[^:]*]]: tensor<3xf32> {ds.name = "b"}, %[[C:[^:]*]]: tensor<2x1xf32> {ds.name = "c"},
// CHECK-SAME:    %[[U:[^:]*]]: tensor<3xui8> {ds.name = "u"}, %[[V:[^:]*]]: tensor<3xui8> {ds.name = "v"}, %[[I:[^:]*]]: tensor<2x3xi32> {ds.name = "i"}, %[[J:[^:]*]]: tensor<3xi32> {ds.name = "j"})
// CHECK:       %[[M0:.*]] = dsg.max %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK:       %[[MAX:.*]] = dsg.max %[[M0]], %[[C]] : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
// CHECK:       %[[S0:.*]] = dsg.add %[[MAX]], %[[B]]
// CHECK:       %[[TWO:.*]] = dsg.constant dense<2.000000e+00> : tensor<f32>
// CHECK:       %[[MEAN:.*]] = dsg.div %[[S0]], %[[TWO]] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// CHECK:       %[[S1:.*]] = dsg.add %[[MEAN]], %[[A]]
// CHECK:       %[[SUM:.*]] = dsg.add %[[S1]], %[[C]]
// CHECK:       %[[GT:.*]] = dsg.greater %[[SUM]], %[[A]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
// CHECK:       %[[LE:.*]] = dsg.less_equal %[[U]], %[[V]] : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xi1>
// CHECK:       %[[AND:.*]] = dsg.and %[[GT]], %[[LE]] : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
// CHECK:       %[[XOR:.*]] = dsg.xor %[[AND]], %[[GT]]
// CHECK:       %[[MOD:.*]] = dsg.mod %[[I]], %[[J]] : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
// CHECK:       %[[FMOD:.*]] = dsg.mod %[[SUM]], %[[A]] {fmod = true}
// CHECK:       %[[EQ:.*]] = dsg.equal %[[MOD]], %[[J]] : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi1>
// CHECK:       %[[SHL:.*]] = dsg.shift_left %[[U]], %[[V]] : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
// CHECK:       return %[[XOR]], %[[FMOD]], %[[EQ]], %[[SHL]]
