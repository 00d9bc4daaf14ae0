// RUN: ds-opt %s --split-input-file --allow-unregistered-dialect --ds-cpu-fuse-conv-kernels | FileCheck %s
// RUN: ds-opt %s --split-input-file --allow-unregistered-dialect --ds-cpu-fuse-conv-kernels --canonicalize | FileCheck %s --check-prefix=FOLD

// The grouped convolution of dsg → linalg after bufferization, with the
// padded input copy, the zero-filled output and the bias / ReLU6 generics
// around it, becomes one dsrt_kernel_conv2d_fused_f32 call.

#in = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, f, oh, ow)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
#sc = affine_map<(d0, d1, d2, d3) -> ()>

// CHECK-LABEL: func.func private @dsrt_kernel_conv2d_fused_f32(index, index, index, index, index, index, index, index, index, index, index, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, f32, f32, index)
// CHECK-LABEL: func.func @relu6(
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.
// CHECK-DAG: %[[LO:.+]] = memref.load %arg3[]
// CHECK-DAG: %[[HI:.+]] = memref.load %arg4[]
// CHECK: call @dsrt_kernel_conv2d_fused_f32({{.*}}, %[[LO]], %[[HI]], %{{.+}})
// CHECK-NOT: linalg.
// CHECK: return
// The sizes N, G, F, C, OH, OW, KH, KW, strides, dilations, then IH, IW
// and the padding (1, 1) of the unpadded input %arg0; the bias addend's
// strides are {0, 8, 1, 0, 0} (F = 8) and the second addend is null.
// FOLD-LABEL: func.func @relu6(
// FOLD: call @dsrt_kernel_conv2d_fused_f32(%c1, %c1, %c8, %c4, %c6, %c6, %c3, %c3, %c1, %c1, %c1, %c1, %c6, %c6, %c1, %c1, %{{.+}}, %c144, %c144, %c36, %c6, %c1, %{{.+}}, %c288, %c36, %c9, %c3, %c1, %{{.+}}, %c288, %c288, %c36, %c6, %c1, %{{.+}}, %c0, %c8, %c1, %c0, %c0, %{{.+}}, %c0, %c0, %c0, %c0, %c0, %{{.+}}, %{{.+}}, %c0)
// FOLD-NOT: memref.alloc
func.func @relu6(%x: memref<1x4x6x6xf32>, %wt: memref<1x8x4x3x3xf32>, %bias: memref<8xf32>,
                 %lo: memref<f32>, %hi: memref<f32>, %result: memref<1x8x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x4x8x8xf32>
  linalg.map outs(%padded : memref<1x4x8x8xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %sv = memref.subview %padded[0, 0, 1, 1] [1, 4, 6, 6] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  memref.copy %x, %sv : memref<1x4x6x6xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  %in = memref.expand_shape %padded [[0], [1, 2], [3], [4]] output_shape [1, 1, 4, 8, 8] : memref<1x4x8x8xf32> into memref<1x1x4x8x8xf32>
  %acc = memref.alloc() : memref<1x1x8x6x6xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x1x8x6x6xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%in, %wt : memref<1x1x4x8x8xf32>, memref<1x8x4x3x3xf32>) outs(%acc : memref<1x1x8x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %flat = memref.collapse_shape %acc [[0], [1, 2], [3], [4]] : memref<1x1x8x6x6xf32> into memref<1x8x6x6xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%flat, %bias : memref<1x8x6x6xf32>, memref<8xf32>) outs(%result : memref<1x8x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #sc, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%result, %lo : memref<1x8x6x6xf32>, memref<f32>) outs(%result : memref<1x8x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.maximumf %a, %b : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #sc, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%result, %hi : memref<1x8x6x6xf32>, memref<f32>) outs(%result : memref<1x8x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.minimumf %a, %b : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<1x4x8x8xf32>
  memref.dealloc %acc : memref<1x1x8x6x6xf32>
  return
}

// -----

// ResNet's block: the output's zero init is a copy of a zero-filled buffer
// (CSE merges the fills), the epilogue adds the bias and a residual and
// applies a ReLU whose bound is a constant in the body. The copy is
// erased; the zero-filled buffer, still read elsewhere, stays.

#in = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, f, oh, ow)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>

// CHECK-LABEL: func.func @residual_relu(
// CHECK: linalg.fill
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.generic
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INF:.+]] = arith.constant 0x7F800000 : f32
// CHECK: call @dsrt_kernel_conv2d_fused_f32({{.*}}, %[[ZERO]], %[[INF]], %{{.+}})
// CHECK-NOT: linalg.generic
// CHECK: "test.use"(%[[Z:.+]]) : (memref<1x1x8x4x4xf32>)
// The residual %arg3 is the second addend, with its own strides.
// FOLD-LABEL: func.func @residual_relu(
// FOLD: %[[RESI:.+]] = memref.extract_aligned_pointer_as_index %arg3
// FOLD: %[[RESL:.+]] = arith.index_cast %[[RESI]]
// FOLD: %[[RES:.+]] = llvm.inttoptr %[[RESL]]
// FOLD: call @dsrt_kernel_conv2d_fused_f32({{.*}}, %c0, %c8, %c1, %c0, %c0, %[[RES]], %c128, %c128, %c16, %c4, %c1, %{{.+}}, %{{.+}}, %c0)
func.func @residual_relu(%x: memref<1x1x4x6x6xf32>, %wt: memref<1x8x4x3x3xf32>, %bias: memref<8xf32>,
                         %res: memref<1x8x4x4xf32>, %result: memref<1x8x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %z = memref.alloc() : memref<1x1x8x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%z : memref<1x1x8x4x4xf32>)
  %acc = memref.alloc() : memref<1x1x8x4x4xf32>
  memref.copy %z, %acc : memref<1x1x8x4x4xf32> to memref<1x1x8x4x4xf32>
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%x, %wt : memref<1x1x4x6x6xf32>, memref<1x8x4x3x3xf32>) outs(%acc : memref<1x1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %flat = memref.collapse_shape %acc [[0], [1, 2], [3], [4]] : memref<1x1x8x4x4xf32> into memref<1x8x4x4xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%flat, %bias : memref<1x8x4x4xf32>, memref<8xf32>) outs(%result : memref<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%result, %res : memref<1x8x4x4xf32>, memref<1x8x4x4xf32>) outs(%result : memref<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  "test.use"(%z) : (memref<1x1x8x4x4xf32>) -> ()
  return
}

