// RUN: ds-opt %s --ds-gpu-tensor-core-matmul --canonicalize --cse --split-input-file | FileCheck %s
// RUN: ds-opt %s --ds-gpu-tensor-core-matmul=convolutions=false --split-input-file | FileCheck %s --check-prefix=OFF
// RUN: ds-opt %s --ds-gpu-tensor-core-matmul=allow-tf32=true --split-input-file | FileCheck %s --check-prefix=TF32
// Convolutions left to the SIMT path, with the reasons: tensor-core-conv-skipped.mlir.

#conv3x3 = [affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>,
            affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
            affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>]

// A 3 × 3 convolution as dsg → linalg emits it (f16 in, f32 accumulation,
// input padded beforehand), zero-initialized, followed by bias + ReLU and
// a cast to f16: one implicit-GEMM kernel, M = F = 32, N = OH·OW = 64,
// K = C·9 = 144, batch 2 (grid 1 × 1 × 2). A is the weight viewed as
// [32, 144] (16-byte loads); each B element is gathered from the input at
// (c, oh + kh, ow + kw); the epilogue runs on the accumulators.
// CHECK-LABEL: func.func @conv3x3_bias_relu
// As in the models, the input is a local (padded) buffer and the weight
// and bias constants, so the epilogue may store to the caller's buffer.
// CHECK-SAME: (%[[X:.*]]: memref<2x1x16x10x10xf16>, %[[OUT:.*]]: memref<2x32x8x8xf16>)
// CHECK-DAG: %[[W:.*]] = memref.get_global @w
// CHECK-DAG: %[[BIAS:.*]] = memref.get_global @bias
// CHECK-DAG: %[[IN:.*]] = memref.alloc() : memref<2x1x16x10x10xf16>
// CHECK: %[[WA:.*]] = memref.collapse_shape %[[W]] {{\[\[}}0, 1], [2, 3, 4]] : memref<1x32x16x3x3xf16> into memref<32x144xf16>
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %[[BZ:.*]]) in (%{{.*}} = %c1, %{{.*}} = %c1, %{{.*}} = %c2)
// CHECK: scf.for
// CHECK: vector.load %[[WA]]{{.*}} vector<8xf16>
// CHECK: arith.remui %{{.*}}, %c3
// CHECK: memref.load %[[IN]][%[[BZ]], %c0,
// CHECK: gpu.barrier
// CHECK: nvgpu.ldmatrix
// CHECK: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]}
// CHECK: scf.yield
// CHECK: memref.load %[[BIAS]]
// CHECK: arith.maximumf
// CHECK: arith.truncf
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.
// OFF-LABEL: func.func @conv3x3_bias_relu
// OFF-NOT: gpu.launch
memref.global "private" constant @w : memref<1x32x16x3x3xf16> = dense<1.0>
memref.global "private" constant @bias : memref<32xf32> = dense<0.5>
func.func @conv3x3_bias_relu(%x: memref<2x1x16x10x10xf16>,
                             %out: memref<2x32x8x8xf16>) {
  %bias = memref.get_global @bias : memref<32xf32>
  %zero = arith.constant 0.0 : f32
  %w = memref.get_global @w : memref<1x32x16x3x3xf16>
  %in = memref.alloc() : memref<2x1x16x10x10xf16>
  memref.copy %x, %in : memref<2x1x16x10x10xf16> to memref<2x1x16x10x10xf16>
  %c = memref.alloc() : memref<2x1x32x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<2x1x32x8x8xf32>)
  linalg.generic {indexing_maps = #conv3x3,
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel",
                                    "reduction", "reduction", "reduction"]}
      ins(%in, %w : memref<2x1x16x10x10xf16>, memref<1x32x16x3x3xf16>)
      outs(%c : memref<2x1x32x8x8xf32>) {
  ^bb0(%xi: f16, %y: f16, %acc: f32):
    %xe = arith.extf %xi : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %v = memref.collapse_shape %c [[0, 1], [2], [3], [4]]
      : memref<2x1x32x8x8xf32> into memref<2x32x8x8xf32>
  linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>,
                                   affine_map<(n, f, h, w) -> (f)>,
                                   affine_map<(n, f, h, w) -> (n, f, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%v, %bias : memref<2x32x8x8xf32>, memref<32xf32>)
      outs(%out : memref<2x32x8x8xf16>) {
  ^bb0(%xa: f32, %b: f32, %o: f16):
    %s = arith.addf %xa, %b : f32
    %r = arith.maximumf %s, %zero : f32
    %t = arith.truncf %r : f32 to f16
    linalg.yield %t : f16
  }
  memref.dealloc %c : memref<2x1x32x8x8xf32>
  memref.dealloc %in : memref<2x1x16x10x10xf16>
  return
}

// -----

// A 1 × 1 convolution of stride 2 (ResNet's downsampling shortcut), bf16,
// into the caller's buffer: K = C = 16, N = 8·8; the gather reads the
// input at (2·oh, 2·ow). No consumer: C (the output viewed as [1, 32, 64])
// is stored.
// CHECK-LABEL: func.func @conv1x1_stride2
// CHECK-SAME: (%[[IN:.*]]: memref<1x1x16x16x16xbf16>, %{{.*}}: memref<1x32x16x1x1xbf16>, %[[OUT:.*]]: memref<1x1x32x8x8xf32>)
// CHECK: %[[C:.*]] = memref.collapse_shape %[[OUT]] {{\[\[}}0, 1], [2], [3, 4]] : memref<1x1x32x8x8xf32> into memref<1x32x64xf32>
// CHECK: gpu.launch
// CHECK: vector.load %[[C]]
// CHECK: arith.muli %{{.*}}, %c2
// CHECK: memref.load %[[IN]]
// CHECK: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>
// CHECK: vector.store %{{.*}}, %[[C]]
func.func @conv1x1_stride2(%in: memref<1x1x16x16x16xbf16>,
                           %w: memref<1x32x16x1x1xbf16>,
                           %out: memref<1x1x32x8x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh * 2 + kh, ow * 2 + kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel",
                                    "reduction", "reduction", "reduction"]}
      ins(%in, %w : memref<1x1x16x16x16xbf16>, memref<1x32x16x1x1xbf16>)
      outs(%out : memref<1x1x32x8x8xf32>) {
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

// f32 (as ResNet-18 exports) takes the kernel with allow-tf32 only
// (m16n8k8, lane-indexed fragment loads).
// CHECK-LABEL: func.func @conv_f32
// CHECK-NOT: gpu.launch
// TF32-LABEL: func.func @conv_f32
// TF32: gpu.launch
// TF32: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
func.func @conv_f32(%in: memref<1x1x8x10x10xf32>, %w: memref<1x16x8x3x3xf32>,
                    %out: memref<1x1x16x8x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
                                   affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel",
                                    "reduction", "reduction", "reduction"]}
      ins(%in, %w : memref<1x1x8x10x10xf32>, memref<1x16x8x3x3xf32>)
      outs(%out : memref<1x1x16x8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
