// RUN: ds-opt %s --split-input-file --ds-decompose-qconv | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-lower-quantized=vnni=off | FileCheck %s --check-prefix=PORTABLE
// RUN: ds-opt %s --split-input-file --ds-decompose-qconv --ds-cpu-use-quantized-kernels | FileCheck %s --check-prefix=KERNEL

// dsq.qconv → zero padding, an i8 patch matrix (row (n, oh, ow), column
// (c, kh, kw)), one dsq.qmatmul, and a transpose back to [N, F, OH, OW].
// CHECK-DAG: #[[PATCH:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d1 * 2 + d4, d2 * 2 + d5 * 2)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func @conv
// CHECK: %[[B:.*]] = dsg.constant
// CHECK: %[[W:.*]], %[[S:.*]] = dsq.weight
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i8
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0, 1, 0] high[0, 0, 0, 1]
// CHECK: tensor.yield %[[ZERO]] : i8
// CHECK: } : tensor<?x4x9x9xi8> to tensor<?x4x10x10xi8>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4x3x4x3x3xi8>
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[PATCH]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[PAD]] : tensor<?x4x10x10xi8>) outs(%[[E]] : tensor<?x4x3x4x3x3xi8>)
// CHECK: %[[L:.*]] = tensor.collapse_shape %[[P]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<?x4x3x4x3x3xi8> into tensor<?x36xi8>
// CHECK: %[[M:.*]] = dsq.qmatmul %[[L]] scale %arg1, %[[W]] scale %[[S]] bias %[[B]] {bits = 8 : i64} : (tensor<?x36xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>, tensor<8xf32>) -> tensor<?x8xf32>
// CHECK: %[[X:.*]] = tensor.expand_shape %[[M]] {{\[\[}}0, 1, 2], [3]] output_shape [%[[N]], 4, 3, 8]
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<?x4x3x8xf32>) outs(%{{.*}} : tensor<?x8x4x3xf32>) permutation = [0, 3, 1, 2]
// CHECK: return %[[T]]
// PORTABLE-LABEL: func @conv
// PORTABLE-NOT: dsq.
// PORTABLE: return
// KERNEL-LABEL: func @conv
// KERNEL: call @dsrt_kernel_qgemm_s8
// KERNEL-NOT: dsq.qmatmul
func.func @conv(%x: tensor<?x4x9x9xi8>, %xs: tensor<f32>) -> tensor<?x8x4x3xf32> {
  %b = dsg.constant dense<1.0> : tensor<8xf32>
  %w, %ws = dsq.weight {bits = 8 : i64, group_size = 36 : i64,
      values = dense<1> : tensor<8x36xi8>, scales = dense<0.5> : tensor<8x1xf32>}
      : tensor<8x36xi8>, tensor<8x1xf32>
  %a = dsq.qconv %x scale %xs, %w scale %ws bias %b {bits = 8 : i64,
      kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
      pads = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 2>}
      : (tensor<?x4x9x9xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>, tensor<8xf32>) -> tensor<?x8x4x3xf32>
  return %a : tensor<?x8x4x3xf32>
}

// -----

