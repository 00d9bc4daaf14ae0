// RUN: ds-opt %s --split-input-file --ds-cpu-use-pooling-kernels | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-cpu-use-pooling-kernels --canonicalize | FileCheck %s --check-prefix=FOLD

// MaxPool 2x2, stride 2, as dsg → linalg produces it (the window operand
// only gives kh and kw their range), becomes one kernel call.
#in = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#win = affine_map<(n, c, oh, kh, kw, ow) -> (kh, kw)>
#out = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh, ow)>
// CHECK-LABEL: func.func private @dsrt_kernel_pool2d_f32(index, index, index, index, index, index, index, index, index, index, index, !llvm.ptr, index, index, index, index, !llvm.ptr, index, index, index, index)
// CHECK-LABEL: func.func @maxpool(
// CHECK-NOT: linalg.generic
// CHECK: call @dsrt_kernel_pool2d_f32(
// CHECK-NOT: linalg.generic
// Kind 0 (max), N, C, OH, OW, KH, KW, strides, dilations, then the input's
// and the output's strides.
// FOLD-LABEL: func.func @maxpool(
// FOLD: call @dsrt_kernel_pool2d_f32(%c0, %c2, %c16, %c16, %c16, %c2, %c2, %c2, %c2, %c1, %c1, %{{.+}}, %c16384, %c1024, %c32, %c1, %{{.+}}, %c4096, %c256, %c16, %c1)
func.func @maxpool(%x: memref<2x16x32x32xf32>, %w: memref<2x2xf32>, %y: memref<2x16x16x16xf32>) {
  linalg.generic {indexing_maps = [#in, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
      ins(%x, %w : memref<2x16x32x32xf32>, memref<2x2xf32>) outs(%y : memref<2x16x16x16xf32>) {
  ^bb0(%a: f32, %unused: f32, %o: f32):
    %m = arith.maximumf %o, %a : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// GlobalAveragePool's sum (the division is a separate op): the window is
// the whole plane, the output [N, C] has no spatial strides.
#in = affine_map<(n, c, h, w) -> (n, c, h, w)>
#out = affine_map<(n, c, h, w) -> (n, c)>
// CHECK-LABEL: func.func @global_sum(
// CHECK: call @dsrt_kernel_pool2d_f32(
// CHECK-NOT: linalg.generic
// FOLD-LABEL: func.func @global_sum(
// FOLD: call @dsrt_kernel_pool2d_f32(%c1, %c2, %c32, %c1, %c1, %c7, %c7, %c1, %c1, %c1, %c1, %{{.+}}, %c1568, %c49, %c7, %c1, %{{.+}}, %c32, %c1, %c0, %c0)
func.func @global_sum(%x: memref<2x32x7x7xf32>, %y: memref<2x32xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x : memref<2x32x7x7xf32>) outs(%y : memref<2x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Dilated, strided, with a keep-dims output axis (a constant 0 of extent
// 1) and the loops in another order.
#in = affine_map<(kw, n, ow, c, kh) -> (n, c, kh * 3, ow * 2 + kw * 2)>
#win = affine_map<(kw, n, ow, c, kh) -> (kh, kw)>
#out = affine_map<(kw, n, ow, c, kh) -> (n, c, 0, ow)>
// FOLD-LABEL: func.func @keepdims_dilated(
// FOLD: call @dsrt_kernel_pool2d_f32(%c0, %c1, %c3, %c1, %c4, %c3, %c2, %c1, %c2, %c3, %c2, %{{.+}}, %c270, %c90, %c9, %c1, %{{.+}}, %c12, %c4, %c0, %c1)
func.func @keepdims_dilated(%x: memref<1x3x10x9xf32>, %w: memref<3x2xf32>, %y: memref<1x3x1x4xf32>) {
  linalg.generic {indexing_maps = [#in, #win, #out], iterator_types = ["reduction", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<1x3x10x9xf32>, memref<3x2xf32>) outs(%y : memref<1x3x1x4xf32>) {
  ^bb0(%a: f32, %unused: f32, %o: f32):
    %m = arith.maximumf %a, %o : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Left alone: maxnumf (NaN-ignoring) is not the kernel's maximumf; a body
// that does more than one op; a window index that is not
// o*stride + k*dilation; an f16 pool.
#in = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#sq = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh * 2 + kh + kw, ow * 2 + kw)>
#win = affine_map<(n, c, oh, kh, kw, ow) -> (kh, kw)>
#out = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh, ow)>
// CHECK-LABEL: func.func @untouched(
// CHECK-NOT: call
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: call
func.func @untouched(%x: memref<1x2x8x8xf32>, %w: memref<2x2xf32>, %y: memref<1x2x4x4xf32>,
                     %x9: memref<1x2x9x8xf32>, %xh: memref<1x2x8x8xf16>, %wh: memref<2x2xf16>, %yh: memref<1x2x4x4xf16>) {
  linalg.generic {indexing_maps = [#in, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
      ins(%x, %w : memref<1x2x8x8xf32>, memref<2x2xf32>) outs(%y : memref<1x2x4x4xf32>) {
  ^bb0(%a: f32, %unused: f32, %o: f32):
    %m = arith.maxnumf %o, %a : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#in, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
      ins(%x, %w : memref<1x2x8x8xf32>, memref<2x2xf32>) outs(%y : memref<1x2x4x4xf32>) {
  ^bb0(%a: f32, %unused: f32, %o: f32):
    %e = arith.mulf %a, %a : f32
    %m = arith.addf %o, %e : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#sq, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
      ins(%x9, %w : memref<1x2x9x8xf32>, memref<2x2xf32>) outs(%y : memref<1x2x4x4xf32>) {
  ^bb0(%a: f32, %unused: f32, %o: f32):
    %m = arith.maximumf %o, %a : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#in, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
      ins(%xh, %wh : memref<1x2x8x8xf16>, memref<2x2xf16>) outs(%yh : memref<1x2x4x4xf16>) {
  ^bb0(%a: f16, %unused: f16, %o: f16):
    %m = arith.maximumf %o, %a : f16
    linalg.yield %m : f16
  }
  return
}
