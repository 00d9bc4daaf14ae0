// RUN: ds-opt %s --ds-gpu-tensor-core-matmul=report-skipped=true -verify-diagnostics | FileCheck %s

// Convolutions that stay on the SIMT path, each with its reason; a generic
// that is no convolution gets no remark.
// CHECK-LABEL: func.func @skipped
// CHECK-NOT: gpu.launch

#maps = [affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>,
         affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
         affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>]
#iters = ["parallel", "parallel", "parallel", "parallel", "parallel",
          "reduction", "reduction", "reduction"]
func.func @skipped(%in: memref<1x1x16x10x10xf32>, %w: memref<1x32x16x3x3xf32>,
                   %out: memref<1x1x32x8x8xf32>,
                   %ing: memref<1x2x8x10x10xf16>, %wg: memref<2x16x8x3x3xf16>,
                   %outg: memref<1x2x16x8x8xf32>,
                   %e: memref<8x8xf32>, %eo: memref<8x8xf32>) {
  // expected-remark @below {{convolution left to the SIMT path: f32 without allow-tf32}}
  linalg.generic {indexing_maps = #maps, iterator_types = #iters}
      ins(%in, %w : memref<1x1x16x10x10xf32>, memref<1x32x16x3x3xf32>)
      outs(%out : memref<1x1x32x8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  // expected-remark @below {{convolution left to the SIMT path: grouped convolution}}
  linalg.generic {indexing_maps = #maps, iterator_types = #iters}
      ins(%ing, %wg : memref<1x2x8x10x10xf16>, memref<2x16x8x3x3xf16>)
      outs(%outg : memref<1x2x16x8x8xf32>) {
  ^bb0(%x: f16, %y: f16, %acc: f32):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  // Not a convolution: no remark.
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                   affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%e : memref<8x8xf32>) outs(%eo : memref<8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  return
}