// -----

// Negative: the output is not known to be zero (it is the caller's), so
// the conv keeps accumulating and is left for ds-cpu-use-microkernels.

#in = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, f, oh, ow)>

// CHECK-LABEL: func.func @accumulates(
// CHECK-NOT: call
// CHECK: linalg.generic
func.func @accumulates(%x: memref<1x1x4x6x6xf32>, %wt: memref<1x8x4x3x3xf32>, %acc: memref<1x1x8x4x4xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%x, %wt : memref<1x1x4x6x6xf32>, memref<1x8x4x3x3xf32>) outs(%acc : memref<1x1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Negative for the epilogue: the conv's output is read again after the
// bias generic, so that generic cannot fold (the call still writes the
// conv's output, and the fill goes); nor can a clamp before an add, nor a
// generic that writes the buffer the conv reads.

#in = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, f, oh, ow)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>

// CHECK-LABEL: func.func @output_read_later(
// CHECK-NOT: linalg.fill
// CHECK: call @dsrt_kernel_conv2d_fused_f32
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: "test.use"
func.func @output_read_later(%x: memref<1x1x4x6x6xf32>, %wt: memref<1x8x4x3x3xf32>, %bias: memref<8xf32>,
                             %result: memref<1x8x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<1x1x8x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x1x8x4x4xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%x, %wt : memref<1x1x4x6x6xf32>, memref<1x8x4x3x3xf32>) outs(%acc : memref<1x1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %flat = memref.collapse_shape %acc [[0], [1, 2], [3], [4]] : memref<1x1x8x4x4xf32> into memref<1x8x4x4xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%flat, %bias : memref<1x8x4x4xf32>, memref<8xf32>) outs(%result : memref<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  "test.use"(%acc) : (memref<1x1x8x4x4xf32>) -> ()
  return
}

// CHECK-LABEL: func.func @clamp_then_add(
// CHECK: call @dsrt_kernel_conv2d_fused_f32
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK-NEXT: arith.addf
func.func @clamp_then_add(%x: memref<1x1x4x6x6xf32>, %wt: memref<1x8x4x3x3xf32>, %bias: memref<8xf32>,
                          %result: memref<1x8x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<1x1x8x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x1x8x4x4xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%x, %wt : memref<1x1x4x6x6xf32>, memref<1x8x4x3x3xf32>) outs(%acc : memref<1x1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %flat = memref.collapse_shape %acc [[0], [1, 2], [3], [4]] : memref<1x1x8x4x4xf32> into memref<1x8x4x4xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%flat, %bias : memref<1x8x4x4xf32>, memref<8xf32>) outs(%result : memref<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    %s = arith.addf %r, %b : f32
    linalg.yield %s : f32
  }
  return
}

