// RUN: ds-opt %s --ds-gpu-tensor-core-matmul --canonicalize --cse --split-input-file | FileCheck %s
// RUN: ds-opt %s --ds-gpu-tensor-core-matmul="fold-fill=false fuse-epilogue=false" --split-input-file | FileCheck %s --check-prefix=OFF
// Epilogues the kernel does not take, with the reasons: tensor-core-epilogue-rejected.mlir.

// fill(0) → matmul → bias (along N) + ReLU: one kernel. The accumulators
// start from a splat of the fill value (no load of C), the bias add and the
// max run on the accumulator elements after the K loop, and the result
// goes straight to the consumer's output. The fill, the matmul, the
// consumer and the intermediate buffer are gone.
// (The consumer writes a local buffer: a caller's output buffer could be
// A or B, which other blocks still read; see the -rejected test.)
// CHECK-LABEL: func.func @bias_relu
// CHECK-SAME: (%[[A:.*]]: memref<64x64xf16>, %[[B:.*]]: memref<64x64xf16>, %[[BIAS:.*]]: memref<64xf32>, %[[RES:.*]]: memref<64x64xf32>)
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<64x64xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK-NOT: vector.load %{{.*}} : memref<64x64xf32>
// CHECK: scf.for
// CHECK: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK: memref.load %[[BIAS]]
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.
// CHECK-NOT: memref.alloc
// CHECK: memref.copy %[[OUT]], %[[RES]]
// CHECK: return
// OFF-LABEL: func.func @bias_relu
// OFF: linalg.fill
// OFF: gpu.launch
// OFF: vector.load %alloc
// OFF: vector.store %{{.*}}, %alloc
// OFF: linalg.generic
func.func @bias_relu(%a: memref<64x64xf16>, %b: memref<64x64xf16>,
                     %bias: memref<64xf32>, %res: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<64x64xf32>
  %c = memref.alloc() : memref<64x64xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<64x64xf32>)
  linalg.matmul ins(%a, %b : memref<64x64xf16>, memref<64x64xf16>)
                outs(%c : memref<64x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>,
                                   affine_map<(m, n) -> (n)>,
                                   affine_map<(m, n) -> (m, n)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<64x64xf32>, memref<64xf32>)
      outs(%out : memref<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<64x64xf32>
  memref.copy %out, %res : memref<64x64xf32> to memref<64x64xf32>
  return
}

// -----

