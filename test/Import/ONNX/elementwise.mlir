// RUN: ds-translate --import-onnx %S/Inputs/elementwise.onnx | FileCheck %s

// Binary ops keep ONNX broadcasting; Pow keeps its integer exponent; Cast and
// Where take their types from the model.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[A:.*]]: tensor<2x3xf32> {ds.name = "a"}, %[[B:.*]]: tensor<3xf32> {ds.name = "b"}, %[[C:.*]]: tensor<2x1xi1> {ds.name = "c"})
// CHECK-SAME:    -> (tensor<2x3xf16> {ds.name = "half"}, tensor<2x3xf32> {ds.name = "y"})
// CHECK:       %[[ADD:.*]] = dsg.add %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK:       %[[SUB:.*]] = dsg.sub %[[ADD]], %[[B]]
// CHECK:       %[[MUL:.*]] = dsg.mul %[[SUB]], %[[A]]
// CHECK:       %[[DIV:.*]] = dsg.div %[[MUL]], %[[B]]
// CHECK:       %[[E:.*]] = dsg.constant dense<2> : tensor<1xi32>
// CHECK:       %[[POW:.*]] = dsg.pow %[[DIV]], %[[E]] : (tensor<2x3xf32>, tensor<1xi32>) -> tensor<2x3xf32>
// CHECK:       %[[SQRT:.*]] = dsg.sqrt %[[POW]] : tensor<2x3xf32>
// CHECK:       %[[RELU:.*]] = dsg.relu %[[SQRT]]
// CHECK:       %[[SIG:.*]] = dsg.sigmoid %[[RELU]]
// CHECK:       %[[TANH:.*]] = dsg.tanh %[[SIG]]
// CHECK:       %[[ERF:.*]] = dsg.erf %[[TANH]]
// CHECK:       %[[EXP:.*]] = dsg.exp %[[ERF]]
// CHECK:       %[[HALF:.*]] = dsg.cast %[[EXP]] : tensor<2x3xf32> -> tensor<2x3xf16>
// CHECK:       %[[Y:.*]] = dsg.where %[[C]], %[[A]], %[[EXP]] : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK:       return %[[HALF]], %[[Y]]
