"""ds.Module on a model whose output shapes are known only at run time:
one compiled module, inputs of several sizes, NonZero's data-dependent
output. Prints one line per check."""
import os
import tempfile

import numpy as np

import ds

MODEL = """
func.func @main(%x: tensor<?x3xf32> {ds.name = "x"})
    -> (tensor<?x3xf32> {ds.name = "y"}, tensor<2x?xi64> {ds.name = "nz"}) {
  %r = dsg.relu %x : tensor<?x3xf32>
  %nz = dsg.nonzero %r : tensor<?x3xf32> -> tensor<2x?xi64>
  return %r, %nz : tensor<?x3xf32>, tensor<2x?xi64>
}
"""

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "dynamic.mlir")
    with open(path, "w") as f:
        f.write(MODEL)
    m = ds.compile(path)
print(m)
rng = np.random.default_rng(0)
for rows in (1, 3, 8, 0):
    x = rng.standard_normal((rows, 3)).astype(np.float32)
    y, nz = m(x)
    ok = (y.shape == x.shape and np.array_equal(y, np.maximum(x, 0))
          and nz.dtype == np.int64
          and np.array_equal(nz, np.array(np.nonzero(np.maximum(x, 0)))))
    print("rows %d: %s %s %s" % (rows, y.shape, nz.shape[0],
                                 "match" if ok else "MISMATCH"))
# The outputs own their memory: they outlive the module.
y, nz = m(np.ones((2, 3), np.float32))
m.close()
print("after close:", float(y.sum()), nz.shape)
