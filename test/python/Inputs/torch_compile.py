"""ds.torch.compile against eager PyTorch on the exported model set."""
import sys

import torch

import common
import ds.torch

for name in sys.argv[1:]:
    model, x = common.export_models.make_model(name)
    options = dict(common.export_models.MODELS[name][1])
    compiled = ds.torch.compile(model, (x,), **options)
    with torch.no_grad():
        want = model(x)
    got = compiled(x)
    assert isinstance(got, torch.Tensor), type(got)
    assert not model.training
    if not torch.allclose(got, want, rtol=1e-3, atol=1e-4):
        raise SystemExit("%s: max abs diff %g" % (name, (got - want).abs().max()))
    print("%s: match %s" % (name, list(got.shape)))

# Several inputs and outputs: a tuple comes back.
class TwoInTwoOut(torch.nn.Module):
    def forward(self, a, b):
        return a + b, torch.relu(a * b)

a, b = torch.randn(3, 5), torch.randn(3, 5)
compiled = ds.torch.compile(TwoInTwoOut(), (a, b))
s, p = compiled(a, b)
assert torch.allclose(s, a + b) and torch.allclose(p, torch.relu(a * b))
print("multi: match", [i.name for i in compiled.module.inputs],
      len(compiled.module.outputs))
