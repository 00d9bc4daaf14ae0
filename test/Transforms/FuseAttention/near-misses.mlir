// RUN: ds-opt %s --ds-fuse-attention -split-input-file | FileCheck %s
//
// Subgraphs that look like attention but mean something else: nothing
// fuses, the IR stays as it is.

// Softmax over the queries (axis 2), not the keys.
// CHECK-LABEL: func @softmax_axis
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax %{{.*}} {axis = 2 : i64}
func.func @softmax_axis(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s {axis = 2 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// The mask carries a batch dimension the scores lack: the add broadcasts
// [1, 2, 16, 16] to [3, 2, 16, 16], so this is not attention over Q's batch.
// CHECK-LABEL: func @mask_wrong_dims
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @mask_wrong_dims(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<3x2x16x8xf32>, %m: tensor<3x1x16x16xf32>) -> tensor<3x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %s2 = dsg.add %s, %m : (tensor<1x2x16x16xf32>, tensor<3x1x16x16xf32>) -> tensor<3x2x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<3x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<3x2x16x16xf32>, tensor<3x2x16x8xf32>) -> tensor<3x2x16x8xf32>
  return %o : tensor<3x2x16x8xf32>
}

// -----

// A "scale" that is a per-element tensor, not a scalar.
// CHECK-LABEL: func @tensor_scale
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @tensor_scale(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>, %w: tensor<16xf32>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %s1 = dsg.mul %s, %w : (tensor<1x2x16x16xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s1 {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// Scale applied after the softmax.
// CHECK-LABEL: func @scale_after_softmax
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @scale_after_softmax(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %c = dsg.constant dense<2.500000e-01> : tensor<f32>
  %p1 = dsg.mul %p, %c : (tensor<1x2x16x16xf32>, tensor<f32>) -> tensor<1x2x16x16xf32>
  %o = dsg.matmul %p1, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// Scaling after an additive mask scales the mask too.
// CHECK-LABEL: func @scale_after_mask
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @scale_after_mask(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>, %m: tensor<16x16xf32>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %s1 = dsg.add %s, %m : (tensor<1x2x16x16xf32>, tensor<16x16xf32>) -> tensor<1x2x16x16xf32>
  %c = dsg.constant dense<2.500000e-01> : tensor<f32>
  %s2 = dsg.mul %s1, %c : (tensor<1x2x16x16xf32>, tensor<f32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// A negative scale after where(-inf) would turn -inf into +inf.
// CHECK-LABEL: func @negative_scale_after_where
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @negative_scale_after_where(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>, %keep: tensor<16x16xi1>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %ninf = dsg.constant dense<0xFF800000> : tensor<f32>
  %s1 = dsg.where %keep, %s, %ninf : (tensor<16x16xi1>, tensor<1x2x16x16xf32>, tensor<f32>) -> tensor<1x2x16x16xf32>
  %c = dsg.constant dense<-1.0> : tensor<f32>
  %s2 = dsg.mul %s1, %c : (tensor<1x2x16x16xf32>, tensor<f32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// where with a finite fill value is not a mask (-inf is what removes a key).
// CHECK-LABEL: func @where_finite
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @where_finite(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>, %keep: tensor<16x16xi1>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %fill = dsg.constant dense<5.0> : tensor<f32>
  %s1 = dsg.where %keep, %s, %fill : (tensor<16x16xi1>, tensor<1x2x16x16xf32>, tensor<f32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s1 {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// Two masks (an additive one and a where) are not fused into one.
// CHECK-LABEL: func @two_masks
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @two_masks(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>, %keep: tensor<16x16xi1>, %m: tensor<16x16xf32>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %ninf = dsg.constant dense<0xFF800000> : tensor<f32>
  %s1 = dsg.where %keep, %s, %ninf : (tensor<16x16xi1>, tensor<1x2x16x16xf32>, tensor<f32>) -> tensor<1x2x16x16xf32>
  %s2 = dsg.add %s1, %m : (tensor<1x2x16x16xf32>, tensor<16x16xf32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// The attention weights are also returned: fusing would compute them twice.
// CHECK-LABEL: func @weights_used
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @weights_used(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>) -> (tensor<1x2x16x8xf32>, tensor<1x2x16x16xf32>) {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o, %p : tensor<1x2x16x8xf32>, tensor<1x2x16x16xf32>
}

// -----

// The scores are not a product of Q and K^T (an exp in between).
// CHECK-LABEL: func @not_a_product
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @not_a_product(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %e = dsg.exp %s : tensor<1x2x16x16xf32>
  %p = dsg.softmax %e {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// Q broadcast over K's batch ([2, 16, 8] x [3, 2, 8, 16]).
// CHECK-LABEL: func @broadcast_product
// CHECK-NOT: dsg.attention
// CHECK: dsg.softmax
func.func @broadcast_product(%q: tensor<2x16x8xf32>, %kt: tensor<3x2x8x16xf32>, %v: tensor<3x2x16x8xf32>) -> tensor<3x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<2x16x8xf32>, tensor<3x2x8x16xf32>) -> tensor<3x2x16x16xf32>
  %p = dsg.softmax %s {axis = 3 : i64} : tensor<3x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<3x2x16x16xf32>, tensor<3x2x16x8xf32>) -> tensor<3x2x16x8xf32>
  return %o : tensor<3x2x16x8xf32>
}