// As bufferization leaves it on the GPT export: CSE merged the fills, so
// each matmul's init is a copy of one zero buffer; the consumer reads the
// result through expand_shape (heads split: 32 × 64 → 2 × 16 × 4 × 16),
// adds a per-head bias and casts to bf16. The copy goes; the shared zero
// buffer stays for its other readers. The epilogue delinearizes the row
// over (2, 16) and the column over (4, 16).
// B and the bias are constants and A a local buffer (as for every matmul
// of the export but the first), so the epilogue may store straight into
// the caller's output buffer: it cannot be any of them.
// CHECK-LABEL: func.func @copy_init_expand_cast
// CHECK-SAME: (%[[X:.*]]: memref<32x64xbf16>, %[[OUT:.*]]: memref<2x16x4x16xbf16>, %[[OTHER:.*]]: memref<32x64xf32>)
// CHECK: %[[BIAS:.*]] = memref.get_global @bias
// CHECK: %[[ZERO:.*]] = memref.alloc() : memref<32x64xf32>
// CHECK: linalg.fill {{.*}} outs(%[[ZERO]]
// CHECK: memref.copy %[[ZERO]], %[[OTHER]]
// CHECK-NOT: memref.copy
// CHECK: gpu.launch
// CHECK-NOT: vector.load %{{.*}} : memref<32x64xf32>
// CHECK: scf.for
// CHECK: scf.yield
// CHECK-DAG: arith.remui %{{.*}}, %c16
// CHECK-DAG: arith.divui %{{.*}}, %c16
// CHECK: memref.load %[[BIAS]][
// CHECK: arith.addf
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: memref.store %{{.*}}, %[[OUT]][
// CHECK: gpu.terminator
// CHECK-NOT: linalg.matmul
// CHECK-NOT: linalg.generic
memref.global "private" constant @w : memref<64x64xbf16> = dense<1.0>
memref.global "private" constant @bias : memref<4x16xf32> = dense<0.5>
func.func @copy_init_expand_cast(%x: memref<32x64xbf16>,
                                 %out: memref<2x16x4x16xbf16>,
                                 %other: memref<32x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %b = memref.get_global @w : memref<64x64xbf16>
  %bias = memref.get_global @bias : memref<4x16xf32>
  %a = memref.alloc() : memref<32x64xbf16>
  memref.copy %x, %a : memref<32x64xbf16> to memref<32x64xbf16>
  %z = memref.alloc() : memref<32x64xf32>
  linalg.fill ins(%zero : f32) outs(%z : memref<32x64xf32>)
  memref.copy %z, %other : memref<32x64xf32> to memref<32x64xf32>
  %c = memref.alloc() : memref<32x64xf32>
  memref.copy %z, %c : memref<32x64xf32> to memref<32x64xf32>
  linalg.matmul ins(%a, %b : memref<32x64xbf16>, memref<64x64xbf16>)
                outs(%c : memref<32x64xf32>)
  %v = memref.expand_shape %c [[0, 1], [2, 3]] output_shape [2, 16, 4, 16]
      : memref<32x64xf32> into memref<2x16x4x16xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d2, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias, %v : memref<4x16xf32>, memref<2x16x4x16xf32>)
      outs(%out : memref<2x16x4x16xbf16>) {
  ^bb0(%p: f32, %q: f32, %o: bf16):
    %s = arith.addf %p, %q : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %c : memref<32x64xf32>
  memref.dealloc %z : memref<32x64xf32>
  memref.dealloc %a : memref<32x64xbf16>
  return
}

// -----

// batch_matmul with a bias along M (one per output row), a residual add
// read in place from the output (the element the thread writes, so it is
// safe even though it is the output), and
// M = 24 (padded to 32: the epilogue of rows past M is guarded, like the
// store). Rows count across the batch: batch · 24 + m.
// CHECK-LABEL: func.func @batched_row_bias_residual
// CHECK-SAME: (%[[A:.*]]: memref<2x24x32xf16>, %[[B:.*]]: memref<2x32x16xf16>, %[[BIAS:.*]]: memref<24xf32>, %[[RES:.*]]: memref<2x24x16xf32>)
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x24x16xf32>
// CHECK: gpu.launch blocks(%{{[^,]*}}, %{{[^,]*}}, %[[BZ:[^)]*]]) in
// CHECK: nvgpu.mma.sync
// CHECK: scf.if
// CHECK: arith.muli %[[BZ]], %c24
// CHECK-DAG: memref.load %[[BIAS]]
// CHECK-DAG: memref.load %[[OUT]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.
func.func @batched_row_bias_residual(%a: memref<2x24x32xf16>,
                                     %b: memref<2x32x16xf16>,
                                     %bias: memref<24xf32>,
                                     %res: memref<2x24x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<2x24x16xf32>
  memref.copy %res, %out : memref<2x24x16xf32> to memref<2x24x16xf32>
  %c = memref.alloc() : memref<2x24x16xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<2x24x16xf32>)
  linalg.batch_matmul ins(%a, %b : memref<2x24x32xf16>, memref<2x32x16xf16>)
                      outs(%c : memref<2x24x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                                   affine_map<(d0, d1, d2) -> (d1)>,
                                   affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%c, %bias : memref<2x24x16xf32>, memref<24xf32>)
      outs(%out : memref<2x24x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.addf %s, %o : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<2x24x16xf32>
  memref.copy %out, %res : memref<2x24x16xf32> to memref<2x24x16xf32>
  return
}

// -----

// No consumer (the result is the caller's buffer): only the fill folds.
// The accumulators start from the fill value (1.5 here, any splat works)
// and the fill is gone; the kernel stores C as before. (K is one step, so
// the canonicalizer unrolls the K loop: the first mma takes the splat.)
// CHECK-LABEL: func.func @fill_only
// CHECK-SAME: %[[C:[^:]*]]: memref<32x32xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[SPLAT:.*]] = arith.constant dense<1.500000e+00> : vector<2x2xf32>
// CHECK: gpu.launch
// CHECK-NOT: vector.load %[[C]]
// CHECK: nvgpu.mma.sync({{.*}}, %[[SPLAT]])
// CHECK: vector.store %{{.*}}, %[[C]]
func.func @fill_only(%a: memref<32x32xf16>, %b: memref<32x32xf16>,
                     %c: memref<32x32xf32>) {
  %v = arith.constant 1.5 : f32
  linalg.fill ins(%v : f32) outs(%c : memref<32x32xf32>)
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  return
}

// -----

// The fill's buffer is read before the matmul: the fill value still seeds
// the accumulators (nothing wrote C since), but the fill stays.
// CHECK-LABEL: func.func @fill_read_before
// CHECK: linalg.fill
// CHECK: memref.copy
// CHECK: gpu.launch
// CHECK-NOT: vector.load %arg2
// CHECK: vector.store %{{.*}}, %arg2
func.func private @use(memref<32x32xf32>)
func.func @fill_read_before(%a: memref<32x32xf16>, %b: memref<32x32xf16>,
                            %c: memref<32x32xf32>) {
  %v = arith.constant 0.0 : f32
  %d = memref.alloc() : memref<32x32xf32>
  linalg.fill ins(%v : f32) outs(%c : memref<32x32xf32>)
  memref.copy %c, %d : memref<32x32xf32> to memref<32x32xf32>
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  func.call @use(%d) : (memref<32x32xf32>) -> ()
  return
}

// -----

// Something else writes C between the fill and the matmul: the
// accumulators load C as before, and the fill stays.
// CHECK-LABEL: func.func @written_between
// CHECK: linalg.fill
// CHECK: memref.copy
// CHECK: gpu.launch
// CHECK: vector.load %arg2
func.func @written_between(%a: memref<32x32xf16>, %b: memref<32x32xf16>,
                           %c: memref<32x32xf32>, %d: memref<32x32xf32>) {
  %v = arith.constant 0.0 : f32
  linalg.fill ins(%v : f32) outs(%c : memref<32x32xf32>)
  memref.copy %d, %c : memref<32x32xf32> to memref<32x32xf32>
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  return
}

// -----

// In place, as bufferization leaves the last matmul + bias + activation of
// a model: C is the caller's output buffer and the consumer overwrites it.
// The epilogue stores its values to C (which ends as it would unfused);
// the consumer's output argument, being C, is the accumulator too. A and
// B are local/constant, so they cannot be C.
// CHECK-LABEL: func.func @in_place
// CHECK-SAME: (%[[X:.*]]: memref<32x32xf16>, %[[C:.*]]: memref<32x32xf32>)
// CHECK-NOT: linalg.fill
// CHECK: gpu.launch
// CHECK-NOT: vector.load %[[C]]
// CHECK: nvgpu.mma.sync
// CHECK: %[[ACC:.*]] = vector.extract %{{.*}}[0, 0] : f32 from vector<2x2xf32>
// CHECK-NEXT: %[[T:.*]] = math.tanh %[[ACC]]
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[T]], %[[ACC]]
// CHECK-NEXT: memref.store %[[S]], %[[C]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.generic
memref.global "private" constant @w2 : memref<32x32xf16> = dense<1.0>
func.func @in_place(%x: memref<32x32xf16>, %c: memref<32x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %b = memref.get_global @w2 : memref<32x32xf16>
  %a = memref.alloc() : memref<32x32xf16>
  memref.copy %x, %a : memref<32x32xf16> to memref<32x32xf16>
  linalg.fill ins(%zero : f32) outs(%c : memref<32x32xf32>)
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x32xf16>)
                outs(%c : memref<32x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>,
                                   affine_map<(m, n) -> (m, n)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<32x32xf32>) outs(%c : memref<32x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    %s = arith.addf %t, %o : f32
    linalg.yield %s : f32
  }
  memref.dealloc %a : memref<32x32xf16>
  return
}
