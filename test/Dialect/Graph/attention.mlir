// RUN: ds-opt %s | ds-opt | FileCheck %s

// CHECK-LABEL: func @mha
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.250000e-01 : f32}
func.func @mha(%q: tensor<2x4x16x64xf32>, %k: tensor<2x4x16x64xf32>, %v: tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32> {
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32} : (tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return %0 : tensor<2x4x16x64xf32>
}

// Grouped-query (8 query heads, 2 kv heads), causal with Lq != Lk, a value
// head dim that differs from the query's.
// CHECK-LABEL: func @gqa_causal
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}} {causal = true, scale = 5.000000e-01 : f32}
func.func @gqa_causal(%q: tensor<1x8x4x16xf16>, %k: tensor<1x2x32x16xf16>, %v: tensor<1x2x32x8xf16>) -> tensor<1x8x4x8xf16> {
  %0 = dsg.attention %q, %k, %v {scale = 0.5 : f32, causal = true} : (tensor<1x8x4x16xf16>, tensor<1x2x32x16xf16>, tensor<1x2x32x8xf16>) -> tensor<1x8x4x8xf16>
  return %0 : tensor<1x8x4x8xf16>
}

// Multi-query, boolean padding mask broadcast over heads and queries.
// CHECK-LABEL: func @mqa_bool_mask
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.000000e+00 : f32} : (tensor<2x4x16x8xbf16>, tensor<2x1x16x8xbf16>, tensor<2x1x16x8xbf16>, tensor<2x1x1x16xi1>)
func.func @mqa_bool_mask(%q: tensor<2x4x16x8xbf16>, %k: tensor<2x1x16x8xbf16>, %v: tensor<2x1x16x8xbf16>, %m: tensor<2x1x1x16xi1>) -> tensor<2x4x16x8xbf16> {
  %0 = dsg.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<2x4x16x8xbf16>, tensor<2x1x16x8xbf16>, tensor<2x1x16x8xbf16>, tensor<2x1x1x16xi1>) -> tensor<2x4x16x8xbf16>
  return %0 : tensor<2x4x16x8xbf16>
}

// Additive 2-D mask and dynamic sizes.
// CHECK-LABEL: func @additive_dynamic
// CHECK: dsg.attention {{.*}} : (tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x?xf32>) -> tensor<?x4x?x64xf32>
func.func @additive_dynamic(%q: tensor<?x4x?x64xf32>, %k: tensor<?x4x?x64xf32>, %v: tensor<?x4x?x64xf32>, %m: tensor<?x?xf32>) -> tensor<?x4x?x64xf32> {
  %0 = dsg.attention %q, %k, %v, %m {scale = 0.125 : f32} : (tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x?xf32>) -> tensor<?x4x?x64xf32>
  return %0 : tensor<?x4x?x64xf32>
}
