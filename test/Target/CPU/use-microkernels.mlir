// RUN: ds-opt %s --split-input-file --ds-cpu-use-microkernels | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-cpu-use-microkernels --canonicalize | FileCheck %s --check-prefix=FOLD

// fp32 contractions and the dsg convolution on buffers become calls of the
// runtime's kernels, with (batch, M, N, K) and each operand's pointer and
// strides in role order; everything else is left for the loop lowering.

// CHECK-LABEL: func.func private @dsrt_kernel_sgemm(index, index, index, index, !llvm.ptr, index, index, index, !llvm.ptr, index, index, index, !llvm.ptr, index, index, index, index)
// CHECK-LABEL: func.func @matmul(
// CHECK-DAG: %[[MA:.+]], %{{.+}}, %[[SA:.+]]:2, %[[TA:.+]]:2 = memref.extract_strided_metadata %arg0
// CHECK-DAG: %[[PA:.+]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK: llvm.inttoptr
// CHECK: %[[MC:.+]], %{{.+}}, %[[SC:.+]]:2, %[[TC:.+]]:2 = memref.extract_strided_metadata %arg2
// CHECK: call @dsrt_kernel_sgemm(%{{.+}}, %[[SC]]#0, %[[SC]]#1, %[[SA]]#1, %{{.+}}, %{{.+}}, %[[TA]]#0, %[[TA]]#1,
// CHECK-NOT: linalg.matmul
// FOLD-LABEL: func.func @matmul(
// FOLD-DAG: %[[C1:.+]] = arith.constant 1 : index
// FOLD-DAG: %[[C0:.+]] = arith.constant 0 : index
// FOLD-DAG: %[[C4:.+]] = arith.constant 4 : index
// FOLD-DAG: %[[C8:.+]] = arith.constant 8 : index
// FOLD-DAG: %[[C16:.+]] = arith.constant 16 : index
// FOLD: call @dsrt_kernel_sgemm(%[[C1]], %[[C4]], %[[C16]], %[[C8]], %{{.+}}, %[[C0]], %[[C8]], %[[C1]], %{{.+}}, %[[C0]], %[[C16]], %[[C1]], %{{.+}}, %[[C0]], %[[C16]], %[[C1]], %[[C0]])
func.func @matmul(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// Batch strides come first; a subview's offset goes into the pointer.
// FOLD-LABEL: func.func @batch_matmul(
// FOLD-DAG: %[[C2:.+]] = arith.constant 2 : index
// FOLD-DAG: %[[C3:.+]] = arith.constant 3 : index
// FOLD-DAG: %[[C5:.+]] = arith.constant 5 : index
// FOLD-DAG: %[[C7:.+]] = arith.constant 7 : index
// FOLD-DAG: %[[C15:.+]] = arith.constant 15 : index
// FOLD-DAG: %[[C35:.+]] = arith.constant 35 : index
// FOLD-DAG: %[[C21:.+]] = arith.constant 21 : index
// FOLD-DAG: %[[C1:.+]] = arith.constant 1 : index
// FOLD: call @dsrt_kernel_sgemm(%[[C2]], %[[C3]], %[[C7]], %[[C5]], %{{.+}}, %[[C15]], %[[C5]], %[[C1]], %{{.+}}, %[[C35]], %[[C7]], %[[C1]], %{{.+}}, %[[C21]], %[[C7]], %[[C1]], %{{.+}})
func.func @batch_matmul(%a: memref<2x3x5xf32>, %b: memref<2x5x7xf32>, %c: memref<2x3x7xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<2x3x5xf32>, memref<2x5x7xf32>) outs(%c : memref<2x3x7xf32>)
  return
}

// -----

