// RUN: ds-opt %s --split-input-file --ds-cpu-use-quantized-kernels | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-cpu-use-quantized-kernels --canonicalize | FileCheck %s --check-prefix=FOLD
// RUN: ds-opt %s --split-input-file --ds-cpu-use-quantized-kernels --ds-lower-quantized=vnni=off --ds-cpu-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// int8 activations with per-token scales, weights of one dsq.weight and a
// constant bias: one call of the int8 GEMM over the collapsed rows, reading
// each operand through a read-only buffer, writing a new buffer that
// becomes the (re-expanded) result. The weights stay a dsq.weight for
// ds-lower-quantized to turn into constants.
// CHECK-LABEL: func.func private @dsrt_kernel_qgemm_s8(index, index, index, !llvm.ptr, index, index, !llvm.ptr, index, !llvm.ptr, index, index, index, !llvm.ptr, !llvm.ptr, !llvm.ptr, index, index, index)
// CHECK-LABEL: func.func @int8(
// CHECK: %[[W:.+]], %[[WS:.+]] = dsq.weight
// CHECK: %[[X:.+]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x3x64xi8> into tensor<6x64xi8>
// CHECK: %[[XS:.+]] = tensor.collapse_shape %arg1 {{\[}}[0, 1], [2]] : tensor<2x3x1xf32> into tensor<6x1xf32>
// CHECK: %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<6x20xf32>
// CHECK: bufferization.to_buffer %[[X]] read_only
// CHECK: bufferization.to_buffer %[[XS]] read_only
// CHECK: bufferization.to_buffer %[[W]] read_only
// CHECK: bufferization.to_buffer %[[WS]] read_only
// CHECK: bufferization.to_buffer %{{.+}} read_only : tensor<20xf32>
// CHECK: call @dsrt_kernel_qgemm_s8(
// CHECK: %[[T:.+]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<6x20xf32>
// CHECK: tensor.expand_shape %[[T]] {{\[}}[0, 1], [2]]
// CHECK-NOT: dsq.qmatmul
// (M, N, K, A, its strides, scale, stride, W, stride, bits, group, scales,
// bias, C, strides, flags = constant weights)
// FOLD-LABEL: func.func @int8(
// FOLD-DAG: %[[C6:.+]] = arith.constant 6 : index
// FOLD-DAG: %[[C20:.+]] = arith.constant 20 : index
// FOLD-DAG: %[[C64:.+]] = arith.constant 64 : index
// FOLD-DAG: %[[C8:.+]] = arith.constant 8 : index
// FOLD-DAG: %[[C2:.+]] = arith.constant 2 : index
// FOLD-DAG: %[[C1:.+]] = arith.constant 1 : index
// (The strides of read buffers are known only after bufferization.)
// FOLD: call @dsrt_kernel_qgemm_s8(%[[C6]], %[[C20]], %[[C64]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[C8]], %[[C64]], %{{.+}}, %{{.+}}, %{{.+}}, %[[C20]], %[[C1]], %[[C2]])
// LLVM-LABEL: llvm.func @int8(
// LLVM: llvm.call @dsrt_kernel_qgemm_s8(
// LLVM-NOT: dsq.
func.func @int8(%x: tensor<2x3x64xi8>, %xs: tensor<2x3x1xf32>) -> tensor<2x3x20xf32> {
  %w, %s = dsq.weight {bits = 8 : i64, group_size = 64 : i64,
      values = dense<3> : tensor<20x64xi8>, scales = dense<0.5> : tensor<20x1xf32>}
      : tensor<20x64xi8>, tensor<20x1xf32>
  %b = arith.constant dense<1.0> : tensor<20xf32>
  %y = dsq.qmatmul %x scale %xs, %w scale %s bias %b {bits = 8 : i64}
      : (tensor<2x3x64xi8>, tensor<2x3x1xf32>, tensor<20x64xi8>, tensor<20x1xf32>, tensor<20xf32>) -> tensor<2x3x20xf32>
  return %y : tensor<2x3x20xf32>
}

