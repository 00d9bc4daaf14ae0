// RUN: ds-opt %s --split-input-file --ds-gpu-quantized-matmul | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-gpu-quantized-matmul=report-skipped=true -verify-diagnostics -o /dev/null

// int8 activations with per-token scales, int8 per-channel weights and a
// bias: the rows are collapsed, every operand is read through a read-only
// buffer, and the result is a fresh buffer, re-expanded.
// CHECK-LABEL: func.func private @ds_gpu_qmatmul(memref<6x64xi8>, memref<6xf32>, memref<32x64xi8>, memref<32x1xf32>, memref<32xf32>, memref<6x32xf32>) attributes {ds.gpu_qmatmul = {bits = 8 : i64}}
// CHECK-LABEL: func.func @int8(
// CHECK: %[[W:.+]], %[[WS:.+]] = dsq.weight
// CHECK: %[[X:.+]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x3x64xi8> into tensor<6x64xi8>
// CHECK: %[[XB:.+]] = bufferization.to_buffer %[[X]] read_only
// CHECK: %[[XS:.+]] = tensor.collapse_shape %arg1 {{\[}}[0, 1, 2]] : tensor<2x3x1xf32> into tensor<6xf32>
// CHECK: %[[XSB:.+]] = bufferization.to_buffer %[[XS]] read_only
// CHECK: %[[WB:.+]] = bufferization.to_buffer %[[W]] read_only
// CHECK: %[[WSB:.+]] = bufferization.to_buffer %[[WS]] read_only
// CHECK: %[[BB:.+]] = bufferization.to_buffer %{{.+}} read_only : tensor<32xf32>
// CHECK: %[[OUT:.+]] = memref.alloc() : memref<6x32xf32>
// CHECK: call @ds_gpu_qmatmul(%[[XB]], %[[XSB]], %[[WB]], %[[WSB]], %[[BB]], %[[OUT]])
// CHECK: %[[T:.+]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<6x32xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[T]] {{\[}}[0, 1], [2]]
// CHECK: return %[[R]]
// CHECK-NOT: dsq.qmatmul
func.func @int8(%x: tensor<2x3x64xi8>, %xs: tensor<2x3x1xf32>) -> tensor<2x3x32xf32> {
  %w, %ws = dsq.weight {bits = 8 : i64, group_size = 64 : i64,
      values = dense<3> : tensor<32x64xi8>, scales = dense<0.5> : tensor<32x1xf32>}
      : tensor<32x64xi8>, tensor<32x1xf32>
  %b = arith.constant dense<1.0> : tensor<32xf32>
  %y = dsq.qmatmul %x scale %xs, %w scale %ws bias %b {bits = 8 : i64}
      : (tensor<2x3x64xi8>, tensor<2x3x1xf32>, tensor<32x64xi8>, tensor<32x1xf32>, tensor<32xf32>) -> tensor<2x3x32xf32>
  return %y : tensor<2x3x32xf32>
}

// -----