// Two groups, float activations (weight-only): group g reads channels
// [2g, 2g + 2) and produces output channels [3g, 3g + 3), from row slices
// of the weights, scales and bias.
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d1 + d4, d2 + d5)>
// CHECK-LABEL: func @grouped
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0, 0, 1] high[0, 0, 0, 1]
// CHECK: %[[X0:.*]] = tensor.extract_slice %[[PAD]][0, 0, 0, 0] [1, 2, 4, 7] [1, 1, 1, 1] : tensor<1x4x4x7xf32> to tensor<1x2x4x7xf32>
// CHECK: linalg.generic {indexing_maps = [#[[G]], {{.*}} ins(%[[X0]] :
// CHECK: tensor.collapse_shape {{.*}} into tensor<12x16xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [3, 8] [1, 1] : tensor<6x8xi8> to tensor<3x8xi8>
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [3, 1] [1, 1] : tensor<6x1xf32> to tensor<3x1xf32>
// CHECK: tensor.extract_slice %{{.*}}[0] [3] [1] : tensor<6xf32> to tensor<3xf32>
// CHECK: %[[P0:.*]] = dsq.qmatmul %{{.*}}, %{{.*}} scale %{{.*}} bias %{{.*}} {bits = 4 : i64} : (tensor<12x16xf32>, tensor<3x8xi8>, tensor<3x1xf32>, tensor<3xf32>) -> tensor<12x3xf32>
// CHECK: %[[X1:.*]] = tensor.extract_slice %[[PAD]][0, 2, 0, 0] [1, 2, 4, 7] [1, 1, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[G]], {{.*}} ins(%[[X1]] :
// CHECK: tensor.extract_slice %{{.*}}[3, 0] [3, 8] [1, 1]
// CHECK: %[[P1:.*]] = dsq.qmatmul
// CHECK: %[[A0:.*]] = tensor.insert_slice %[[P0]] into %{{.*}}[0, 0] [12, 3] [1, 1] : tensor<12x3xf32> into tensor<12x6xf32>
// CHECK: %[[A1:.*]] = tensor.insert_slice %[[P1]] into %[[A0]][0, 3] [12, 3] [1, 1]
// CHECK: tensor.expand_shape %[[A1]]
// CHECK: linalg.transpose
// PORTABLE-LABEL: func @grouped
// PORTABLE-NOT: dsq.
// PORTABLE: return
// The kernel takes whole dsq.weight operands, not slices: the portable
// lowering computes grouped products.
// KERNEL-LABEL: func @grouped
// KERNEL-NOT: call @dsrt_kernel_qgemm_s8
// KERNEL: dsq.qmatmul
// KERNEL: dsq.qmatmul
func.func @grouped(%x: tensor<1x4x4x5xf32>, %b: tensor<6xf32>) -> tensor<1x6x3x4xf32> {
  %w, %ws = dsq.weight {bits = 4 : i64, group_size = 16 : i64,
      values = dense<17> : tensor<6x8xi8>, scales = dense<0.25> : tensor<6x1xf32>}
      : tensor<6x8xi8>, tensor<6x1xf32>
  %a = dsq.qconv %x, %w scale %ws bias %b {bits = 4 : i64, group = 2 : i64,
      kernel_shape = array<i64: 2, 4>, strides = array<i64: 1, 1>,
      pads = array<i64: 0, 1, 0, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x4x4x5xf32>, tensor<6x8xi8>, tensor<6x1xf32>, tensor<6xf32>) -> tensor<1x6x3x4xf32>
  return %a : tensor<1x6x3x4xf32>
}

// -----

// One image: the int8 GEMM writes [1, F, OH, OW] directly (C strides 1 and
// OH * OW), so neither the expand_shape nor the transpose is left.
// KERNEL-LABEL: func @one_image
// KERNEL: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x8x3x3xf32>
// KERNEL: %[[C1:.*]] = arith.constant 1 : index
// KERNEL: %[[C9:.*]] = arith.constant 9 : index
// KERNEL: call @dsrt_kernel_qgemm_s8({{.*}}, %[[C1]], %[[C9]], %{{.*}}) :
// KERNEL-NOT: linalg.transpose
// KERNEL: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<1x8x3x3xf32> to tensor<1x8x3x3xf32>
// KERNEL: return %[[R]]
func.func @one_image(%x: tensor<1x4x3x3xi8>, %xs: tensor<f32>) -> tensor<1x8x3x3xf32> {
  %w, %ws = dsq.weight {bits = 8 : i64, group_size = 36 : i64,
      values = dense<1> : tensor<8x36xi8>, scales = dense<0.5> : tensor<8x1xf32>}
      : tensor<8x36xi8>, tensor<8x1xf32>
  %a = dsq.qconv %x scale %xs, %w scale %ws {bits = 8 : i64,
      kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
      pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x4x3x3xi8>, tensor<f32>, tensor<8x36xi8>, tensor<8x1xf32>) -> tensor<1x8x3x3xf32>
  return %a : tensor<1x8x3x3xf32>
}