// -----

// int4 weights in groups of 32 (the kernel gets bits 4, group 32 and the
// packed [N, K/2] bytes), one scale for all rows (stride 0), no bias (null).
// CHECK-LABEL: func.func @int4_per_tensor(
// CHECK: llvm.mlir.zero : !llvm.ptr
// CHECK: call @dsrt_kernel_qgemm_s8(
// FOLD-LABEL: func.func @int4_per_tensor(
// FOLD-DAG: %[[C0:.+]] = arith.constant 0 : index
// FOLD-DAG: %[[C4:.+]] = arith.constant 4 : index
// FOLD-DAG: %[[C32:.+]] = arith.constant 32 : index
// FOLD-DAG: %[[C64:.+]] = arith.constant 64 : index
// FOLD-DAG: %[[C8:.+]] = arith.constant 8 : index
// FOLD-DAG: %[[C16:.+]] = arith.constant 16 : index
// FOLD-DAG: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// FOLD: call @dsrt_kernel_qgemm_s8(%[[C8]], %[[C16]], %[[C64]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[C0]], %{{.+}}, %{{.+}}, %[[C4]], %[[C32]], %{{.+}}, %[[NULL]],
// LLVM-LABEL: llvm.func @int4_per_tensor(
// LLVM: llvm.call @dsrt_kernel_qgemm_s8(
func.func @int4_per_tensor(%x: tensor<8x64xi8>, %xs: tensor<f32>) -> tensor<8x16xf32> {
  %w, %s = dsq.weight {bits = 4 : i64, group_size = 32 : i64,
      values = dense<17> : tensor<16x32xi8>, scales = dense<0.5> : tensor<16x2xf32>}
      : tensor<16x32xi8>, tensor<16x2xf32>
  %y = dsq.qmatmul %x scale %xs, %w scale %s {bits = 4 : i64}
      : (tensor<8x64xi8>, tensor<f32>, tensor<16x32xi8>, tensor<16x2xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// Run-time quantization: per row over collapsed rows (the scale buffer is
// [M, 1]), per tensor into a rank-0 buffer, and a vector as one row; 8
// bits give qmax 127, 4 bits 7.
// CHECK-LABEL: func.func private @dsrt_kernel_quantize_s8(index, index, !llvm.ptr, index, index, !llvm.ptr, index, index, !llvm.ptr, index, index, index)
// CHECK-LABEL: func.func @quantize(
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x?x48xf32> into tensor<?x48xf32>
// CHECK: memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?x48xi8>
// CHECK: memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?x1xf32>
// CHECK: bufferization.to_buffer %{{.+}} read_only : tensor<?x48xf32> to memref<?x48xf32, strided<[?, ?], offset: ?>>
// CHECK: call @dsrt_kernel_quantize_s8(
// CHECK: tensor.expand_shape
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<f32>
// CHECK: call @dsrt_kernel_quantize_s8(
// CHECK: tensor.expand_shape %arg2 {{\[}}[0, 1]] output_shape [1, 5] : tensor<5xf32> into tensor<1x5xf32>
// CHECK: call @dsrt_kernel_quantize_s8(
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<1x5xi8> into tensor<5xi8>
// CHECK-NOT: dsq.dynamic_quantize
// FOLD-LABEL: func.func @quantize(
// FOLD-DAG: %[[C0:.+]] = arith.constant 0 : index
// FOLD-DAG: %[[C1:.+]] = arith.constant 1 : index
// FOLD-DAG: %[[C7:.+]] = arith.constant 7 : index
// FOLD-DAG: %[[C127:.+]] = arith.constant 127 : index
// FOLD: call @dsrt_kernel_quantize_s8(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[C1]], %[[C1]], %[[C127]])
// FOLD: call @dsrt_kernel_quantize_s8(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[C0]], %[[C0]], %[[C7]])
// LLVM-LABEL: llvm.func @quantize(
// LLVM-COUNT-3: llvm.call @dsrt_kernel_quantize_s8(
func.func @quantize(%x: tensor<2x?x48xf32>, %y: tensor<6x40xf32>, %v: tensor<5xf32>)
    -> (tensor<2x?x48xi8>, tensor<2x?x1xf32>, tensor<6x40xi8>, tensor<f32>, tensor<5xi8>, tensor<1xf32>) {
  %q, %s = dsq.dynamic_quantize %x {bits = 8 : i64, granularity = 1 : i32}
      : tensor<2x?x48xf32> -> tensor<2x?x48xi8>, tensor<2x?x1xf32>
  %q2, %s2 = dsq.dynamic_quantize %y {bits = 4 : i64, granularity = 0 : i32}
      : tensor<6x40xf32> -> tensor<6x40xi8>, tensor<f32>
  %q3, %s3 = dsq.dynamic_quantize %v {bits = 8 : i64, granularity = 1 : i32}
      : tensor<5xf32> -> tensor<5xi8>, tensor<1xf32>
  return %q, %s, %q2, %s2, %q3, %s3
      : tensor<2x?x48xi8>, tensor<2x?x1xf32>, tensor<6x40xi8>, tensor<f32>, tensor<5xi8>, tensor<1xf32>
}

// -----

// Left for ds-lower-quantized: weight-only products (float activations),
// weights that are not a dsq.weight, and a bias that is not a constant.
// CHECK-LABEL: func.func @not_kernels(
// CHECK-NOT: call @dsrt_kernel_qgemm_s8
// CHECK-COUNT-3: dsq.qmatmul
// CHECK-NOT: call @dsrt_kernel_qgemm_s8
func.func @not_kernels(%xf: tensor<4x64xf32>, %x: tensor<4x64xi8>, %xs: tensor<4x1xf32>,
                       %wa: tensor<16x64xi8>, %wsa: tensor<16x1xf32>, %b: tensor<16xf32>)
    -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) {
  %w, %s = dsq.weight {bits = 8 : i64, group_size = 64 : i64,
      values = dense<3> : tensor<16x64xi8>, scales = dense<0.5> : tensor<16x1xf32>}
      : tensor<16x64xi8>, tensor<16x1xf32>
  %y0 = dsq.qmatmul %xf, %w scale %s {bits = 8 : i64}
      : (tensor<4x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  %y1 = dsq.qmatmul %x scale %xs, %wa scale %wsa {bits = 8 : i64}
      : (tensor<4x64xi8>, tensor<4x1xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  %y2 = dsq.qmatmul %x scale %xs, %w scale %s bias %b {bits = 8 : i64}
      : (tensor<4x64xi8>, tensor<4x1xf32>, tensor<16x64xi8>, tensor<16x1xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %y0, %y1, %y2 : tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// A dynamic number of rows: the output buffer takes it from the lhs.
// CHECK-LABEL: func.func @dynamic_rows(
// CHECK: %[[M:.+]] = tensor.dim %arg0, %c0 : tensor<?x64xi8>
// CHECK: memref.alloc(%[[M]]) {alignment = 64 : i64} : memref<?x16xf32>
// CHECK: call @dsrt_kernel_qgemm_s8(%[[M]],
// CHECK: bufferization.to_tensor %{{.+}} restrict writable : memref<?x16xf32> to tensor<?x16xf32>
// LLVM-LABEL: llvm.func @dynamic_rows(
// LLVM: llvm.call @dsrt_kernel_qgemm_s8(
func.func @dynamic_rows(%x: tensor<?x64xi8>, %xs: tensor<?x1xf32>) -> tensor<?x16xf32> {
  %w, %s = dsq.weight {bits = 8 : i64, group_size = 64 : i64,
      values = dense<3> : tensor<16x64xi8>, scales = dense<0.5> : tensor<16x1xf32>}
      : tensor<16x64xi8>, tensor<16x1xf32>
  %y = dsq.qmatmul %x scale %xs, %w scale %s {bits = 8 : i64}
      : (tensor<?x64xi8>, tensor<?x1xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
