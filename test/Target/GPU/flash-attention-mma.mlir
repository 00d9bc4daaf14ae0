// RUN: ds-opt %s --ds-gpu-flash-attention --ds-gpu-expand-flash-attention --cse --split-input-file | FileCheck %s
// The per-tile counts (mma.sync, ldmatrix, shuffles), whole-function:
// RUN: ds-opt %s --ds-gpu-flash-attention --ds-gpu-expand-flash-attention --cse --split-input-file | FileCheck %s --check-prefix=COUNT
// The tensor-core (FlashAttention-2) kernel of ds-gpu-expand-flash-attention
// for f16/bf16; the SIMT fallback: flash-attention.mlir; which calls take
// the fallback and why: flash-attention-simt-fallback.mlir.

// Causal GQA in bf16, D = 128: B = 2, Hq = 8, Hkv = 2, Lq = Lk = 100 (not
// a multiple of the 64-key tile). Grid ceil(100/64) = 2 × 16 blocks of 4
// warps; K and V tiles of 64 rows padded to 136 bf16 (16 bytes).
// CHECK-LABEL: func.func @causal_gqa
// CHECK-DAG: %[[Q:.*]] = bufferization.to_buffer %arg0 read_only
// CHECK-DAG: %[[K:.*]] = bufferization.to_buffer %arg1 read_only
// CHECK-DAG: %[[V:.*]] = bufferization.to_buffer %arg2 read_only
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x8x100x128xbf16>
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %[[C2]], %{{.*}} = %[[C16]], %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]],
// CHECK-SAME: workgroup(%[[KS:.*]] : memref<64x136xbf16, #gpu.address_space<workgroup>>, %[[VS:.*]] : memref<64x136xbf16, #gpu.address_space<workgroup>>)
// The key/value head of query head h is h / 4.
// CHECK: %[[HEAD:.*]] = arith.remui %[[BY]], %{{.*}}
// CHECK: %[[KVH:.*]] = arith.divui %[[HEAD]], %{{.*}}
// The Q tile goes through the K buffer once (16-byte chunks, rows past Lq
// clamped to row 99) and stays in registers: D/16 = 8 ldmatrix.x4 per warp.
// CHECK: arith.minui %{{.*}}, %[[C99:.*]] : index
// CHECK: vector.load %[[Q]][%{{.*}}, %[[HEAD]], %{{.*}}, %{{.*}}] : memref<2x8x100x128xbf16>, vector<8xbf16>
// CHECK: vector.store %{{.*}}, %[[KS]][%{{.*}}, %{{.*}}] {alignment = 16 : i64}
// CHECK: gpu.barrier
// CHECK-COUNT-8: nvgpu.ldmatrix %[[KS]][%{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x136xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK-NEXT: gpu.barrier
// Causal tile skipping: tiles up to the bottom row's diagonal; the tiles
// every row of the block sees in full run without selects.
// CHECK: %[[NT:.*]] = arith.ceildivsi %{{.*}}, %[[C64:.*]] : index
// CHECK: %[[FULL:.*]] = arith.divsi %{{.*}}, %[[C64]] : index
// CHECK: %[[R1:.*]]:20 = scf.for %{{.*}} = %{{.*}} to %[[FULL]] step %{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, vector<2x2xf32>, vector<2x2xf32>,
// CHECK: vector.load %[[K]][%{{.*}}, %[[KVH]], %{{.*}}, %{{.*}}] : memref<2x2x100x128xbf16>, vector<8xbf16>
// CHECK: vector.load %[[V]][%{{.*}}, %[[KVH]], %{{.*}}, %{{.*}}] : memref<2x2x100x128xbf16>, vector<8xbf16>
// CHECK: gpu.barrier
// S = Q·Kᵀ: 8 key tiles × D/16 = 64 mma.sync, K fragments by ldmatrix.x2.
// CHECK: nvgpu.ldmatrix %[[KS]][%{{.*}}, %{{.*}}] {numTiles = 2 : i32, transpose = false} : memref<64x136xbf16, #gpu.address_space<workgroup>> -> vector<2x2xbf16>
// CHECK-NEXT: nvgpu.mma.sync(%{{.*}}, %{{.*}}, %{{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-NOT: arith.cmpi sgt
// The scale, on the f32 accumulators.
// CHECK: arith.mulf %{{.*}}, %{{.*}} : vector<2x2xf32>
// CHECK-NOT: arith.cmpi sgt
// Row max over the 4 lanes of a row, the online-softmax update.
// CHECK: vector.reduction <maximumf>
// CHECK: gpu.shuffle xor %{{.*}}, %[[ONE:.*]], %[[W:.*]] : f32
// CHECK: gpu.shuffle xor %{{.*}}, %{{.*}}, %[[W]] : f32
// CHECK: math.exp
// P in registers, converted, is the A operand of P·V; V by ldmatrix.trans.
// CHECK: arith.truncf %{{.*}} : vector<2x2xf32> to vector<2x2xbf16>
// CHECK: nvgpu.ldmatrix %[[VS]][%{{.*}}, %{{.*}}] {numTiles = 2 : i32, transpose = true} : memref<64x136xbf16, #gpu.address_space<workgroup>> -> vector<2x2xbf16>
// CHECK-NEXT: nvgpu.mma.sync
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield
// The diagonal (and past-Lk) tiles: keys above the diagonal are -inf.
// CHECK: %[[R2:.*]]:20 = scf.for %{{.*}} = %[[FULL]] to %[[NT]] step %{{.*}} iter_args(%{{.*}} = %[[R1]]#0,
// CHECK: arith.cmpi sgt
// CHECK: arith.select
// CHECK: scf.yield
// The row sums reduced over the 4 lanes, O / l, stored for rows < Lq.
// CHECK: gpu.shuffle xor %[[R2]]#2
// CHECK: gpu.shuffle xor
// CHECK: arith.divf %{{.*}}, %{{.*}} : vector<2xf32>
// CHECK: arith.truncf %{{.*}} : vector<2xf32> to vector<2xbf16>
// CHECK: scf.if
// CHECK: vector.store %{{.*}}, %[[OUT]][%{{.*}}, %[[HEAD]], %{{.*}}, %{{.*}}] : memref<2x8x100x128xbf16>, vector<2xbf16>
// CHECK: gpu.terminator
// No score buffer: nothing has a 100 × 100 shape.
// CHECK-NOT: 100x100
// CHECK-NOT: ds_flash_attention
// COUNT-LABEL: func.func @causal_gqa
// Per 64-key tile: 8 × 128/16 = 64 mma.sync for S, 4 × 128/8 = 64 for
// P·V, in each of the two loops; 8 Q + 2 × (64 + 64) ldmatrix.
// COUNT-COUNT-256: nvgpu.mma.sync
// COUNT-NOT: nvgpu.mma.sync
// COUNT: return
func.func @causal_gqa(%q: tensor<2x8x100x128xbf16>, %k: tensor<2x2x100x128xbf16>,
                      %v: tensor<2x2x100x128xbf16>) -> tensor<2x8x100x128xbf16> {
  %0 = dsg.attention %q, %k, %v {scale = 0.08838834764 : f32, causal = true}
      : (tensor<2x8x100x128xbf16>, tensor<2x2x100x128xbf16>, tensor<2x2x100x128xbf16>) -> tensor<2x8x100x128xbf16>
  return %0 : tensor<2x8x100x128xbf16>
}

