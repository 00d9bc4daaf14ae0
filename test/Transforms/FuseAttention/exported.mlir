// RUN: ds-opt %s --ds-fuse-attention -split-input-file | FileCheck %s
//
// The attention blocks as the PyTorch 1.13 exporter writes them (opset 14,
// imported by ds-translate; see scripts/export_models.py).

// GPT-style: q @ k.transpose(-2, -1) * (1 / sqrt(d)), then
// masked_fill(tril == 0, -inf), which is the causal triangle. The key's
// head-split transpose (0, 2, 3, 1) folds into the key layout (0, 2, 1, 3).
// CHECK-LABEL: func @gpt
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x16x16xf32>, %[[KH:.*]]: tensor<2x16x4x16xf32>, %[[V:.*]]: tensor<2x4x16x16xf32>)
// CHECK: %[[K:.*]] = dsg.transpose %[[KH]] {permutation = array<i64: 0, 2, 1, 3>}
// CHECK: %[[O:.*]] = dsg.attention %[[Q]], %[[K]], %[[V]] {causal = true, scale = 2.500000e-01 : f32} : (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
// CHECK-NOT: dsg.softmax
// CHECK: return %[[O]]
func.func @gpt(%q: tensor<2x4x16x16xf32>, %kh: tensor<2x16x4x16xf32>, %v: tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32> {
  %tril0 = dsg.constant dense<"0xFEFFFCFFF8FFF0FFE0FFC0FF80FF00FF00FE00FC00F800F000E000C000800000"> : tensor<16x16xi1>
  %kt = dsg.transpose %kh {permutation = array<i64: 0, 2, 3, 1>} : tensor<2x16x4x16xf32> -> tensor<2x4x16x16xf32>
  %s = dsg.matmul %q, %kt : (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  %c = dsg.constant dense<2.500000e-01> : tensor<f32>
  %s1 = dsg.mul %s, %c : (tensor<2x4x16x16xf32>, tensor<f32>) -> tensor<2x4x16x16xf32>
  %ninf = dsg.constant dense<0xFF800000> : tensor<f32>
  %s2 = dsg.where %tril0, %ninf, %s1 : (tensor<16x16xi1>, tensor<f32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<2x4x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  return %o : tensor<2x4x16x16xf32>
}

// -----

// A boolean mask that is not the causal triangle stays a mask; where's
// -inf on the true side means "attend where the condition is false".
// CHECK-LABEL: func @where_padding
// CHECK: %[[N:.*]] = dsg.not %{{.*}} : tensor<2x1x1x16xi1>
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}}, %[[N]] {scale = 1.000000e+00 : f32}
// CHECK-NOT: dsg.softmax
func.func @where_padding(%q: tensor<2x4x16x8xf32>, %kt: tensor<2x4x8x16xf32>, %v: tensor<2x4x16x8xf32>, %pad: tensor<2x1x1x16xi1>) -> tensor<2x4x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<2x4x16x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x16x16xf32>
  %ninf = dsg.constant dense<0xFF800000> : tensor<f32>
  %s2 = dsg.where %pad, %ninf, %s : (tensor<2x1x1x16xi1>, tensor<f32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<2x4x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

// where(keep, s, -inf): the condition is the mask as it is. K^T that is not
// a transpose gets one.
// CHECK-LABEL: func @where_keep
// CHECK-SAME: %[[KT:[^:]*]]: tensor<2x4x8x16xf32>, %{{.*}}: tensor<2x4x16x8xf32>, %[[KEEP:.*]]: tensor<16x16xi1>
// CHECK: %[[K:.*]] = dsg.transpose %[[KT]] {permutation = array<i64: 0, 1, 3, 2>} : tensor<2x4x8x16xf32> -> tensor<2x4x16x8xf32>
// CHECK: dsg.attention %{{.*}}, %[[K]], %{{.*}}, %[[KEEP]] {scale = 5.000000e-01 : f32}
func.func @where_keep(%q: tensor<2x4x16x8xf32>, %kt: tensor<2x4x8x16xf32>, %v: tensor<2x4x16x8xf32>, %keep: tensor<16x16xi1>) -> tensor<2x4x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<2x4x16x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x16x16xf32>
  %c = dsg.constant dense<5.000000e-01> : tensor<f32>
  %s1 = dsg.mul %c, %s : (tensor<f32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  %ninf = dsg.constant dense<0xFF800000> : tensor<f32>
  %s2 = dsg.where %keep, %s1, %ninf : (tensor<16x16xi1>, tensor<2x4x16x16xf32>, tensor<f32>) -> tensor<2x4x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<2x4x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

// masked_fill(~keep, -inf): where(not(keep), -inf, s) attends where `keep`.
// CHECK-LABEL: func @where_not_keep
// CHECK-SAME: %[[KEEP:[^:]*]]: tensor<2x1x1x16xi1>
// CHECK-NOT: dsg.not
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}}, %[[KEEP]] {scale = 1.000000e+00 : f32}
func.func @where_not_keep(%q: tensor<2x4x16x8xf32>, %kt: tensor<2x4x8x16xf32>, %v: tensor<2x4x16x8xf32>, %keep: tensor<2x1x1x16xi1>) -> tensor<2x4x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<2x4x16x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x16x16xf32>
  %drop = dsg.not %keep : tensor<2x1x1x16xi1>
  %ninf = dsg.constant dense<0xFF800000> : tensor<f32>
  %s2 = dsg.where %drop, %ninf, %s : (tensor<2x1x1x16xi1>, tensor<f32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<2x4x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

// BERT / Hugging Face: / sqrt(d) + (1 - mask) * -10000 (additive, on the
// [B, 1, 1, L] padding mask). The key's head-split permutation folds away.
// CHECK-LABEL: func @bert
// CHECK-SAME: %[[KH:[^:]*]]: tensor<2x16x4x16xf32>
// CHECK: %[[K:.*]] = dsg.transpose %[[KH]] {permutation = array<i64: 0, 2, 1, 3>}
// CHECK: %[[O:.*]] = dsg.attention %{{.*}}, %[[K]], %{{.*}}, %[[EXT:.*]] {scale = 2.500000e-01 : f32} : (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x1x1x16xf32>)
// CHECK-NOT: dsg.softmax
// CHECK: return %[[O]]
func.func @bert(%q: tensor<2x4x16x16xf32>, %kh: tensor<2x16x4x16xf32>, %v: tensor<2x4x16x16xf32>, %mask: tensor<2x1x1x16xf32>) -> tensor<2x4x16x16xf32> {
  %one = dsg.constant dense<1.0> : tensor<f32>
  %inv = dsg.sub %one, %mask : (tensor<f32>, tensor<2x1x1x16xf32>) -> tensor<2x1x1x16xf32>
  %big = dsg.constant dense<-10000.0> : tensor<f32>
  %ext = dsg.mul %inv, %big : (tensor<2x1x1x16xf32>, tensor<f32>) -> tensor<2x1x1x16xf32>
  %kt = dsg.transpose %kh {permutation = array<i64: 0, 2, 3, 1>} : tensor<2x16x4x16xf32> -> tensor<2x4x16x16xf32>
  %s = dsg.matmul %q, %kt : (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  %c = dsg.constant dense<4.000000e+00> : tensor<f32>
  %s1 = dsg.div %s, %c : (tensor<2x4x16x16xf32>, tensor<f32>) -> tensor<2x4x16x16xf32>
  %s2 = dsg.add %s1, %ext : (tensor<2x4x16x16xf32>, tensor<2x1x1x16xf32>) -> tensor<2x4x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<2x4x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  return %o : tensor<2x4x16x16xf32>
}

// -----

// The mask on the left of the add.
// CHECK-LABEL: func @mask_lhs
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.000000e+00 : f32} : ({{.*}}, tensor<16x16xf32>)
func.func @mask_lhs(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>, %bias: tensor<16x16xf32>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %s2 = dsg.add %bias, %s : (tensor<16x16xf32>, tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// nn.MultiheadAttention / nn.TransformerEncoderLayer (torch 1.13): batched
// [B*H, L, D] products with q / sqrt(d) before the first one. They map onto
// [B*H, 1, L, D].
// CHECK-LABEL: func @mha_rank3
// CHECK-SAME: (%[[Q:.*]]: tensor<8x16x16xf32>, %[[KL:.*]]: tensor<16x8x16xf32>, %[[V:.*]]: tensor<8x16x16xf32>)
// CHECK-DAG: %[[Q4:.*]] = dsg.reshape %[[Q]] : (tensor<8x16x16xf32>) -> tensor<8x1x16x16xf32>
// CHECK-DAG: %[[K:.*]] = dsg.transpose %[[KL]] {permutation = array<i64: 1, 0, 2>} : tensor<16x8x16xf32> -> tensor<8x16x16xf32>
// CHECK-DAG: %[[K4:.*]] = dsg.reshape %[[K]] : (tensor<8x16x16xf32>) -> tensor<8x1x16x16xf32>
// CHECK-DAG: %[[V4:.*]] = dsg.reshape %[[V]] : (tensor<8x16x16xf32>) -> tensor<8x1x16x16xf32>
// CHECK: %[[O:.*]] = dsg.attention %[[Q4]], %[[K4]], %[[V4]] {scale = 2.500000e-01 : f32}
// CHECK: %[[O3:.*]] = dsg.reshape %[[O]] : (tensor<8x1x16x16xf32>) -> tensor<8x16x16xf32>
// CHECK-NOT: dsg.softmax
// CHECK: return %[[O3]]
func.func @mha_rank3(%q: tensor<8x16x16xf32>, %kl: tensor<16x8x16xf32>, %v: tensor<8x16x16xf32>) -> tensor<8x16x16xf32> {
  %c = dsg.constant dense<4.000000e+00> : tensor<f32>
  %qs = dsg.div %q, %c : (tensor<8x16x16xf32>, tensor<f32>) -> tensor<8x16x16xf32>
  %kt = dsg.transpose %kl {permutation = array<i64: 1, 2, 0>} : tensor<16x8x16xf32> -> tensor<8x16x16xf32>
  %s = dsg.matmul %qs, %kt : (tensor<8x16x16xf32>, tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %p = dsg.softmax %s {axis = 2 : i64} : tensor<8x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<8x16x16xf32>, tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  return %o : tensor<8x16x16xf32>
}

// -----

// torchvision ViT (17 tokens: 16 patches and the class token), same form.
// CHECK-LABEL: func @vit
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 2.500000e-01 : f32} : (tensor<8x1x17x16xf32>, tensor<8x1x17x16xf32>, tensor<8x1x17x16xf32>) -> tensor<8x1x17x16xf32>
// CHECK-NOT: dsg.softmax
func.func @vit(%q: tensor<8x17x16xf32>, %kl: tensor<17x8x16xf32>, %v: tensor<8x17x16xf32>) -> tensor<8x17x16xf32> {
  %c = dsg.constant dense<4.000000e+00> : tensor<f32>
  %qs = dsg.div %q, %c : (tensor<8x17x16xf32>, tensor<f32>) -> tensor<8x17x16xf32>
  %kt = dsg.transpose %kl {permutation = array<i64: 1, 2, 0>} : tensor<17x8x16xf32> -> tensor<8x16x17xf32>
  %s = dsg.matmul %qs, %kt : (tensor<8x17x16xf32>, tensor<8x16x17xf32>) -> tensor<8x17x17xf32>
  %p = dsg.softmax %s {axis = 2 : i64} : tensor<8x17x17xf32>
  %o = dsg.matmul %p, %v : (tensor<8x17x17xf32>, tensor<8x17x16xf32>) -> tensor<8x17x16xf32>
  return %o : tensor<8x17x16xf32>
}

// -----

// Scales on Q and on K^T before the product and on the scores multiply.
// CHECK-LABEL: func @scale_everywhere
// CHECK: dsg.attention %arg0, %{{.*}}, %arg2 {scale = 1.250000e-01 : f32}
func.func @scale_everywhere(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %half = dsg.constant dense<5.000000e-01> : tensor<1xf32>
  %qs = dsg.mul %q, %half : (tensor<1x2x16x8xf32>, tensor<1xf32>) -> tensor<1x2x16x8xf32>
  %ks = dsg.mul %half, %kt : (tensor<1xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  %s = dsg.matmul %qs, %ks : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %two = dsg.constant dense<2.000000e+00> : tensor<f32>
  %s1 = dsg.div %s, %two : (tensor<1x2x16x16xf32>, tensor<f32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s1 {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// No scale, no mask.
// CHECK-LABEL: func @plain
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.000000e+00 : f32}
// CHECK-NOT: dsg.softmax
func.func @plain(%q: tensor<1x2x16x8xf32>, %kt: tensor<1x2x8x16xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x16x16xf32>
  %p = dsg.softmax %s {axis = 3 : i64} : tensor<1x2x16x16xf32>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// 16-bit floats: f16 with a causal mask given as an additive constant
// (0 / -inf), bf16 with a scale.
// CHECK-LABEL: func @f16_additive_causal
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}} {causal = true, scale = 1.250000e-01 : f32} : (tensor<1x2x4x8xf16>
func.func @f16_additive_causal(%q: tensor<1x2x4x8xf16>, %kt: tensor<1x2x8x4xf16>, %v: tensor<1x2x4x8xf16>) -> tensor<1x2x4x8xf16> {
  %tri = dsg.constant dense<[[0.0, 0xFC00, 0xFC00, 0xFC00], [0.0, 0.0, 0xFC00, 0xFC00], [0.0, 0.0, 0.0, 0xFC00], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf16>
  %s = dsg.matmul %q, %kt : (tensor<1x2x4x8xf16>, tensor<1x2x8x4xf16>) -> tensor<1x2x4x4xf16>
  %c = dsg.constant dense<1.250000e-01> : tensor<f16>
  %s1 = dsg.mul %s, %c : (tensor<1x2x4x4xf16>, tensor<f16>) -> tensor<1x2x4x4xf16>
  %s2 = dsg.add %s1, %tri : (tensor<1x2x4x4xf16>, tensor<4x4xf16>) -> tensor<1x2x4x4xf16>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<1x2x4x4xf16>
  %o = dsg.matmul %p, %v : (tensor<1x2x4x4xf16>, tensor<1x2x4x8xf16>) -> tensor<1x2x4x8xf16>
  return %o : tensor<1x2x4x8xf16>
}

// CHECK-LABEL: func @bf16
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.250000e-01 : f32} : (tensor<1x2x16x8xbf16>
func.func @bf16(%q: tensor<1x2x16x8xbf16>, %kt: tensor<1x2x8x16xbf16>, %v: tensor<1x2x16x8xbf16>) -> tensor<1x2x16x8xbf16> {
  %s = dsg.matmul %q, %kt : (tensor<1x2x16x8xbf16>, tensor<1x2x8x16xbf16>) -> tensor<1x2x16x16xbf16>
  %c = dsg.constant dense<8.0> : tensor<bf16>
  %s1 = dsg.div %s, %c : (tensor<1x2x16x16xbf16>, tensor<bf16>) -> tensor<1x2x16x16xbf16>
  %p = dsg.softmax %s1 {axis = 3 : i64} : tensor<1x2x16x16xbf16>
  %o = dsg.matmul %p, %v : (tensor<1x2x16x16xbf16>, tensor<1x2x16x8xbf16>) -> tensor<1x2x16x8xbf16>
  return %o : tensor<1x2x16x8xbf16>
}

// -----

// Causal with more keys than queries (a cache): the triangle is aligned to
// the bottom-right corner, query i sees keys j <= i + 2.
// CHECK-LABEL: func @causal_offset
// CHECK: dsg.attention %{{.*}}, %{{.*}}, %{{.*}} {causal = true, scale = 1.000000e+00 : f32}
func.func @causal_offset(%q: tensor<1x1x2x8xf32>, %kt: tensor<1x1x8x4xf32>, %v: tensor<1x1x4x8xf32>) -> tensor<1x1x2x8xf32> {
  %keep = dsg.constant dense<[[true, true, true, false], [true, true, true, true]]> : tensor<2x4xi1>
  %s = dsg.matmul %q, %kt : (tensor<1x1x2x8xf32>, tensor<1x1x8x4xf32>) -> tensor<1x1x2x4xf32>
  %ninf = dsg.constant dense<0xFF800000> : tensor<f32>
  %s2 = dsg.where %keep, %s, %ninf : (tensor<2x4xi1>, tensor<1x1x2x4xf32>, tensor<f32>) -> tensor<1x1x2x4xf32>
  %p = dsg.softmax %s2 {axis = 3 : i64} : tensor<1x1x2x4xf32>
  %o = dsg.matmul %p, %v : (tensor<1x1x2x4xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x2x8xf32>
  return %o : tensor<1x1x2x8xf32>
}
