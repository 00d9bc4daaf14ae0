// A hand-written SPMD program: each rank adds its rank to the input, then
// the ranks sum their tensors. With 2 ranks: 2*x + (0 + 1).
shard.grid @g(shape = 2)
func.func @main(%x: tensor<4xf32> {ds.name = "x"}) -> (tensor<4xf32> {ds.name = "y"}) {
  %r = dsc.world_rank : index
  %ri = arith.index_cast %r : index to i32
  %rf = arith.sitofp %ri : i32 to f32
  %e = tensor.empty() : tensor<4xf32>
  %shifted = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %rf : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %0 = dsc.all_reduce %shifted on @g grid_axes = [0] : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
