// RUN: ds-opt %s --ds-gpu-distribute-parallel-loops=block-size=128 --split-input-file | FileCheck %s

// A 3-D loop becomes block_x × thread_x over the linearized space (2*3*5 =
// 30 iterations, ceildiv(30, 128) blocks); each thread recomputes the
// indices, innermost fastest, under an index < 30 guard.
// CHECK-LABEL: func.func @rank3
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[NB:.*]] = arith.ceildivsi %[[TOTAL:.*]], %[[C128]]
// CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[NB]]) step
// CHECK:   scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[C128]]) step
// CHECK:     %[[BASE:.*]] = arith.muli %[[B]], %[[C128]]
// CHECK:     %[[LIN:.*]] = arith.addi %[[BASE]], %[[T]]
// CHECK:     %[[IN:.*]] = arith.cmpi slt, %[[LIN]], %[[TOTAL]]
// CHECK:     scf.if %[[IN]] {
// CHECK:       arith.remui %[[LIN]]
// CHECK:       %[[REST:.*]] = arith.divui %[[LIN]]
// CHECK:       arith.remui %[[REST]]
// CHECK:       memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}]
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NOT: scf.parallel
func.func @rank3(%m: memref<2x3x5xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c2, %c3, %c5) step (%c1, %c1, %c1) {
    memref.store %v, %m[%i, %j, %k] : memref<2x3x5xf32>
    scf.reduce
  }
  return
}

// -----

// Loops with results (parallel reductions) are left alone.
// CHECK-LABEL: func.func @untouched
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) init
// CHECK-NOT: gpu.loop_dim_map
func.func @untouched(%m: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
    %x = memref.load %m[%i] : memref<8xf32>
    scf.reduce(%x : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %r : f32
}

// -----

// Dynamic bounds and steps: the trip count is computed on the host, and an
// empty range gives zero iterations.
// CHECK-LABEL: func.func @dynamic
// CHECK: arith.ceildivsi
// CHECK: arith.maxsi
// CHECK: scf.parallel
// CHECK: processor = block_x
func.func @dynamic(%m: memref<?xf32>, %n: index, %step: index, %v: f32) {
  %c0 = arith.constant 0 : index
  scf.parallel (%i) = (%c0) to (%n) step (%step) {
    memref.store %v, %m[%i] : memref<?xf32>
    scf.reduce
  }
  return
}
