// RUN: ds-opt %s --ds-convert-graph-to-linalg --canonicalize -split-input-file | FileCheck %s --implicit-check-not=256x256

// Causal, static: loops over heads and query tiles of 64, and a key loop
// that ends at the tile's diagonal (min(Lk, qi + 64)), so tiles above the
// diagonal are never visited. Only tile-sized tensors: no 256x256 scores.
// CHECK-LABEL: func @causal
// CHECK: %[[KT:.*]] = linalg.transpose ins(%arg1 : tensor<1x4x256x64xf32>) outs(%{{.*}} : tensor<1x4x64x256xf32>) permutation = [0, 1, 3, 2]
// CHECK: scf.for %[[H:.*]] = %c0 to %c4 step %c1
// CHECK: scf.for %[[QI:.*]] = %c0 to %c256 step %c64
// CHECK: %[[Q:.*]] = tensor.extract_slice %arg0[0, %[[H]], %[[QI]], 0] [1, 1, 64, 64] [1, 1, 1, 1] : tensor<1x4x256x64xf32> to tensor<64x64xf32>
// CHECK: %[[LAST:.*]] = arith.addi %[[QI]], %c64
// CHECK: %[[END:.*]] = arith.minsi %[[LAST]], %c256
// CHECK: %[[KEND:.*]] = arith.maxsi %[[END]], %c0
// CHECK: scf.for %[[KJ:.*]] = %c0 to %[[KEND]] step %c64 iter_args(%[[M:.*]] = %{{.*}}, %[[L:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}}) -> (tensor<64xf32>, tensor<64xf32>, tensor<64x64xf32>)
// CHECK: tensor.extract_slice %[[KT]][0, %[[H]], 0, %[[KJ]]] [1, 1, 64, 64]
// CHECK: tensor.extract_slice %arg2[0, %[[H]], %[[KJ]], 0] [1, 1, 64, 64]
// s = q k^T as a register-blocked micro-kernel: blocks of 4 rows, 16
// accumulators of vector<16xf32> carried across the head-dim loop.
// CHECK: %[[S:.*]] = scf.for %[[I:.*]] = %c0 to %c64 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.transfer_read {{.*}} : tensor<64x64xf32>, vector<16xf32>
// CHECK: tensor.extract
// CHECK: vector.broadcast
// CHECK-COUNT-4: vector.fma
// CHECK-COUNT-16: vector.transfer_write
// Scale, then -inf above the diagonal.
// CHECK: %[[S2:.*]] = linalg.generic {{.*}} outs(%[[S]] : tensor<64x64xf32>)
// CHECK: arith.mulf
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: arith.cmpi sgt
// CHECK: arith.select
// Row maximum (vectors combined lane-wise, then across lanes), new running
// maximum and the rescale factor.
// CHECK: scf.for
// CHECK-COUNT-4: vector.transfer_read %[[S2]]
// CHECK: vector.reduction <maximumf>
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<64xf32>) outs(%[[M]], %{{.*}} : tensor<64xf32>, tensor<64xf32>)
// p = exp(s - m) as a polynomial (no math.exp, which would become libm calls).
// CHECK-NOT: math.exp
// CHECK: linalg.generic
// CHECK: math.floor
// CHECK: arith.bitcast {{.*}} : i32 to f32
// l = l * alpha + rowsum(p), acc = acc * alpha + p v.
// CHECK: %[[LS:.*]] = linalg.generic {{.*}} outs(%[[L]] : tensor<64xf32>)
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[LS]])
// CHECK: vector.reduction <add>, {{.*}} fastmath<reassoc>
// CHECK: %[[ACCS:.*]] = linalg.generic {{.*}} outs(%[[ACC]] : tensor<64x64xf32>)
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ACCS]])
// CHECK-COUNT-16: vector.transfer_read
// CHECK: vector.fma
// CHECK: scf.yield
// out = acc / l, inserted at the tile.
// CHECK: arith.divf
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, %[[H]], %[[QI]], 0] [1, 1, 64, 64] [1, 1, 1, 1] : tensor<64x64xf32> into tensor<1x4x256x64xf32>
func.func @causal(%q: tensor<1x4x256x64xf32>, %k: tensor<1x4x256x64xf32>, %v: tensor<1x4x256x64xf32>) -> tensor<1x4x256x64xf32> {
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32, causal = true} : (tensor<1x4x256x64xf32>, tensor<1x4x256x64xf32>, tensor<1x4x256x64xf32>) -> tensor<1x4x256x64xf32>
  return %0 : tensor<1x4x256x64xf32>
}

