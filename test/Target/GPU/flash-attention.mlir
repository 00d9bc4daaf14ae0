// RUN: ds-opt %s --ds-gpu-flash-attention --split-input-file | FileCheck %s --check-prefix=CALL
// RUN: ds-opt %s --ds-gpu-flash-attention --ds-gpu-expand-flash-attention=tensor-cores=false --cse --split-input-file | FileCheck %s
// The SIMT kernel (the fallback of the tensor-core kernel, which
// flash-attention-mma.mlir checks). Malformed calls:
// expand-flash-attention-invalid.mlir.

// Step 1 (on tensors): a call of a tagged declaration on buffers, which
// bufferization and deallocation treat as opaque.
// CALL: func.func private @ds_flash_attention(memref<2x8x100x64xbf16>, memref<2x2x100x64xbf16>, memref<2x2x100x64xbf16>, memref<2x8x100x64xbf16>) attributes {ds.flash_attention = {causal = true, scale = 1.250000e-01 : f32}}
// CALL-LABEL: func.func @causal_gqa
// CALL: %[[O:.*]] = memref.alloc() : memref<2x8x100x64xbf16>
// CALL: call @ds_flash_attention(%{{.*}}, %{{.*}}, %{{.*}}, %[[O]])
// CALL: bufferization.to_tensor %[[O]] restrict writable
// CALL-NOT: dsg.attention

// Step 2 (expand): the kernel replaces the call.
// CHECK-NOT: ds_flash_attention
// Attention ops left to the generic lowering: flash-attention-skipped.mlir.

// Causal GQA in bf16: B = 2, Hq = 8, Hkv = 2, Lq = Lk = 100, D = Dv = 64.
// Grid: ceil(100 / 64) = 2 query tiles × 16 (batch · head) blocks of 64
// threads; 16-row key and value tiles in f32 workgroup memory.
// CHECK-LABEL: func.func @causal_gqa
// CHECK-DAG: %[[Q:.*]] = bufferization.to_buffer %arg0 read_only : tensor<2x8x100x64xbf16> to memref<2x8x100x64xbf16>
// CHECK-DAG: %[[K:.*]] = bufferization.to_buffer %arg1 read_only
// CHECK-DAG: %[[V:.*]] = bufferization.to_buffer %arg2 read_only
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x8x100x64xbf16>
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %[[C2]], %{{.*}} = %[[C16]], %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C64]],
// CHECK-SAME: workgroup(%[[KS:.*]] : memref<16x64xf32, #gpu.address_space<workgroup>>, %[[VS:.*]] : memref<16x64xf32, #gpu.address_space<workgroup>>)
// The key/value head of query head h is h / 4.
// CHECK: %[[HEAD:.*]] = arith.remui %[[BY]], %{{.*}}
// CHECK: %[[KVH:.*]] = arith.divui %[[HEAD]], %{{.*}}
// The query row, scaled, in registers.
// CHECK: vector.load %[[Q]]{{.*}} : memref<2x8x100x64xbf16>, vector<64xbf16>
// CHECK: arith.extf {{.*}} : vector<64xbf16> to vector<64xf32>
// Causal tile skipping: the loop ends at ceil(min(last row + 1, 100) / 16).
// CHECK: %[[END:.*]] = arith.minsi
// CHECK: %[[NT:.*]] = arith.ceildivsi %[[END]], %[[C16]]
// CHECK: %[[RES:.*]]:3 = scf.for %{{.*}} = %{{.*}} to %[[NT]] step %{{.*}} iter_args(%[[M:.*]] = %{{.*}}, %[[L:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}}) -> (f32, f32, vector<64xf32>)
// CHECK: memref.load %[[K]][%{{.*}}, %[[KVH]], %{{.*}}, %{{.*}}] : memref<2x2x100x64xbf16>
// CHECK: memref.store {{.*}}, %[[KS]]
// CHECK: memref.load %[[V]][%{{.*}}, %[[KVH]],
// CHECK: memref.store {{.*}}, %[[VS]]
// CHECK: gpu.barrier
// CHECK: vector.load %[[KS]]
// CHECK: vector.reduction <add>
// CHECK: arith.cmpi sgt
// CHECK: arith.select
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: vector.load %[[VS]]
// CHECK: vector.fma
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK: arith.divf %[[RES]]#2
// CHECK: arith.truncf {{.*}} : vector<64xf32> to vector<64xbf16>
// CHECK: scf.if
// CHECK: vector.store {{.*}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[T]]
// No score buffer: nothing in the function has a 100 × 100 shape.
// CHECK-NOT: 100x100
// CHECK-NOT: ds_flash_attention
func.func @causal_gqa(%q: tensor<2x8x100x64xbf16>, %k: tensor<2x2x100x64xbf16>,
                      %v: tensor<2x2x100x64xbf16>) -> tensor<2x8x100x64xbf16> {
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32, causal = true}
      : (tensor<2x8x100x64xbf16>, tensor<2x2x100x64xbf16>, tensor<2x2x100x64xbf16>) -> tensor<2x8x100x64xbf16>
  return %0 : tensor<2x8x100x64xbf16>
}

// -----

// Not causal, with a boolean mask broadcast over heads and rows: every key
// tile is visited, each score is selected by the mask.
// CHECK-LABEL: func.func @bool_mask
// CHECK: %[[MASK:.*]] = bufferization.to_buffer %arg3 read_only : tensor<2x1x1x32xi1>
// CHECK: gpu.launch
// CHECK-NOT: arith.ceildivsi {{.*}}minsi
// CHECK: scf.for
// CHECK: memref.load %[[MASK]][%{{.*}}, %[[Z:.*]], %[[Z]], %{{.*}}] : memref<2x1x1x32xi1>
// CHECK: arith.select
// CHECK-NOT: arith.truncf
// CHECK: vector.store
func.func @bool_mask(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x32x32xf32>,
                     %v: tensor<2x4x32x16xf32>, %m: tensor<2x1x1x32xi1>)
    -> tensor<2x4x16x16xf32> {
  %0 = dsg.attention %q, %k, %v, %m {scale = 0.5 : f32}
      : (tensor<2x4x16x32xf32>, tensor<2x4x32x32xf32>, tensor<2x4x32x16xf32>, tensor<2x1x1x32xi1>) -> tensor<2x4x16x16xf32>
  return %0 : tensor<2x4x16x16xf32>
}

// -----

// An additive f16 mask of rank 2 (rows × keys) is added to the scores.
// CHECK-LABEL: func.func @additive_mask
// CHECK: gpu.launch
// CHECK: memref.load %{{.*}} : memref<16x16xf16>
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.addf
func.func @additive_mask(%q: tensor<1x2x16x8xf16>, %k: tensor<1x2x16x8xf16>,
                         %v: tensor<1x2x16x8xf16>, %m: tensor<16x16xf16>)
    -> tensor<1x2x16x8xf16> {
  %0 = dsg.attention %q, %k, %v, %m {scale = 1.0 : f32}
      : (tensor<1x2x16x8xf16>, tensor<1x2x16x8xf16>, tensor<1x2x16x8xf16>, tensor<16x16xf16>) -> tensor<1x2x16x8xf16>
  return %0 : tensor<1x2x16x8xf16>
}
