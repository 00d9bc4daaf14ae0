// One output value per row: no class to take the top-1 of.
func.func @main(%x: tensor<8x64xf32> {ds.name = "x"}) -> (tensor<8x1xf32> {ds.name = "y"}) {
  %w = dsg.constant dense<0.25> : tensor<64x1xf32>
  %y = dsg.matmul %x, %w : (tensor<8x64xf32>, tensor<64x1xf32>) -> tensor<8x1xf32> loc("head")
  return %y : tensor<8x1xf32>
}
