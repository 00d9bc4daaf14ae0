// RUN: ds-opt %s --split-input-file --ds-cpu-parallelize-loops=min-iterations=64 | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-cpu-parallelize-loops | FileCheck %s --check-prefix=DEFAULT
// RUN: not ds-opt %s --split-input-file --ds-cpu-parallelize-loops=min-iterations=0 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: min-iterations must be positive, got 0

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d1, d2)>

// The batch loop has extent 1, so the split is along d1 (16): the body
// gets its [lo, hi) slice of the output and of the non-broadcast input,
// the broadcast input whole, and the constant it reads from above.
// CHECK-LABEL: func.func private @ew_par(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr, %[[LO:.*]]: i64, %[[HI:.*]]: i64)
// CHECK: %[[ALL:.*]] = llvm.load %[[CTX]]
// CHECK: %[[L:.*]] = arith.index_cast %[[LO]] : i64 to index
// CHECK: %[[H:.*]] = arith.index_cast %[[HI]] : i64 to index
// CHECK: %[[N:.*]] = arith.subi %[[H]], %[[L]]
// CHECK: %[[A:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)> to memref<1x16x32xf32>
// CHECK: %[[AS:.*]] = memref.subview %[[A]][0, %[[L]], 0] [1, %[[N]], 32] [1, 1, 1]
// CHECK: %[[B:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<16x32xf32>
// CHECK: %[[BS:.*]] = memref.subview %[[B]][%[[L]], 0] [%[[N]], 32] [1, 1]
// CHECK: %[[O:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<1x16x32xf32>
// CHECK: %[[OS:.*]] = memref.subview %[[O]][0, %[[L]], 0] [1, %[[N]], 32] [1, 1, 1]
// CHECK: %[[C:.*]] = arith.constant 2.000000e+00
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[AS]], %[[BS]] :
// CHECK-SAME: outs(%[[OS]] :
// CHECK: arith.mulf %{{.*}}, %[[C]]
// CHECK: return
// CHECK-LABEL: func.func @ew(
// CHECK: %[[S:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>)>
// CHECK: llvm.store %{{.*}}, %[[S]]
// CHECK: %[[E:.*]] = arith.constant 16 : i64
// CHECK: %[[F:.*]] = constant @ew_par : (!llvm.ptr, i64, i64) -> ()
// CHECK: call @dsrt_parallel_for(%[[E]], %[[F]], %[[S]])
// CHECK-NOT: linalg.generic
// CHECK: func.func private @dsrt_parallel_for(i64, (!llvm.ptr, i64, i64) -> (), !llvm.ptr)
// 512 iterations are below the default threshold.
// DEFAULT-LABEL: func.func @ew(
// DEFAULT: linalg.generic
// DEFAULT-NOT: dsrt_parallel_for
func.func @ew(%a: memref<1x16x32xf32>, %b: memref<16x32xf32>, %o: memref<1x16x32xf32>) {
  %c = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a, %b : memref<1x16x32xf32>, memref<16x32xf32>) outs(%o : memref<1x16x32xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = arith.addf %x, %y : f32
    %m = arith.mulf %s, %c : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A row reduction: split along the rows (parallel), never along the
// reduced loop; the output is indexed by d0 alone.
// CHECK-LABEL: func.func private @rowsum_par(
// CHECK: memref.subview %{{.*}}[%[[L:.*]], 0] [%[[N:.*]], 64] [1, 1]
// CHECK: memref.subview %{{.*}}[%[[L]]] [%[[N]]] [1]
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-LABEL: func.func @rowsum(
// CHECK: arith.constant 8 : i64
// CHECK: call @dsrt_parallel_for
func.func @rowsum(%a: memref<8x64xf32>, %o: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<8x64xf32>) outs(%o : memref<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Left alone: a dynamic shape; linalg.index; a value from above that is
// not a constant; a private function; a loop whose only parallel
// dimension with extent >= 2 is read through an expression (a
// convolution-like window), and one that is a reduction into a scalar.
// CHECK-LABEL: func.func @untouched(
// CHECK-NOT: dsrt_parallel_for
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK-NOT: dsrt_parallel_for
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT: dsrt_parallel_for
#m = affine_map<(d0, d1) -> (d0, d1)>
func.func @untouched(%d: memref<?x64xf32>, %a: memref<8x64xf32>, %o: memref<8x64xf32>,
                     %f: f32, %w: memref<72xf32>, %k: memref<9xf32>, %v: memref<64xf32>,
                     %s: memref<f32>) {
  linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel", "parallel"]}
      ins(%d : memref<?x64xf32>) outs(%d : memref<?x64xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#m], iterator_types = ["parallel", "parallel"]}
      outs(%o : memref<8x64xf32>) {
  ^bb0(%y: f32):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i32
    %x = arith.sitofp %c : i32 to f32
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<8x64xf32>) outs(%o : memref<8x64xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %f : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 + d1)>, affine_map<(d0, d1) -> (d1)>,
                                   affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%w, %k : memref<72xf32>, memref<9xf32>) outs(%v : memref<64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %m = arith.addf %p, %acc : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#m, affine_map<(d0, d1) -> ()>],
                  iterator_types = ["reduction", "reduction"]}
      ins(%a : memref<8x64xf32>) outs(%s : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %m = arith.addf %x, %acc : f32
    linalg.yield %m : f32
  }
  return
}
func.func private @helper(%a: memref<8x64xf32>, %o: memref<8x64xf32>) {
  linalg.copy ins(%a : memref<8x64xf32>) outs(%o : memref<8x64xf32>)
  return
}
