// RUN: ds-opt %s -split-input-file -ds-convert-dsc-to-runtime -cse | FileCheck %s

shard.grid @grid(shape = 2x4)

// CHECK-DAG: memref.global "private" @ds_collective_status : memref<i32> = dense<0>
// CHECK-DAG: memref.global "private" constant @__dsc_grid_2_4 : memref<2xi64> = dense<[2, 4]>
// CHECK-DAG: memref.global "private" constant @__dsc_axes_1 : memref<1xi32> = dense<1>
// CHECK-DAG: func.func private @dsrt_all_reduce(!llvm.ptr, !llvm.ptr, i64, i32, i32, !llvm.ptr, i32, !llvm.ptr, i32, i32) -> i32
// CHECK-DAG: func.func private @dsrt_world_size() -> i32

// CHECK-LABEL: func.func @all_reduce
// The world must have as many ranks as the grid (status -1 otherwise).
// CHECK:      %[[WS:.*]] = call @dsrt_world_size() : () -> i32
// CHECK:      %[[BAD:.*]] = arith.cmpi ne, %[[WS]], %c8_i32
// CHECK:      scf.if %[[BAD]] {
// CHECK:        memref.store %c-1_i32, %{{.*}}[] : memref<i32>
// CHECK:      %[[IN:.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK:      %[[INP:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:      memref.extract_aligned_pointer_as_index %arg1
// CHECK:      %[[STATUS:.*]] = memref.get_global @ds_collective_status
// CHECK:      %[[CUR:.*]] = memref.load %[[STATUS]][]
// CHECK:      %[[OK:.*]] = arith.cmpi eq, %[[CUR]], %c0_i32
// CHECK:      scf.if %[[OK]] {
// CHECK:        %[[R:.*]] = func.call @dsrt_all_reduce(%[[INP]], %{{.*}}, %c128_i64, %c1_i32, %c2_i32, %{{.*}}, %c2_i32, %{{.*}}, %c1_i32, %c1_i32)
// CHECK:        memref.store %[[R]], %[[STATUS]][]
func.func @all_reduce(%in: memref<8x16xf32>, %out: memref<8x16xf32>) {
  dsc.all_reduce %in into %out on @grid grid_axes = [1] reduction = max algorithm = ring : memref<8x16xf32>, memref<8x16xf32>
  return
}

// -----

shard.grid @grid(shape = 4)

// Per-rank chunk counts: the operand for all_gather, the result for
// reduce_scatter, a quarter of the operand for all_to_all. dtype codes:
// f16 = 10, i32 = 6, i64 = 7, f32 = 1.
// CHECK-LABEL: func.func @chunks
// CHECK: call @dsrt_all_gather(%{{.*}}, %{{.*}}, %c6_i64, %c10_i32, %{{.*}}, %c1_i32, %{{.*}}, %c1_i32, %c0_i32)
// CHECK: call @dsrt_reduce_scatter(%{{.*}}, %{{.*}}, %c6_i64, %c6_i32, %c0_i32, %{{.*}}, %c1_i32, %{{.*}}, %c1_i32, %c3_i32)
// CHECK: %[[N:.*]] = arith.divsi %c24_i64, %c4_i64
// CHECK: call @dsrt_all_to_all(%{{.*}}, %{{.*}}, %[[N]], %c7_i32
// CHECK: memref.copy %arg7, %arg8
// CHECK: call @dsrt_broadcast(%{{.*}}, %c4_i64, %c1_i32, %c3_i64
func.func @chunks(%a: memref<2x3xf16>, %b: memref<8x3xf16>, %c: memref<24xi32>, %d: memref<6xi32>,
                  %e: memref<24xi64>, %f: memref<24xi64>, %g: memref<4xi32>, %h: memref<4xf32>, %i: memref<4xf32>) {
  dsc.all_gather %a into %b on @grid grid_axes = [0] gather_axis = 0 : memref<2x3xf16>, memref<8x3xf16>
  dsc.reduce_scatter %c into %d on @grid grid_axes = [0] scatter_axis = 0 algorithm = rabenseifner : memref<24xi32>, memref<6xi32>
  dsc.all_to_all %e into %f on @grid grid_axes = [0] split_axis = 0 concat_axis = 0 : memref<24xi64>, memref<24xi64>
  dsc.broadcast %h into %i on @grid grid_axes = [0] root = 3 : memref<4xf32>, memref<4xf32>
  return
}

// -----

shard.grid @grid(shape = 4)

// Dynamic sizes: the count is computed at run time.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[D:.*]] = memref.dim %arg0, %c0
// CHECK: %[[D64:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: %[[N:.*]] = arith.muli %c5_i64, %[[D64]]
// CHECK: call @dsrt_all_reduce(%{{.*}}, %{{.*}}, %[[N]],
func.func @dynamic(%in: memref<?x5xf32>, %out: memref<?x5xf32>) {
  dsc.all_reduce %in into %out on @grid grid_axes = [0] : memref<?x5xf32>, memref<?x5xf32>
  return
}

// -----

shard.grid @grid(shape = 4)

// Point to point and ranks; a group of one rank is a copy.
// CHECK-LABEL: func.func @p2p
// CHECK: call @dsrt_send(%{{.*}}, %c4_i64, %c1_i32, %c2_i64, %c9_i32)
// CHECK: call @dsrt_recv(%{{.*}}, %c4_i64, %c1_i32, %c0_i64, %c0_i32)
// CHECK: %[[R:.*]] = call @dsrt_world_rank() : () -> i32
// CHECK: arith.index_cast %[[R]] : i32 to index
// CHECK: memref.copy %arg0, %arg1
// CHECK-NOT: dsc.
func.func @p2p(%a: memref<4xf32>, %b: memref<4xf32>) -> index {
  dsc.send %a to 2 tag = 9 : memref<4xf32>
  dsc.recv from 0 into %b : memref<4xf32>
  %r = dsc.world_rank : index
  dsc.all_reduce %a into %b on @grid : memref<4xf32>, memref<4xf32>
  return %r : index
}
