// RUN: ds-opt %s --ds-gpu-tensor-core-matmul --cse --split-input-file | FileCheck %s
// RUN: ds-opt %s --ds-gpu-tensor-core-matmul=allow-tf32=true --cse --split-input-file | FileCheck %s --check-prefix=TF32
// Matmuls left to the SIMT path, with the reasons: tensor-core-matmul-skipped.mlir.

// f16 × f16 → f32, 128 × 128 × 64: 64 × 64 block tiles (grid 2 × 2), four
// warps of 32 × 32 (128 threads), K in steps of 32. The A and B tiles are
// workgroup attributions whose rows are padded by 8 halves (16 bytes).
// CHECK-LABEL: func.func @matmul_f16
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %[[BZ:.*]]) in (%{{.*}} = %[[C2]], %{{.*}} = %[[C2]], %{{.*}} = %[[C1]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK-SAME: workgroup(%[[AS:.*]] : memref<64x40xf16, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<32x72xf16, #gpu.address_space<workgroup>>)
// The accumulators start from C: 2 × 4 mma tiles per warp.
// CHECK-COUNT-16: vector.load %arg2
// CHECK: %[[R:.*]]:8 = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// Cooperative 16-byte copies of the A (64 × 32) and B (32 × 64) tiles:
// 256 chunks each, two per thread.
// CHECK-COUNT-2: vector.load %arg0{{.*}} vector<8xf16>
// CHECK-COUNT-2: vector.load %arg1{{.*}} vector<8xf16>
// CHECK: gpu.barrier
// CHECK: nvgpu.ldmatrix %[[AS]][{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x40xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK: nvgpu.ldmatrix %[[BS]][{{.*}}] {numTiles = 2 : i32, transpose = true} : memref<32x72xf16, #gpu.address_space<workgroup>> -> vector<2x2xf16>
// Two k16 steps × 8 tiles.
// CHECK-COUNT-16: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK-COUNT-16: vector.store {{.*}}, %arg2
// CHECK: gpu.terminator
// CHECK-NOT: linalg.matmul
func.func @matmul_f16(%a: memref<128x64xf16>, %b: memref<64x128xf16>,
                      %c: memref<128x128xf32>) {
  linalg.matmul ins(%a, %b : memref<128x64xf16>, memref<64x128xf16>)
                outs(%c : memref<128x128xf32>)
  return
}

// -----

// batch_matmul: the batch is the grid's z; small tiles shrink the block
// (16 × 8: one warp holding one accumulator), and K = 16 is one step.
// CHECK-LABEL: func.func @batch_matmul_small
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[C1]], %{{.*}} = %[[C1]], %{{.*}} = %[[C3]]) threads({{.*}}) in (%{{.*}} = %[[C32]],
// CHECK-SAME: workgroup(%{{.*}} : memref<16x24xf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x16xf16, #gpu.address_space<workgroup>>)
// CHECK: vector.load %arg2[%[[BZ:.*]], %{{.*}}, %{{.*}}]
// CHECK: scf.for
// CHECK: vector.load %arg0[%[[BZ]],
// CHECK: nvgpu.mma.sync
// CHECK-NOT: nvgpu.mma.sync
// CHECK: vector.store %{{.*}}, %arg2[%[[BZ]],
func.func @batch_matmul_small(%a: memref<3x16x16xf16>, %b: memref<3x16x8xf16>,
                              %c: memref<3x16x8xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x16x16xf16>, memref<3x16x8xf16>)
                      outs(%c : memref<3x16x8xf32>)
  return
}

// -----

// bf16 takes the same kernel (ldmatrix moves 16-bit elements either way).
// CHECK-LABEL: func.func @matmul_bf16
// CHECK: gpu.launch
// CHECK: nvgpu.ldmatrix {{.*}} -> vector<4x2xbf16>
// CHECK: nvgpu.ldmatrix {{.*}} -> vector<2x2xbf16>
// CHECK: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
func.func @matmul_bf16(%a: memref<64x32xbf16>, %b: memref<32x64xbf16>,
                       %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xbf16>, memref<32x64xbf16>)
                outs(%c : memref<64x64xf32>)
  return
}

// -----

// f32 takes tensor cores only with allow-tf32: m16n8k8 with tf32Enabled,
// operands gathered lane by lane from workgroup memory (no ldmatrix).
// CHECK-LABEL: func.func @matmul_f32
// CHECK: linalg.matmul
// CHECK-NOT: gpu.launch
// TF32-LABEL: func.func @matmul_f32
// TF32: gpu.launch
// TF32-SAME: workgroup(%[[AS:.*]] : memref<32x36xf32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<32x68xf32, #gpu.address_space<workgroup>>)
// TF32: vector.load %arg0{{.*}} vector<4xf32>
// TF32-NOT: nvgpu.ldmatrix
// TF32: memref.load %[[AS]]
// TF32: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// TF32-NOT: linalg.matmul
func.func @matmul_f32(%a: memref<32x64xf32>, %b: memref<64x64xf32>,
                      %c: memref<32x64xf32>) {
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x64xf32>)
                outs(%c : memref<32x64xf32>)
  return
}

// -----

// M = 20 is not a multiple of 16: it is padded to 32 (one 32-row block).
// A's rows past M read row 19 and are replaced by zeros in workgroup
// memory; accumulator rows past M load a clamped row and are not stored.
// CHECK-LABEL: func.func @partial_m
// CHECK: gpu.launch
// CHECK: %[[R:.*]] = arith.minui %{{.*}}, %c19{{.*}} : index
// CHECK: vector.load %arg2[%[[R]],
// CHECK: scf.for
// CHECK: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %c20{{.*}} : index
// CHECK: %[[AR:.*]] = arith.minui %{{.*}}, %c19{{.*}} : index
// CHECK: %[[V:.*]] = vector.load %arg0[%[[AR]],
// CHECK: arith.select %[[IN]], %[[V]], %{{.*}} : vector<8xf16>
// CHECK: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK: %[[OK:.*]] = arith.cmpi ult, %{{.*}}, %c20{{.*}} : index
// CHECK: scf.if %[[OK]] {
// CHECK-NEXT: vector.store %{{.*}}, %arg2
func.func @partial_m(%a: memref<20x16xf16>, %b: memref<16x8xf16>,
                     %c: memref<20x8xf32>) {
  linalg.matmul ins(%a, %b : memref<20x16xf16>, memref<16x8xf16>)
                outs(%c : memref<20x8xf32>)
  return
}