// -----

// f16, D = 64, not causal, Lq = Lk = 256: one loop, no bound or causal
// selects, no guarded stores; 64 × 72 f16 tiles.
// CHECK-LABEL: func.func @full_f16
// CHECK: gpu.launch
// CHECK-SAME: workgroup(%{{.*}} : memref<64x72xf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<64x72xf16, #gpu.address_space<workgroup>>)
// CHECK-NOT: arith.minui
// CHECK: scf.for
// CHECK-NOT: arith.cmpi
// CHECK: scf.yield
// CHECK-NOT: scf.for
// CHECK-NOT: scf.if
// CHECK: vector.store %{{.*}} : memref<1x4x256x64xf16>, vector<2xf16>
// COUNT-LABEL: func.func @full_f16
// 8 × 64/16 = 32 mma.sync for S and 4 × 64/8 = 32 for P·V per tile, one
// loop; 64/16 + 32 + 32 ldmatrix; 2 rows × 2 + 2 × 2 xor shuffles.
// COUNT-COUNT-64: nvgpu.mma.sync
// COUNT-NOT: nvgpu.mma.sync
// COUNT: return
func.func @full_f16(%q: tensor<1x4x256x64xf16>, %k: tensor<1x4x256x64xf16>,
                    %v: tensor<1x4x256x64xf16>) -> tensor<1x4x256x64xf16> {
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32}
      : (tensor<1x4x256x64xf16>, tensor<1x4x256x64xf16>, tensor<1x4x256x64xf16>) -> tensor<1x4x256x64xf16>
  return %0 : tensor<1x4x256x64xf16>
}

// -----

// A boolean mask broadcast over heads and rows, Lk = 96 (one full tile and
// a partial one): the mask selects on every tile; keys past Lk are -inf on
// the last tile only (no causal compare).
// CHECK-LABEL: func.func @bool_mask
// CHECK: %[[MASK:.*]] = bufferization.to_buffer %arg3 read_only : tensor<1x1x1x96xi1>
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK: memref.load %[[MASK]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<1x1x1x96xi1>
// CHECK: arith.select
// CHECK-NOT: arith.cmpi sge
// CHECK: scf.yield
// CHECK: scf.for
// CHECK: memref.load %[[MASK]]
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : index
// CHECK: scf.yield
// CHECK: vector.store %{{.*}} : memref<1x2x64x64xbf16>, vector<2xbf16>
func.func @bool_mask(%q: tensor<1x2x64x64xbf16>, %k: tensor<1x2x96x64xbf16>,
                     %v: tensor<1x2x96x64xbf16>, %m: tensor<1x1x1x96xi1>)
    -> tensor<1x2x64x64xbf16> {
  %0 = dsg.attention %q, %k, %v, %m {scale = 0.125 : f32}
      : (tensor<1x2x64x64xbf16>, tensor<1x2x96x64xbf16>, tensor<1x2x96x64xbf16>, tensor<1x1x1x96xi1>) -> tensor<1x2x64x64xbf16>
  return %0 : tensor<1x2x64x64xbf16>
}
