// RUN: ds-opt %s --split-input-file --ds-gpu-expand-quantized --cse | FileCheck %s

// The int8 GEMM: N = 32 → one 32-column block tile (4 fragments of 8),
// M = 6 → one 64-row block tile of 4 warps; one k-group (per channel) of
// two m16n8k32 steps.
// CHECK-LABEL: func.func @int8(
// CHECK-NOT: call @ds_gpu_qmatmul
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C128:.+]] = arith.constant 128 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[C1]], {{.*}} = %[[C1]], {{.*}} = %[[C1]]) threads({{.*}}) in ({{.*}} = %[[C128]], {{.*}} = %[[C1]], {{.*}} = %[[C1]])
// Rows past M = 6 read row 5.
// CHECK: arith.minui %{{.+}}, %c5
// The group loop (f32 fragments) around the K loop (i32 fragments).
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>)
// CHECK-COUNT-4: vector.load %arg0[{{.+}}] : memref<6x64xi8>, vector<4xi8>
// CHECK: vector.load %arg2[{{.+}}] : memref<32x64xi8>, vector<4xi8>
// CHECK: vector.load %arg2[{{.+}}] : memref<32x64xi8>, vector<4xi8>
// CHECK: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 32]} : (vector<4x4xi8>, vector<2x4xi8>, vector<2x2xi32>) -> vector<2x2xi32>
// CHECK-COUNT-3: nvgpu.mma.sync
// CHECK: scf.yield
// The group's weight scales (columns 2t, 2t+1) applied to the i32 sums.
// CHECK: memref.load %arg3[
// CHECK: memref.load %arg3[
// CHECK: arith.sitofp %{{.+}} : vector<2x2xi32> to vector<2x2xf32>
// Epilogue: activation scale per row, bias, stores guarded by row < M.
// CHECK: memref.load %arg1[
// CHECK: memref.load %arg1[
// CHECK: vector.load %arg4[{{.+}}] : memref<32xf32>, vector<2xf32>
// CHECK: arith.cmpi ult, %{{.+}}, %c6
// CHECK: scf.if
// CHECK: vector.store %{{.+}}, %arg5[{{.+}}] : memref<6x32xf32>, vector<2xf32>
// CHECK-NOT: func.func private @ds_gpu_qmatmul
func.func private @ds_gpu_qmatmul(memref<6x64xi8>, memref<6xf32>, memref<32x64xi8>, memref<32x1xf32>, memref<32xf32>, memref<6x32xf32>) attributes {ds.gpu_qmatmul = {bits = 8 : i64}}
func.func @int8(%x: memref<6x64xi8>, %xs: memref<6xf32>, %w: memref<32x64xi8>, %ws: memref<32x1xf32>, %b: memref<32xf32>, %out: memref<6x32xf32>) {
  call @ds_gpu_qmatmul(%x, %xs, %w, %ws, %b, %out) : (memref<6x64xi8>, memref<6xf32>, memref<32x64xi8>, memref<32x1xf32>, memref<32xf32>, memref<6x32xf32>) -> ()
  return
}

// -----

// int4, groups of 32, a per-tensor scale, no bias, N = 16 (2 fragments):
// two packed bytes per B register, sign-extended nibble by nibble and
// interleaved (element 2j in the low nibble of byte j).
// CHECK-LABEL: func.func @int4(
// CHECK: gpu.launch
// CHECK: vector.load %arg2[{{.+}}] : memref<16x32xi8>, vector<2xi8>
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.shrsi
// CHECK: vector.shuffle %{{.+}}, %{{.+}} [0, 2, 1, 3] : vector<2xi8>, vector<2xi8>
// CHECK: nvgpu.mma.sync
// CHECK: memref.load %arg1[] : memref<f32>
// CHECK-NOT: vector.load %{{.+}} : memref<16xf32>
// CHECK: vector.store %{{.+}}, %arg4[{{.+}}] : memref<4x16xf32>, vector<2xf32>
func.func private @ds_gpu_qmatmul(memref<4x64xi8>, memref<f32>, memref<16x32xi8>, memref<16x2xf32>, memref<4x16xf32>) attributes {ds.gpu_qmatmul = {bits = 4 : i64}}
func.func @int4(%x: memref<4x64xi8>, %xs: memref<f32>, %w: memref<16x32xi8>, %ws: memref<16x2xf32>, %out: memref<4x16xf32>) {
  call @ds_gpu_qmatmul(%x, %xs, %w, %ws, %out) : (memref<4x64xi8>, memref<f32>, memref<16x32xi8>, memref<16x2xf32>, memref<4x16xf32>) -> ()
  return
}

// -----

// Quantization: one block of 256 threads per row, a strided absmax, five
// xor shuffles, 8 warp partials in workgroup memory, then round and clamp.
// CHECK-LABEL: func.func @quantize(
// CHECK-DAG: %[[C6:.+]] = arith.constant 6 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[C6]], {{.*}}) threads({{.*}}) in ({{.*}} = %[[C256]], {{.*}}) workgroup(%[[P:.+]] : memref<8xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: memref.store %{{.+}}, %[[P]]
// CHECK: gpu.barrier
// CHECK: arith.divf %{{.+}}, %cst
// CHECK: memref.store %{{.+}}, %arg2[
// CHECK: scf.for
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.+}} : f32 to i8
// CHECK: memref.store %{{.+}}, %arg1[
func.func private @ds_gpu_quantize(memref<6x64xf32>, memref<6x64xi8>, memref<6xf32>) attributes {ds.gpu_quantize = {bits = 8 : i64}}
func.func @quantize(%x: memref<6x64xf32>, %q: memref<6x64xi8>, %s: memref<6xf32>) {
  call @ds_gpu_quantize(%x, %q, %s) : (memref<6x64xf32>, memref<6x64xi8>, memref<6xf32>) -> ()
  return
}
