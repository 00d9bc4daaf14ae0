// RUN: ds-opt %s --split-input-file --ds-cpu-interchange-loops | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-cpu-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// Contractions and convolutions get the output's last (parallel) dimension
// as their innermost loop, after the reductions, when every input walks it
// with stride 1 or not at all; anything else keeps its loop order.

// LLVM-COUNT-8: llvm.func @

// The convolution from GraphToLinalg: (n, g, f, oh, ow, c, kh, kw) becomes
// (n, g, f, oh, c, kh, kw, ow).
// CHECK-DAG: #[[CIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d4, d3 * 2 + d5, d6 + d7)>
// CHECK-DAG: #[[CW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d4, d5, d6)>
// CHECK-DAG: #[[COUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d7)>
// CHECK-LABEL: func.func @conv(
// CHECK: linalg.generic {indexing_maps = [#[[CIN]], #[[CW]], #[[COUT]]],
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
// CHECK: arith.mulf
// CHECK: arith.addf
#in = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh * 2 + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>
func.func @conv(%x: tensor<1x1x3x10x10xf32>, %w: tensor<1x4x3x3x3xf32>,
                %init: tensor<1x1x4x4x8xf32>) -> tensor<1x1x4x4x8xf32> {
  %0 = linalg.generic {indexing_maps = [#in, #w, #out],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel",
                        "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x1x3x10x10xf32>, tensor<1x4x3x3x3xf32>)
      outs(%init : tensor<1x1x4x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x1x4x4x8xf32>
  return %0 : tensor<1x1x4x4x8xf32>
}

// -----

// linalg.matmul is generalized and (i, j, k) becomes (i, k, j).
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul(
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]],
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]}
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>,
                  %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>)
                     outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// (b, i, j, k) becomes (b, i, k, j).
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func.func @batch_matmul(
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]],
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
func.func @batch_matmul(%a: tensor<2x4x8xf32>, %b: tensor<2x8x16xf32>,
                        %c: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<2x4x8xf32>, tensor<2x8x16xf32>)
                           outs(%c : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// A named NCHW convolution: (n, f, oh, ow, c, kh, kw) becomes
// (n, f, oh, c, kh, kw, ow).
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d2 + d4, d5 + d6)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d4, d5)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d6)>
// CHECK-LABEL: func.func @conv_nchw(
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]],
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
func.func @conv_nchw(%x: tensor<1x3x10x10xf32>, %w: tensor<4x3x3x3xf32>,
                     %init: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %0 = linalg.conv_2d_nchw_fchw
      {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>)
      outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// A reduction over the last axis: the output's last dimension i also picks
// the input's row, so the order stays.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @row_sum(
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]],
// CHECK-SAME: iterator_types = ["parallel", "reduction"]}
func.func @row_sum(%a: tensor<4x8xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>,
                                        affine_map<(i, k) -> (i)>],
      iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<4x8xf32>) outs(%c : tensor<4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Same for matvec (generalized, order kept).
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[Y:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @matvec(
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[X]], #[[Y]]],
// CHECK-SAME: iterator_types = ["parallel", "reduction"]}
func.func @matvec(%a: tensor<4x8xf32>, %x: tensor<8xf32>,
                  %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = linalg.matvec ins(%a, %x : tensor<4x8xf32>, tensor<8xf32>)
                     outs(%y : tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A pooling window (n, c, oh, ow, kh, kw) becomes (n, c, oh, kh, kw, ow);
// linalg.index follows its loop (ow: 3 -> 5).
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3, d5 * 2 + d4)>
// CHECK-DAG: #[[WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-DAG: #[[OW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d5)>
// CHECK-LABEL: func.func @pool(
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #[[OUT]]],
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
// CHECK: affine.apply #[[OW]](
func.func @pool(%x: tensor<1x3x9x9xf32>, %win: tensor<3x3xf32>,
                %init: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %0 = linalg.generic {indexing_maps = [
          affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>,
          affine_map<(n, c, oh, ow, kh, kw) -> (kh, kw)>,
          affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel",
                        "reduction", "reduction"]}
      ins(%x, %win : tensor<1x3x9x9xf32>, tensor<3x3xf32>)
      outs(%init : tensor<1x3x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %ow = linalg.index 3 : index
    %i = arith.index_cast %ow : index to i32
    %f = arith.sitofp %i : i32 to f32
    %v = arith.addf %a, %f : f32
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Elementwise ops and linalg.fill are left alone.
// CHECK-LABEL: func.func @fill_add(
// CHECK: linalg.fill
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @fill_add(%a: tensor<4x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %z = arith.constant 0.0 : f32
  %0 = linalg.fill ins(%z : f32) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id],
      iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x16xf32>) outs(%0 : tensor<4x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %o : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %1 : tensor<4x16xf32>
}
