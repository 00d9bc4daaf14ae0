// RUN: ds-opt %s --split-input-file --ds-lower-quantized="vnni=off" | FileCheck %s

// Per-row absmax, scale = absmax / 127, then round-to-even and clamp.
// CHECK-LABEL: func @dynamic_quantize
// CHECK: %[[ABSMAX:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: %[[SCALE:.*]] = linalg.generic
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.divf
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%arg0, %[[ABSMAX]] : tensor<4x64xf32>, tensor<4x1xf32>)
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK: return %[[Q]], %[[SCALE]]
func.func @dynamic_quantize(%x: tensor<4x64xf32>) -> (tensor<4x64xi8>, tensor<4x1xf32>) {
  %q, %s = dsq.dynamic_quantize %x {bits = 8 : i64, granularity = 1 : i32}
      : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4x1xf32>
  return %q, %s : tensor<4x64xi8>, tensor<4x1xf32>
}

// -----

// 4-bit, per tensor: every dimension reduces into a rank-0 scale, qmax 7.
// CHECK-LABEL: func @dynamic_quantize_int4
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "reduction"]
// CHECK: arith.constant 7.000000e+00 : f32
func.func @dynamic_quantize_int4(%x: tensor<4x64xf32>) -> (tensor<4x64xi8>, tensor<f32>) {
  %q, %s = dsq.dynamic_quantize %x {bits = 4 : i64, granularity = 0 : i32}
      : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<f32>
  return %q, %s : tensor<4x64xi8>, tensor<f32>
}

// -----

// Packed 4-bit weights: byte k / 2, the nibble chosen by k's parity,
// sign-extended by shifts; the group-32 scale at k / 32.
// CHECK-DAG: #[[PACKED:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-DAG: #[[GROUP:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32)>
// CHECK-LABEL: func @dequantize_packed
// CHECK: linalg.generic {indexing_maps = [#[[PACKED]], #[[GROUP]], #{{.*}}]
// CHECK: linalg.index 1
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.andi
// CHECK: arith.select
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @dequantize_packed(%w: tensor<8x32xi8>, %s: tensor<8x2xf32>) -> tensor<8x64xf32> {
  %f = dsq.dequantize %w, %s {bits = 4 : i64, packed} : tensor<8x32xi8>, tensor<8x2xf32> -> tensor<8x64xf32>
  return %f : tensor<8x64xf32>
}

// -----

// Quantized activations: i32 sums per group, then one float rescale that
// adds the groups into the bias-initialized result.
// CHECK-LABEL: func @qmatmul_int8
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%arg4 : tensor<8xf32>)
// CHECK: %[[ACC:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<5x8x1xi32>)
// CHECK: arith.extsi
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[ACC]], %arg3, %arg1 : tensor<5x8x1xi32>, tensor<8x1xf32>, tensor<5x1xf32>)
// CHECK-SAME: outs(%[[INIT]] : tensor<5x8xf32>)
// CHECK: arith.sitofp
func.func @qmatmul_int8(%x: tensor<5x64xi8>, %xs: tensor<5x1xf32>, %w: tensor<8x64xi8>, %s: tensor<8x1xf32>, %b: tensor<8xf32>) -> tensor<5x8xf32> {
  %y = dsq.qmatmul %x scale %xs, %w scale %s bias %b {bits = 8 : i64}
      : (tensor<5x64xi8>, tensor<5x1xf32>, tensor<8x64xi8>, tensor<8x1xf32>, tensor<8xf32>) -> tensor<5x8xf32>
  return %y : tensor<5x8xf32>
}

// -----

// Weight-only 4-bit: one float contraction that unpacks and dequantizes
// the weights as it reads them.
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2) -> (d1, d2 floordiv 2)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1, d2) -> (d1, d2 floordiv 32)>
// CHECK-LABEL: func @qmatmul_weight_only
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[W]], #[[S]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.shrsi
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: dsq.
func.func @qmatmul_weight_only(%x: tensor<5x64xf32>, %w: tensor<8x32xi8>, %s: tensor<8x2xf32>) -> tensor<5x8xf32> {
  %y = dsq.qmatmul %x, %w scale %s {bits = 4 : i64}
      : (tensor<5x64xf32>, tensor<8x32xi8>, tensor<8x2xf32>) -> tensor<5x8xf32>
  return %y : tensor<5x8xf32>
}

// -----

// dsq.weight becomes two constants.
// CHECK-LABEL: func @weight
// CHECK: arith.constant dense<1> : tensor<2x8xi8>
// CHECK: arith.constant dense<5.000000e-01> : tensor<2x1xf32>
func.func @weight() -> (tensor<2x8xi8>, tensor<2x1xf32>) {
  %w, %s = dsq.weight {bits = 8 : i64, group_size = 8 : i64,
      values = dense<1> : tensor<2x8xi8>, scales = dense<0.5> : tensor<2x1xf32>}
      : tensor<2x8xi8>, tensor<2x1xf32>
  return %w, %s : tensor<2x8xi8>, tensor<2x1xf32>
}
