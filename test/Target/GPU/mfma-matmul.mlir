// RUN: ds-opt %s --ds-gpu-mfma-matmul --cse --split-input-file | FileCheck %s
// RUN: ds-opt %s --ds-gpu-mfma-matmul=chip=gfx90a --cse --split-input-file | FileCheck %s
// Matmuls left to the SIMT path, with the reasons: mfma-matmul-skipped.mlir.

// f32 × f32 → f32, 128 × 128 × 64: 64 × 64 block tiles (grid 2 × 2), four
// wave64 waves of 32 × 32 (256 threads), K in steps of 32. The A and B
// tiles are workgroup attributions (LDS) whose rows are padded by 4 floats
// (16 bytes).
// CHECK-LABEL: func.func @matmul_f32
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %[[BZ:.*]]) in (%{{.*}} = %[[C2]], %{{.*}} = %[[C2]], %{{.*}} = %[[C1]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK-SAME: workgroup(%[[AS:.*]] : memref<64x36xf32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<32x68xf32, #gpu.address_space<workgroup>>)
// Wave and lane of the thread; lane l works on row/column l % 16 and K
// slice l / 16.
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[WAVE:.*]] = arith.divui %[[TX]], %[[C64]]
// CHECK: %[[LANE:.*]] = arith.remui %[[TX]], %[[C64]]
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: %[[L16:.*]] = arith.remui %[[LANE]], %[[C16]]
// CHECK: %[[QUAD:.*]] = arith.divui %[[LANE]], %[[C16]]
// The accumulators start from C: 2 × 2 tiles of 16 × 16 per wave, four
// values per lane (rows 4 · (l / 16) + e of column l % 16).
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: arith.muli %[[QUAD]], %[[C4]]
// CHECK-COUNT-16: memref.load %arg2
// CHECK: %[[R:.*]]:4 = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// Cooperative 16-byte copies of the A (64 × 32) and B (32 × 64) tiles:
// 512 chunks each, two per thread.
// CHECK-COUNT-2: vector.load %arg0{{.*}} vector<4xf32>
// CHECK-COUNT-2: vector.load %arg1{{.*}} vector<4xf32>
// CHECK: gpu.barrier
// A: row l % 16 at K = l / 16; B: K = l / 16 at column l % 16.
// CHECK: %[[AROW:.*]] = arith.addi %{{.*}}, %[[L16]]
// CHECK: %[[KQ:.*]] = arith.muli %[[QUAD]], %[[C1]]
// CHECK: %[[AK:.*]] = arith.addi %{{.*}}, %[[KQ]]
// CHECK: memref.load %[[AS]][%[[AROW]], %[[AK]]]
// CHECK: memref.load %[[AS]]
// CHECK: %[[BCOL:.*]] = arith.addi %{{.*}}, %[[L16]]
// CHECK: memref.load %[[BS]][%[[AK]], %[[BCOL]]]
// Eight k4 steps × four tiles.
// CHECK-COUNT-32: amdgpu.mfma 16x16x4 %{{.*}} * %{{.*}} + %{{.*}} blgp = none : f32, f32, vector<4xf32>
// CHECK-NOT: amdgpu.mfma
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK-COUNT-16: memref.store {{.*}}, %arg2
// CHECK: gpu.terminator
// CHECK-NOT: linalg.matmul
func.func @matmul_f32(%a: memref<128x64xf32>, %b: memref<64x128xf32>,
                      %c: memref<128x128xf32>) {
  linalg.matmul ins(%a, %b : memref<128x64xf32>, memref<64x128xf32>)
                outs(%c : memref<128x128xf32>)
  return
}

// -----

// f16 batch_matmul: the batch is the grid's z; a 16 × 16 block is one wave
// with one accumulator, K = 16 one step of 16x16x16. A's four K values per
// lane are contiguous (one vector load), B's are gathered from four rows.
// CHECK-LABEL: func.func @batch_matmul_f16
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[C1]], %{{.*}} = %[[C1]], %{{.*}} = %[[C3]]) threads({{.*}}) in (%{{.*}} = %[[C64]],
// CHECK-SAME: workgroup(%[[AS:.*]] : memref<16x24xf16, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<16x24xf16, #gpu.address_space<workgroup>>)
// CHECK: memref.load %arg2[%[[BZ:.*]], %{{.*}}, %{{.*}}]
// CHECK: scf.for
// CHECK: vector.load %arg0[%[[BZ]],
// CHECK: %[[A:.*]] = vector.load %[[AS]][{{.*}}] : memref<16x24xf16, #gpu.address_space<workgroup>>, vector<4xf16>
// CHECK-COUNT-4: memref.load %[[BS]]
// CHECK: %[[B:.*]] = vector.from_elements {{.*}} : vector<4xf16>
// CHECK: amdgpu.mfma 16x16x16 %[[A]] * %[[B]] + %{{.*}} blgp = none : vector<4xf16>, vector<4xf16>, vector<4xf32>
// CHECK-NOT: amdgpu.mfma
// CHECK: memref.store %{{.*}}, %arg2[%[[BZ]],
func.func @batch_matmul_f16(%a: memref<3x16x16xf16>, %b: memref<3x16x16xf16>,
                            %c: memref<3x16x16xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x16x16xf16>, memref<3x16x16xf16>)
                      outs(%c : memref<3x16x16xf32>)
  return
}

// -----

// bf16 takes the same 16x16x16 shape (v_mfma_f32_16x16x16bf16_1k).
// CHECK-LABEL: func.func @matmul_bf16
// CHECK: gpu.launch
// CHECK-COUNT-8: amdgpu.mfma 16x16x16 {{.*}} : vector<4xbf16>, vector<4xbf16>, vector<4xf32>
// CHECK-NOT: amdgpu.mfma
func.func @matmul_bf16(%a: memref<64x32xbf16>, %b: memref<32x64xbf16>,
                       %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xbf16>, memref<32x64xbf16>)
                outs(%c : memref<64x64xf32>)
  return
}

// -----

// M = 20 is padded to 32 (one block of one wave, two tiles down): rows past
// M read the last row of A and are replaced by zeros; C's rows are clamped
// for the initial loads and the stores past M are skipped.
// CHECK-LABEL: func.func @matmul_partial_m
// CHECK: gpu.launch
// CHECK-SAME: workgroup(%{{.*}} : memref<32x12xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<8x20xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[C19:.*]] = arith.constant 19 : index
// CHECK: arith.minui %{{.*}}, %[[C19]]
// CHECK: scf.for
// CHECK: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[C20:c20[_0-9]*]]
// CHECK: %[[CL:.*]] = arith.minui %{{.*}}, %[[C19]]
// CHECK: %[[V:.*]] = vector.load %arg0[%[[CL]], %{{.*}}]
// CHECK: arith.select %[[IN]], %[[V]], %{{.*}} : vector<4xf32>
// CHECK-COUNT-4: amdgpu.mfma 16x16x4
// CHECK: scf.yield
// CHECK: arith.cmpi ult, %{{.*}}, %{{c20[_0-9]*}}
// CHECK-NEXT: scf.if
// CHECK-NEXT: memref.store
func.func @matmul_partial_m(%a: memref<20x8xf32>, %b: memref<8x16xf32>,
                            %c: memref<20x16xf32>) {
  linalg.matmul ins(%a, %b : memref<20x8xf32>, memref<8x16xf32>)
                outs(%c : memref<20x16xf32>)
  return
}
