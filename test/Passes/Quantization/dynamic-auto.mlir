// RUN: ds-opt %s --ds-quantize="activations=dynamic-auto" | FileCheck %s
// RUN: ds-opt %s --ds-quantize="activations=dynamic-auto int4-max-ratio=2.5" | FileCheck %s --check-prefix=RATIO
// RUN: ds-opt %s --ds-quantize="activations=dynamic-auto" --ds-lower-quantized=vnni=off | FileCheck %s --check-prefix=LOWERED

// activations=dynamic-auto: the statistic max_rows(absmax^2 - r^2 mean(x^2))
// decides at run time between a 4-bit and an 8-bit quantization of the
// activation; both products are compiled.
// CHECK-LABEL: func @main
// CHECK: %[[ABS:.*]] = dsg.abs %arg0
// CHECK: %[[SQ:.*]] = dsg.mul %arg0, %arg0
// CHECK: %[[MAX:.*]] = dsg.reduce_max %[[ABS]] {axes = array<i64: 2>
// CHECK: %[[MS:.*]] = dsg.reduce_mean %[[SQ]] {axes = array<i64: 2>
// CHECK: %[[R2:.*]] = dsg.constant dense<9.000000e+00> : tensor<f32>
// CHECK: %[[ALLOWED:.*]] = dsg.mul %[[MS]], %[[R2]]
// CHECK: %[[PEAK:.*]] = dsg.mul %[[MAX]], %[[MAX]]
// CHECK: %[[EXCESS:.*]] = dsg.sub %[[PEAK]], %[[ALLOWED]]
// CHECK: %[[WORST:.*]] = dsg.reduce_max %[[EXCESS]] {axes = array<i64: 0, 1, 2>, keepdims = false} : tensor<2x3x1xf32> -> tensor<f32>
// CHECK: %[[V:.*]] = tensor.extract %[[WORST]][]
// CHECK: %[[C:.*]] = arith.cmpf ole, %[[V]], %{{.*}} : f32
// CHECK: %[[R:.*]] = scf.if %[[C]] -> (tensor<2x3x4xf32>) {
// CHECK:   dsq.dynamic_quantize %arg0 {bits = 4 : i64, granularity = 1 : i32}
// CHECK:   %[[Y4:.*]] = dsq.qmatmul
// CHECK:   scf.yield %[[Y4]]
// CHECK: } else {
// CHECK:   dsq.dynamic_quantize %arg0 {bits = 8 : i64, granularity = 1 : i32}
// CHECK:   %[[Y8:.*]] = dsq.qmatmul
// CHECK:   scf.yield %[[Y8]]
// CHECK: }
// CHECK: return %[[R]]

// RATIO: dsg.constant dense<6.250000e+00> : tensor<f32>

// The lowering keeps both paths under the scf.if.
// LOWERED: scf.if
// LOWERED: linalg.generic
// LOWERED: } else {
// LOWERED: linalg.generic
// LOWERED-NOT: dsq.
func.func @main(%x: tensor<2x3x64xf32>) -> tensor<2x3x4xf32> {
  %w = dsg.constant dense<0.5> : tensor<64x4xf32>
  %b = dsg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = dsg.matmul %x, %w : (tensor<2x3x64xf32>, tensor<64x4xf32>) -> tensor<2x3x4xf32>
  %z = dsg.add %y, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %z : tensor<2x3x4xf32>
}
