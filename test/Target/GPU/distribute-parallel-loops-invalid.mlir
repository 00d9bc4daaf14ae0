// RUN: ds-opt %s --ds-gpu-distribute-parallel-loops=block-size=2048 -verify-diagnostics
// RUN: not ds-opt %s --ds-gpu-distribute-parallel-loops=block-size=0 -o /dev/null 2>&1 | FileCheck %s --check-prefix=ZERO

// ZERO: block-size must be in [1, 1024], got 0
// expected-error@below {{block-size must be in [1, 1024], got 2048}}
func.func @f(%m: memref<4xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %v, %m[%i] : memref<4xf32>
    scf.reduce
  }
  return
}
