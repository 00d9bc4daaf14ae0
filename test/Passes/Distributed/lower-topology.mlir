// RUN: ds-opt %s --ds-lower-topology="topology=%S/Inputs/cluster-4x4.yaml" | FileCheck %s
// RUN: ds-opt %s --ds-lower-topology="topology=%S/Inputs/cluster-4x4.yaml report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT
// The tool-wide flag is the same report.
// RUN: ds-opt %s --ds-lower-topology="topology=%S/Inputs/cluster-4x4.yaml" --ds-topology-report 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT
// Without it, no remarks.
// RUN: ds-opt %s --ds-lower-topology="topology=%S/Inputs/cluster-4x4.yaml" 2>&1 >/dev/null | FileCheck %s --check-prefix=QUIET --allow-empty
// QUIET-NOT: remark

// 4 nodes x 4 devices (alpha 1 us / 400 GB/s inside a node, 10 us / 50 GB/s
// across). Grid axis 0 runs across nodes, axis 1 inside a node.
shard.grid @grid(shape = 4x4)

// CHECK-LABEL: func.func @choose
func.func @choose(%small: tensor<256xf32>, %big: tensor<16777216xf32>) {
  // 1 KiB over all 16 ranks: latency bound; halving/doubling takes
  // 2 log2(16) steps instead of the ring's 30.
  // CHECK: dsc.all_reduce %{{.*}} grid_axes = [0, 1] algorithm = rabenseifner level = 1
  // REPORT: remark: all_reduce of 1024 bytes on 16 ranks (4 nodes x 4): rabenseifner, predicted 44.0115 us
  // REPORT: ring                  97.510 us
  // REPORT: rabenseifner          44.012 us  <- chosen
  // REPORT: hier3{{ +}}n/a (no level between the node and the fabric
  %0 = dsc.all_reduce %small on @grid grid_axes = [0, 1] : tensor<256xf32> -> tensor<256xf32>
  // 64 MiB over all ranks: the 2-level schedule, pipelined.
  // CHECK: dsc.all_reduce %{{.*}} grid_axes = [0, 1] algorithm = hier2 level = 1
  // Its steps pipeline one by one, so 16 chunks pay off (565 us vs the
  // unpipelined 799 us).
  // REPORT: remark: all_reduce of 67108864 bytes on 16 ranks (4 nodes x 4): hier2 in 16 pipelined chunks, predicted 565.18
  // REPORT: stage 1: intra-node reduce-scatter
  // REPORT: stage 2: inter-node all-reduce
  // REPORT: stage 3: intra-node all-gather
  %1 = dsc.all_reduce %big on @grid grid_axes = [0, 1] : tensor<16777216xf32> -> tensor<16777216xf32>
  // Inside one node: level 0, priced on the node's links.
  // CHECK: dsc.all_reduce %{{.*}} grid_axes = [1] algorithm = rabenseifner level = 0
  // REPORT: remark: all_reduce of 67108864 bytes on 4 ranks (1 nodes x 4)
  %2 = dsc.all_reduce %big on @grid grid_axes = [1] : tensor<16777216xf32> -> tensor<16777216xf32>
  // A chosen algorithm is kept; the level is still filled in.
  // CHECK: dsc.all_reduce %{{.*}} grid_axes = [0] algorithm = tree level = 1
  %3 = dsc.all_reduce %big on @grid grid_axes = [0] algorithm = tree : tensor<16777216xf32> -> tensor<16777216xf32>
  // all_gather is priced at its output size (nccl-tests convention). At
  // 16 KiB recursive doubling over all ranks and hier2 unpipelined are the
  // same exchanges (intra-node steps, then inter-node ones): they tie to the
  // last bit, so either may be recorded, but not the 15-step ring.
  // CHECK: dsc.all_gather %{{.*}} gather_axis = 0 algorithm = {{rabenseifner|hier2}} level = 1
  // REPORT: remark: all_gather of 16384 bytes on 16 ranks
  %4 = dsc.all_gather %small on @grid grid_axes = [0, 1] gather_axis = 0 : tensor<256xf32> -> tensor<4096xf32>
  // CHECK: dsc.reduce_scatter %{{.*}} scatter_axis = 0 algorithm = {{[a-z0-9]+}} level = 0
  %5 = dsc.reduce_scatter %small on @grid grid_axes = [1] scatter_axis = 0 : tensor<256xf32> -> tensor<64xf32>
  // No algorithm attribute on broadcast and all_to_all: only the level.
  // CHECK: dsc.broadcast %{{.*}} root = 1 level = 1
  // REPORT: remark: broadcast of 1024 bytes on 4 ranks (4 nodes x 1): tree
  %6 = dsc.broadcast %small on @grid grid_axes = [0] root = 1 : tensor<256xf32> -> tensor<256xf32>
  // CHECK: dsc.all_to_all %{{.*}} level = 1
  %7 = dsc.all_to_all %small on @grid grid_axes = [0] split_axis = 0 concat_axis = 0 : tensor<256xf32> -> tensor<256xf32>
  return
}

// Buffer form.
// CHECK-LABEL: func.func @buffers
func.func @buffers(%m: memref<1024xf32>, %o: memref<1024xf32>) {
  // CHECK: dsc.all_reduce %{{.*}} into %{{.*}} grid_axes = [0] algorithm = rabenseifner level = 1
  dsc.all_reduce %m into %o on @grid grid_axes = [0] : memref<1024xf32>, memref<1024xf32>
  return
}
