// The dsg form of add.onnx (z = x + y over float32[2, 3]), hand-written so
// the ds-run tests do not depend on the ONNX importer.
func.func @main(%x: tensor<2x3xf32> {ds.name = "x"},
                %y: tensor<2x3xf32> {ds.name = "y"})
    -> (tensor<2x3xf32> {ds.name = "z"}) {
  %z = dsg.add %x, %y : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %z : tensor<2x3xf32>
}