// int4 weights in groups of 32 (packed [N, K/2]), a per-tensor activation
// scale (rank 0), no bias.
// CHECK-LABEL: func.func private @ds_gpu_qmatmul(memref<4x64xi8>, memref<f32>, memref<16x32xi8>, memref<16x2xf32>, memref<4x16xf32>) attributes {ds.gpu_qmatmul = {bits = 4 : i64}}
// CHECK-LABEL: func.func @int4(
// CHECK-NOT: tensor.collapse_shape
// CHECK: call @ds_gpu_qmatmul(
// CHECK-NOT: tensor.expand_shape
func.func @int4(%x: tensor<4x64xi8>, %xs: tensor<f32>) -> tensor<4x16xf32> {
  %w, %ws = dsq.weight {bits = 4 : i64, group_size = 32 : i64,
      values = dense<17> : tensor<16x32xi8>, scales = dense<0.25> : tensor<16x2xf32>}
      : tensor<16x32xi8>, tensor<16x2xf32>
  %y = dsq.qmatmul %x scale %xs, %w scale %ws {bits = 4 : i64}
      : (tensor<4x64xi8>, tensor<f32>, tensor<16x32xi8>, tensor<16x2xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Run-time quantization per token: [2, 3, 64] as 6 rows, scales [6]
// expanded back to [2, 3, 1].
// CHECK-LABEL: func.func private @ds_gpu_quantize(memref<6x64xf32>, memref<6x64xi8>, memref<6xf32>) attributes {ds.gpu_quantize = {bits = 8 : i64}}
// CHECK-LABEL: func.func @per_token(
// CHECK: %[[X:.+]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x3x64xf32> into tensor<6x64xf32>
// CHECK: %[[Q:.+]] = memref.alloc() : memref<6x64xi8>
// CHECK: %[[S:.+]] = memref.alloc() : memref<6xf32>
// CHECK: %[[XB:.+]] = bufferization.to_buffer %[[X]] read_only
// CHECK: call @ds_gpu_quantize(%[[XB]], %[[Q]], %[[S]])
// CHECK: %[[QT:.+]] = bufferization.to_tensor %[[Q]] restrict writable
// CHECK: %[[ST:.+]] = bufferization.to_tensor %[[S]] restrict writable
// CHECK: %[[QE:.+]] = tensor.expand_shape %[[QT]] {{\[}}[0, 1], [2]] output_shape [2, 3, 64]
// CHECK: %[[SE:.+]] = tensor.expand_shape %[[ST]] {{\[}}[0, 1, 2]] output_shape [2, 3, 1]
// CHECK: return %[[QE]], %[[SE]]
func.func @per_token(%x: tensor<2x3x64xf32>) -> (tensor<2x3x64xi8>, tensor<2x3x1xf32>) {
  %q, %s = dsq.dynamic_quantize %x {bits = 8 : i64, granularity = 1 : i32}
      : tensor<2x3x64xf32> -> tensor<2x3x64xi8>, tensor<2x3x1xf32>
  return %q, %s : tensor<2x3x64xi8>, tensor<2x3x1xf32>
}

// -----

// Per tensor: one row of every element, a rank-0 scale.
// CHECK-LABEL: func.func private @ds_gpu_quantize(memref<1x256xf32>, memref<1x256xi8>, memref<1xf32>) attributes {ds.gpu_quantize = {bits = 4 : i64}}
// CHECK-LABEL: func.func @per_tensor(
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1]] : tensor<4x64xf32> into tensor<256xf32>
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [1, 256] : tensor<256xf32> into tensor<1x256xf32>
// CHECK: call @ds_gpu_quantize(
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<1x256xi8> into tensor<256xi8>
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [4, 64] : tensor<256xi8> into tensor<4x64xi8>
// CHECK: tensor.collapse_shape %{{.+}} [] : tensor<1xf32> into tensor<f32>
func.func @per_tensor(%x: tensor<4x64xf32>) -> (tensor<4x64xi8>, tensor<f32>) {
  %q, %s = dsq.dynamic_quantize %x {bits = 4 : i64, granularity = 0 : i32}
      : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<f32>
  return %q, %s : tensor<4x64xi8>, tensor<f32>
}

// -----

// What stays on the portable lowering, with the reason.
// CHECK-LABEL: func.func @skipped(
// CHECK-NOT: call @ds_gpu
// CHECK-COUNT-3: dsq.qmatmul
// CHECK: dsq.dynamic_quantize
func.func @skipped(%f: tensor<4x64xf32>, %x: tensor<4x48xi8>, %x64: tensor<4x64xi8>,
                   %xs: tensor<4x1xf32>, %d: tensor<?x64xf32>)
    -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x12xf32>, tensor<?x64xi8>) {
  %w, %ws = dsq.weight {bits = 8 : i64, group_size = 64 : i64,
      values = dense<3> : tensor<16x64xi8>, scales = dense<0.5> : tensor<16x1xf32>}
      : tensor<16x64xi8>, tensor<16x1xf32>
  // expected-remark @below {{dsq.qmatmul left to the portable lowering: float activations (weight-only quantization)}}
  %a = dsq.qmatmul %f, %w scale %ws {bits = 8 : i64}
      : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  %w48, %ws48 = dsq.weight {bits = 8 : i64, group_size = 48 : i64,
      values = dense<3> : tensor<16x48xi8>, scales = dense<0.5> : tensor<16x1xf32>}
      : tensor<16x48xi8>, tensor<16x1xf32>
  // expected-remark @below {{dsq.qmatmul left to the portable lowering: K (48) or its weight group (48) is not a multiple of 32}}
  %b = dsq.qmatmul %x scale %xs, %w48 scale %ws48 {bits = 8 : i64}
      : (tensor<4x48xi8>, tensor<4x1xf32>, tensor<16x48xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  %w12, %ws12 = dsq.weight {bits = 8 : i64, group_size = 64 : i64,
      values = dense<3> : tensor<12x64xi8>, scales = dense<0.5> : tensor<12x1xf32>}
      : tensor<12x64xi8>, tensor<12x1xf32>
  // expected-remark @below {{dsq.qmatmul left to the portable lowering: N (12) is not a multiple of 8}}
  %c = dsq.qmatmul %x64 scale %xs, %w12 scale %ws12 {bits = 8 : i64}
      : (tensor<4x64xi8>, tensor<4x1xf32>, tensor<12x64xi8>, tensor<12x1xf32>) -> tensor<4x12xf32>
  // expected-remark @below {{dsq.dynamic_quantize left to the portable lowering: dynamic shape}}
  %q, %s = dsq.dynamic_quantize %d {bits = 8 : i64, granularity = 1 : i32}
      : tensor<?x64xf32> -> tensor<?x64xi8>, tensor<?x1xf32>
  return %a, %b, %c, %q : tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x12xf32>, tensor<?x64xi8>
}