// A generic contraction in the interchanged loop order (b, m, k, n) with B
// transposed ([batch, N, K]): B's K stride is 1 and its N stride K.
#a = affine_map<(b, m, k, n) -> (b, m, k)>
#bt = affine_map<(b, m, k, n) -> (b, n, k)>
#c = affine_map<(b, m, k, n) -> (b, m, n)>
// FOLD-LABEL: func.func @transposed(
// FOLD-DAG: %[[C1:.+]] = arith.constant 1 : index
// FOLD-DAG: %[[C2:.+]] = arith.constant 2 : index
// FOLD-DAG: %[[C3:.+]] = arith.constant 3 : index
// FOLD-DAG: %[[C5:.+]] = arith.constant 5 : index
// FOLD-DAG: %[[C6:.+]] = arith.constant 6 : index
// FOLD-DAG: %[[C15:.+]] = arith.constant 15 : index
// FOLD-DAG: %[[C18:.+]] = arith.constant 18 : index
// FOLD-DAG: %[[C30:.+]] = arith.constant 30 : index
// FOLD: call @dsrt_kernel_sgemm(%[[C2]], %[[C3]], %[[C6]], %[[C5]], %{{.+}}, %[[C15]], %[[C5]], %[[C1]], %{{.+}}, %[[C30]], %[[C1]], %[[C5]], %{{.+}}, %[[C18]], %[[C6]], %[[C1]], %{{.+}})
// FOLD-NOT: linalg.generic
func.func @transposed(%a: memref<2x3x5xf32>, %b: memref<2x6x5xf32>, %c: memref<2x3x6xf32>) {
  linalg.generic {indexing_maps = [#a, #bt, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<2x3x5xf32>, memref<2x6x5xf32>) outs(%c : memref<2x3x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %y, %x : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The dsg convolution after ds-cpu-interchange-loops: loops
// (n, g, f, oh, c, kh, kw, ow), stride 2 along H, dilation 2 along W.
// Sizes N, G, F, C, OH, OW, KH, KW, then strides/dilations, then pointer +
// five strides per operand.
#in = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, c, oh * 2 + kh, ow + kw * 2)>
#w = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, f, oh, ow)>
// CHECK-LABEL: func.func private @dsrt_kernel_conv2d_f32(index, index, index, index, index, index, index, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, index)
// FOLD-LABEL: func.func @conv(
// FOLD-DAG: %[[C1:.+]] = arith.constant 1 : index
// FOLD-DAG: %[[C2:.+]] = arith.constant 2 : index
// FOLD-DAG: %[[C3:.+]] = arith.constant 3 : index
// FOLD-DAG: %[[C4:.+]] = arith.constant 4 : index
// FOLD-DAG: %[[C5:.+]] = arith.constant 5 : index
// FOLD-DAG: %[[C6:.+]] = arith.constant 6 : index
// FOLD: call @dsrt_kernel_conv2d_f32(%[[C1]], %[[C1]], %[[C4]], %[[C3]], %[[C5]], %[[C6]], %[[C3]], %[[C2]], %[[C2]], %[[C1]], %[[C1]], %[[C2]],
// FOLD-NOT: linalg.generic
func.func @conv(%i: memref<1x1x3x13x8xf32>, %w: memref<1x4x3x3x2xf32>, %o: memref<1x1x4x5x6xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%i, %w : memref<1x1x3x13x8xf32>, memref<1x4x3x3x2xf32>) outs(%o : memref<1x1x4x5x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A that is a view of a constant global (a weight) sets flag 1
// (DSRT_KERNEL_CONSTANT_A), such a B flag 2; a mutable global sets none.
memref.global "private" constant @weight : memref<32xf32> = dense<1.0>
memref.global "private" constant @weight_b : memref<128xf32> = dense<1.0>
memref.global "private" @state : memref<32xf32> = dense<1.0>
// FOLD-LABEL: func.func @constant_a(
// FOLD-DAG: %[[C1:.+]] = arith.constant 1 : index
// FOLD-DAG: %[[C0:.+]] = arith.constant 0 : index
// FOLD-DAG: %[[C2:.+]] = arith.constant 2 : index
// FOLD: call @dsrt_kernel_sgemm({{.*}}, %[[C1]]) :
// FOLD: call @dsrt_kernel_sgemm({{.*}}, %[[C0]]) :
// FOLD: call @dsrt_kernel_sgemm({{.*}}, %[[C2]]) :
func.func @constant_a(%b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  %w = memref.get_global @weight : memref<32xf32>
  %a = memref.expand_shape %w [[0, 1]] output_shape [4, 8] : memref<32xf32> into memref<4x8xf32>
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  %s = memref.get_global @state : memref<32xf32>
  %sa = memref.expand_shape %s [[0, 1]] output_shape [4, 8] : memref<32xf32> into memref<4x8xf32>
  linalg.matmul ins(%sa, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  %wb = memref.get_global @weight_b : memref<128xf32>
  %b2 = memref.expand_shape %wb [[0, 1]] output_shape [8, 16] : memref<128xf32> into memref<8x16xf32>
  linalg.matmul ins(%sa, %b2 : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// Negative cases: left alone.

// Not f32.
// CHECK-LABEL: func.func @f16_matmul(
// FOLD-LABEL: func.func @f16_matmul(
// CHECK: linalg.matmul
// CHECK-NOT: call
func.func @f16_matmul(%a: memref<4x8xf16>, %b: memref<8x16xf16>, %c: memref<4x16xf16>) {
  linalg.matmul ins(%a, %b : memref<4x8xf16>, memref<8x16xf16>) outs(%c : memref<4x16xf16>)
  return
}

// Tensors (the pass runs after bufferization).
// CHECK-LABEL: func.func @tensor_matmul(
// CHECK: linalg.matmul
// CHECK-NOT: call
func.func @tensor_matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// A body that is not out + a * b.
#ma = affine_map<(m, n, k) -> (m, k)>
#mb = affine_map<(m, n, k) -> (k, n)>
#mc = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @max_plus(
// CHECK: linalg.generic
// CHECK-NOT: call
func.func @max_plus(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.generic {indexing_maps = [#ma, #mb, #mc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.addf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Two reduction loops: not one K.
#ra = affine_map<(m, n, k, l) -> (m, k, l)>
#rb = affine_map<(m, n, k, l) -> (k, l, n)>
#rc = affine_map<(m, n, k, l) -> (m, n)>
// CHECK-LABEL: func.func @two_k(
// CHECK: linalg.generic
// CHECK-NOT: call
func.func @two_k(%a: memref<4x2x3xf32>, %b: memref<2x3x16xf32>, %c: memref<4x16xf32>) {
  linalg.generic {indexing_maps = [#ra, #rb, #rc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<4x2x3xf32>, memref<2x3x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// B broadcast over the batch (two M-like loops; dsg → linalg folds such a
// batch into M before it gets here).
#ba = affine_map<(b, m, n, k) -> (b, m, k)>
#bb = affine_map<(b, m, n, k) -> (k, n)>
#bc = affine_map<(b, m, n, k) -> (b, m, n)>
// CHECK-LABEL: func.func @broadcast_batch(
// CHECK: linalg.generic
// CHECK-NOT: call
func.func @broadcast_batch(%a: memref<2x3x5xf32>, %b: memref<5x6xf32>, %c: memref<2x3x6xf32>) {
  linalg.generic {indexing_maps = [#ba, #bb, #bc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x3x5xf32>, memref<5x6xf32>) outs(%c : memref<2x3x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A convolution whose input index has a constant offset: not the kernel's.
#oin = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh + 1, ow + kw)>
#ow = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>
#oout = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>
// CHECK-LABEL: func.func @offset_conv(
// CHECK: linalg.generic
// CHECK-NOT: call
func.func @offset_conv(%i: memref<1x1x3x9x8xf32>, %w: memref<1x4x3x3x3xf32>, %o: memref<1x1x4x5x6xf32>) {
  linalg.generic {indexing_maps = [#oin, #ow, #oout],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %w : memref<1x1x3x9x8xf32>, memref<1x4x3x3x3xf32>) outs(%o : memref<1x1x4x5x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