// The epilogue's output is the conv's own input: the call cannot write the
// buffer it reads, so only the conv folds.
// CHECK-LABEL: func.func @epilogue_into_input(
// CHECK: call @dsrt_kernel_conv2d_fused_f32
// CHECK: linalg.generic
func.func @epilogue_into_input(%x: memref<1x8x4x4xf32>, %wt: memref<1x8x8x1x1xf32>, %bias: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  %xin = memref.expand_shape %x [[0], [1, 2], [3], [4]] output_shape [1, 1, 8, 4, 4] : memref<1x8x4x4xf32> into memref<1x1x8x4x4xf32>
  %acc = memref.alloc() : memref<1x1x8x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x1x8x4x4xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%xin, %wt : memref<1x1x8x4x4xf32>, memref<1x8x8x1x1xf32>) outs(%acc : memref<1x1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %flat = memref.collapse_shape %acc [[0], [1, 2], [3], [4]] : memref<1x1x8x4x4xf32> into memref<1x8x4x4xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%flat, %bias : memref<1x8x4x4xf32>, memref<8xf32>) outs(%x : memref<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Negative for the padding: the padded buffer is also read elsewhere, so
// the conv reads it (no padding folded, IH = IW = 8, pads 0) and the copy
// stays.

#in = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, f, oh, ow)>

// CHECK-LABEL: func.func @padded_read_elsewhere(
// CHECK: linalg.map
// CHECK: memref.copy
// CHECK: call @dsrt_kernel_conv2d_fused_f32
// FOLD-LABEL: func.func @padded_read_elsewhere(
// FOLD: call @dsrt_kernel_conv2d_fused_f32(%c1, %c1, %c8, %c4, %c6, %c6, %c3, %c3, %c1, %c1, %c1, %c1, %c8, %c8, %c0, %c0,
func.func @padded_read_elsewhere(%x: memref<1x4x6x6xf32>, %wt: memref<1x8x4x3x3xf32>, %acc: memref<1x1x8x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x4x8x8xf32>
  linalg.map outs(%padded : memref<1x4x8x8xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %sv = memref.subview %padded[0, 0, 1, 1] [1, 4, 6, 6] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  memref.copy %x, %sv : memref<1x4x6x6xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  %in = memref.expand_shape %padded [[0], [1, 2], [3], [4]] output_shape [1, 1, 4, 8, 8] : memref<1x4x8x8xf32> into memref<1x1x4x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x1x8x6x6xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%in, %wt : memref<1x1x4x8x8xf32>, memref<1x8x4x3x3xf32>) outs(%acc : memref<1x1x8x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  "test.use"(%padded) : (memref<1x4x8x8xf32>) -> ()
  return
}

// -----

// Negative for the padding: the unpadded input is freed after the copy, so
// the call must keep reading the padded buffer.

#in = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, f, oh, ow)>

// CHECK-LABEL: func.func @source_freed(
// CHECK: memref.copy
// CHECK: memref.dealloc
// CHECK: call @dsrt_kernel_conv2d_fused_f32
// FOLD-LABEL: func.func @source_freed(
// FOLD: call @dsrt_kernel_conv2d_fused_f32(%c1, %c1, %c8, %c4, %c6, %c6, %c3, %c3, %c1, %c1, %c1, %c1, %c8, %c8, %c0, %c0,
func.func @source_freed(%wt: memref<1x8x4x3x3xf32>, %acc: memref<1x1x8x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %x = memref.alloc() : memref<1x4x6x6xf32>
  "test.produce"(%x) : (memref<1x4x6x6xf32>) -> ()
  %padded = memref.alloc() : memref<1x4x8x8xf32>
  linalg.map outs(%padded : memref<1x4x8x8xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %sv = memref.subview %padded[0, 0, 1, 1] [1, 4, 6, 6] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  memref.copy %x, %sv : memref<1x4x6x6xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  memref.dealloc %x : memref<1x4x6x6xf32>
  %in = memref.expand_shape %padded [[0], [1, 2], [3], [4]] output_shape [1, 1, 4, 8, 8] : memref<1x4x8x8xf32> into memref<1x1x4x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x1x8x6x6xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%in, %wt : memref<1x1x4x8x8xf32>, memref<1x8x4x3x3xf32>) outs(%acc : memref<1x1x8x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A stride-1 depthwise layer whose epilogue bufferization wrote into its
// dead unpadded input: the call may write over its own input element for
// element (the kernel copies each channel's plane before writing it), so
// the padding folds as well as the epilogue.
#in = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, f, oh, ow)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @depthwise_over_own_input(
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.
// CHECK: call @dsrt_kernel_conv2d_fused_f32
// CHECK-NOT: linalg.
// CHECK: return
// G = 4, F = C = 1, 6x6 from the unpadded 6x6 input with padding (1, 1);
// the output is the input's buffer with the input's strides.
// FOLD-LABEL: func.func @depthwise_over_own_input(
// FOLD-NOT: memref.alloc
// FOLD: memref.extract_aligned_pointer_as_index %arg0
// FOLD: memref.extract_aligned_pointer_as_index %arg0
// FOLD: call @dsrt_kernel_conv2d_fused_f32(%c1, %c4, %c1, %c1, %c6, %c6, %c3, %c3, %c1, %c1, %c1, %c1, %c6, %c6, %c1, %c1, %{{.+}}, %c144, %c36, %c36, %c6, %c1, %{{.+}}, %c9, %c9, %c9, %c3, %c1, %{{.+}}, %c144, %c36, %c36, %c6, %c1,
func.func @depthwise_over_own_input(%x: memref<1x4x6x6xf32>, %wt: memref<4x1x1x3x3xf32>, %bias: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x4x8x8xf32>
  linalg.map outs(%padded : memref<1x4x8x8xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %sv = memref.subview %padded[0, 0, 1, 1] [1, 4, 6, 6] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  memref.copy %x, %sv : memref<1x4x6x6xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  %in = memref.expand_shape %padded [[0], [1, 2], [3], [4]] output_shape [1, 4, 1, 8, 8] : memref<1x4x8x8xf32> into memref<1x4x1x8x8xf32>
  %acc = memref.alloc() : memref<1x4x1x6x6xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x4x1x6x6xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%in, %wt : memref<1x4x1x8x8xf32>, memref<4x1x1x3x3xf32>) outs(%acc : memref<1x4x1x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %flat = memref.collapse_shape %acc [[0], [1, 2], [3], [4]] : memref<1x4x1x6x6xf32> into memref<1x4x6x6xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%flat, %bias : memref<1x4x6x6xf32>, memref<4xf32>) outs(%x : memref<1x4x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<1x4x8x8xf32>
  memref.dealloc %acc : memref<1x4x1x6x6xf32>
  return
}

// -----

// Negative for writing over the input: a grouped conv with two channels
// per group reads other channels of the plane it writes, so the call may
// not write its input; the padded copy stays and the epilogue folds.
#in = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, oh, c, kh, kw, ow) -> (n, g, f, oh, ow)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @grouped_over_own_input(
// CHECK: linalg.map
// CHECK: memref.copy
// CHECK: call @dsrt_kernel_conv2d_fused_f32
// CHECK-NOT: linalg.generic
// FOLD-LABEL: func.func @grouped_over_own_input(
// FOLD: call @dsrt_kernel_conv2d_fused_f32(%c1, %c2, %c2, %c2, %c6, %c6, %c3, %c3, %c1, %c1, %c1, %c1, %c8, %c8, %c0, %c0,
func.func @grouped_over_own_input(%x: memref<1x4x6x6xf32>, %wt: memref<2x2x2x3x3xf32>, %bias: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x4x8x8xf32>
  linalg.map outs(%padded : memref<1x4x8x8xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %sv = memref.subview %padded[0, 0, 1, 1] [1, 4, 6, 6] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  memref.copy %x, %sv : memref<1x4x6x6xf32> to memref<1x4x6x6xf32, strided<[256, 64, 8, 1], offset: 9>>
  %in = memref.expand_shape %padded [[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 8, 8] : memref<1x4x8x8xf32> into memref<1x2x2x8x8xf32>
  %acc = memref.alloc() : memref<1x2x2x6x6xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x2x2x6x6xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
      ins(%in, %wt : memref<1x2x2x8x8xf32>, memref<2x2x2x3x3xf32>) outs(%acc : memref<1x2x2x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  %flat = memref.collapse_shape %acc [[0], [1, 2], [3], [4]] : memref<1x2x2x6x6xf32> into memref<1x4x6x6xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%flat, %bias : memref<1x4x6x6xf32>, memref<4xf32>) outs(%x : memref<1x4x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<1x4x8x8xf32>
  memref.dealloc %acc : memref<1x2x2x6x6xf32>
  return
}
