// RUN: ds-opt %s --ds-gpu-tensor-core-matmul --cse --split-input-file | FileCheck %s
// RUN: ds-opt %s --ds-gpu-tensor-core-matmul=allow-tf32=true --cse --split-input-file | FileCheck %s --check-prefix=TF32
// Convolutions whose N = OH·OW or K = C·KH·KW are not multiples of 8
// (ResNet-18's stem, K = 147, and its 14 × 14 and 7 × 7 stages, N = 196
// and 49) take the tensor-core kernel: N and K are padded to the tiles in
// the tile loaders (zeros past the end, as M is) and the stores past N are
// skipped.

#conv = [affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>,
         affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
         affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>]

// A 7 × 7 output (N = 49), K = 16 · 9 = 144: blocks of 8 columns (grid
// x = 56 / 8 = 7). The B gather clamps the column to N - 1 and selects
// zero past it; each accumulator element is stored only below N.
// CHECK-LABEL: func.func @conv_7x7
// CHECK-SAME: (%[[IN:.*]]: memref<1x1x16x9x9xbf16>, %{{.*}}: memref<1x32x16x3x3xbf16>, %[[OUT:.*]]: memref<1x1x32x7x7xf32>)
// CHECK: %[[C:.*]] = memref.collapse_shape %[[OUT]] {{\[\[}}0, 1], [2], [3, 4]] : memref<1x1x32x7x7xf32> into memref<1x32x49xf32>
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c7,
// Accumulators from C, columns clamped:
// CHECK: arith.minui %{{.*}}, %c48{{(_[0-9]+)?}}
// CHECK: memref.load %[[C]]
// CHECK: scf.for
// CHECK: %[[INC:.*]] = arith.cmpi ult, %[[P:.*]], %c49{{(_[0-9]+)?}}
// CHECK: %[[PC:.*]] = arith.minui %[[P]], %c48{{(_[0-9]+)?}}
// CHECK: arith.remui %[[PC]], %c7{{(_[0-9]+)?}}
// CHECK: %[[X:.*]] = memref.load %[[IN]]
// CHECK: arith.select %[[INC]], %[[X]], %{{.*}} : bf16
// CHECK: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK: %[[ST:.*]] = arith.cmpi ult, %{{.*}}, %c49{{(_[0-9]+)?}}
// CHECK: scf.if %[[ST]] {
// CHECK: memref.store %{{.*}}, %[[C]]
func.func @conv_7x7(%in: memref<1x1x16x9x9xbf16>, %w: memref<1x32x16x3x3xbf16>,
                    %out: memref<1x1x32x7x7xf32>) {
  linalg.generic {indexing_maps = #conv,
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel",
                                    "reduction", "reduction", "reduction"]}
      ins(%in, %w : memref<1x1x16x9x9xbf16>, memref<1x32x16x3x3xbf16>)
      outs(%out : memref<1x1x32x7x7xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The ResNet-18 stem's shape class: 7 × 7 kernel, stride 2, C = 3 (K = 147,
// padded to 160 = 5 steps of 32), f32 with allow-tf32 (without it: the
// SIMT path). A (the weight as [64, 147]) is copied
// element by element with columns past K zero; B's rows past K are zero.
// CHECK-LABEL: func.func @stem
// CHECK-NOT: gpu.launch
// TF32-LABEL: func.func @stem
// TF32: %[[WA:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3, 4]] : memref<1x64x3x7x7xf32> into memref<64x147xf32>
// TF32: gpu.launch
// TF32: scf.for %{{.*}} = %{{.*}} to %c160{{(_[0-9]+)?}} step %{{.*}}
// TF32: arith.cmpi ult, %{{.*}}, %c147{{(_[0-9]+)?}}
// TF32: arith.minui %{{.*}}, %c146{{(_[0-9]+)?}}
// TF32: memref.load %[[WA]]
// TF32: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
func.func @stem(%in: memref<2x1x3x21x21xf32>, %w: memref<1x64x3x7x7xf32>,
                %out: memref<2x1x64x8x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh * 2 + kh, ow * 2 + kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel",
                                    "reduction", "reduction", "reduction"]}
      ins(%in, %w : memref<2x1x3x21x21xf32>, memref<1x64x3x7x7xf32>)
      outs(%out : memref<2x1x64x8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
