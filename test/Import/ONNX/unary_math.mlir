// RUN: ds-translate --import-onnx %S/Inputs/unary_math.onnx | FileCheck %s

// Each unary ONNX op maps to its dsg op; activation parameters are always
// present, with ONNX's defaults where the model leaves them out.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf32> {ds.name = "x"})
// CHECK:       %[[NEG:.*]] = dsg.neg %[[X]] : tensor<2x3xf32>
// CHECK:       %[[ABS:.*]] = dsg.abs %[[NEG]]
// CHECK:       dsg.reciprocal %[[ABS]]
// CHECK-NEXT:  dsg.floor
// CHECK-NEXT:  dsg.ceil
// CHECK-NEXT:  dsg.round
// CHECK-NEXT:  dsg.log
// CHECK-NEXT:  dsg.sin
// CHECK-NEXT:  dsg.cos
// CHECK-NEXT:  dsg.tan
// CHECK-NEXT:  dsg.asin
// CHECK-NEXT:  dsg.acos
// CHECK-NEXT:  dsg.atan
// CHECK-NEXT:  dsg.sinh
// CHECK-NEXT:  dsg.cosh
// CHECK-NEXT:  dsg.asinh
// CHECK-NEXT:  dsg.acosh
// CHECK-NEXT:  dsg.atanh
// CHECK-NEXT:  dsg.sign
// CHECK-NEXT:  dsg.softplus
// CHECK-NEXT:  dsg.softsign
// CHECK-NEXT:  dsg.hard_swish
// CHECK-NEXT:  dsg.elu %{{.*}} {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
// CHECK-NEXT:  dsg.selu %{{.*}} {alpha = 2.000000e+00 : f32, gamma = 1.05070102 : f32}
// CHECK-NEXT:  dsg.leaky_relu %{{.*}} {alpha = 0.00999999977 : f32}
// CHECK-NEXT:  dsg.hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f32, beta = 2.500000e-01 : f32}
// CHECK-NEXT:  %[[Y:.*]] = dsg.thresholded_relu %{{.*}} {alpha = 1.000000e+00 : f32}
// CHECK-NEXT:  %[[INF:.*]] = dsg.is_inf %[[Y]] {detect_negative = false} : tensor<2x3xf32> -> tensor<2x3xi1>
// CHECK-NEXT:  %[[NAN:.*]] = dsg.is_nan %[[Y]] : tensor<2x3xf32> -> tensor<2x3xi1>
// CHECK-NEXT:  %[[NOT:.*]] = dsg.not %[[NAN]] : tensor<2x3xi1>
// CHECK-NEXT:  return %[[Y]], %[[INF]], %[[NOT]]