// -----

// Grouped-query f16 with a boolean padding mask, lengths that tiles do not
// divide (partial tiles of min(64, L - i)): query head h reads KV head
// h / 4; the mask tile is sliced from its own (broadcast) dims; the f16
// inputs are widened in the products and the result narrowed at the end.
// CHECK-LABEL: func @gqa_mask
// CHECK: scf.for %[[B:.*]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[H:.*]] = %c0 to %c8 step %c1
// CHECK: scf.for %[[QI:.*]] = %c0 to %c100 step %c64
// CHECK: %[[G:.*]] = arith.divui %[[H]], %c4
// CHECK: %[[REST:.*]] = arith.subi %c100, %[[QI]]
// CHECK: %[[ROWS:.*]] = arith.minsi %[[REST]], %c64
// CHECK: scf.for %[[KJ:.*]] = %c0 to %c130 step %c64
// CHECK: %[[COLS:.*]] = arith.minsi
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[G]], 0, %[[KJ]]] [1, 1, 64, %[[COLS]]] {{.*}} to tensor<64x?xf16>
// CHECK: tensor.extract_slice %arg2[%[[B]], %[[G]], %[[KJ]], 0] [1, 1, %[[COLS]], 32] {{.*}} to tensor<?x32xf16>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x64xf16>, tensor<64x?xf16>) outs(%{{.*}} : tensor<?x?xf32>)
// CHECK: %[[MT:.*]] = tensor.extract_slice %arg3[%[[B]], 0, 0, %[[KJ]]] [1, 1, 1, %[[COLS]]] {{.*}} to tensor<1x?xi1>
// CHECK: linalg.generic {{.*}} ins(%[[MT]] : tensor<1x?xi1>)
// CHECK: arith.select %{{.*}}, %{{.*}}, %cst
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x?xf32>, tensor<?x32xf16>)
// CHECK: arith.truncf {{.*}} : f32 to f16
func.func @gqa_mask(%q: tensor<2x8x100x64xf16>, %k: tensor<2x2x130x64xf16>, %v: tensor<2x2x130x32xf16>, %m: tensor<2x1x1x130xi1>) -> tensor<2x8x100x32xf16> {
  %0 = dsg.attention %q, %k, %v, %m {scale = 0.125 : f32} : (tensor<2x8x100x64xf16>, tensor<2x2x130x64xf16>, tensor<2x2x130x32xf16>, tensor<2x1x1x130xi1>) -> tensor<2x8x100x32xf16>
  return %0 : tensor<2x8x100x32xf16>
}

// -----

// Dynamic sizes, an additive 2-D mask, causal with Lk - Lq computed at run
// time (bottom-right alignment).
// CHECK-LABEL: func @dynamic
// CHECK-DAG: %[[LQ:.*]] = tensor.dim %arg0, %c2
// CHECK-DAG: %[[LK:.*]] = tensor.dim %arg1, %c2
// CHECK: %[[OFF:.*]] = arith.subi %[[LK]], %[[LQ]]
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for %[[QI:.*]] = %c0 to %[[LQ]] step %c64
// CHECK: scf.for %[[KJ:.*]] = %c0 to %{{.*}} step %c64
// CHECK: tensor.extract_slice %arg3[%[[QI]], %[[KJ]]]
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.addi %{{.*}}, %[[OFF]]
// CHECK: arith.cmpi sgt
func.func @dynamic(%q: tensor<?x4x?x64xf32>, %k: tensor<?x4x?x64xf32>, %v: tensor<?x4x?x64xf32>, %m: tensor<?x?xf32>) -> tensor<?x4x?x64xf32> {
  %0 = dsg.attention %q, %k, %v, %m {scale = 0.125 : f32, causal = true} : (tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x?xf32>) -> tensor<?x4x?x64xf32>
  return %0 : tensor<?x4x?x64xf32>
}
