// RUN: ds-opt -canonicalize -split-input-file %s | FileCheck %s

// dsg.neg folds small integer and float constants (integers wrap).
// CHECK-LABEL: func.func @neg_int
// CHECK-DAG:     %[[I:.*]] = dsg.constant dense<[1, -2, -128]> : tensor<3xi8>
// CHECK-DAG:     %[[F:.*]] = dsg.constant dense<[-1.500000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK:         return %[[I]], %[[F]]
func.func @neg_int() -> (tensor<3xi8>, tensor<2xf32>) {
  %c = dsg.constant dense<[-1, 2, -128]> : tensor<3xi8>
  %n = dsg.neg %c : tensor<3xi8>
  %f = dsg.constant dense<[1.5, -0.0]> : tensor<2xf32>
  %m = dsg.neg %f : tensor<2xf32>
  return %n, %m : tensor<3xi8>, tensor<2xf32>
}

// -----

// Non-constant operands stay.
// CHECK-LABEL: func.func @neg_arg
// CHECK:         %[[N:.*]] = dsg.neg %arg0 : tensor<2xi64>
// CHECK:         return %[[N]]
func.func @neg_arg(%arg0: tensor<2xi64>) -> tensor<2xi64> {
  %n = dsg.neg %arg0 : tensor<2xi64>
  return %n : tensor<2xi64>
}
