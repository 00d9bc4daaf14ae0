"""ds.torch: compile a PyTorch nn.Module with ds.

    import torch, ds.torch
    model = MyModel().eval()
    x = torch.randn(4, 784)
    fast = ds.torch.compile(model, (x,))
    y = fast(x)                      # a torch.Tensor, like model(x)

The module is exported with torch.onnx.export (opset 14, eval mode, no
gradients, inputs named after forward()'s parameters) into memory, compiled with ds.compile, and wrapped in a callable
that takes and returns torch tensors. The compiled code is specialized to
the shapes and dtypes of `example_inputs`.
"""

import inspect
import io

import numpy as np
import torch as _torch

import ds as _ds

__all__ = ["compile", "CompiledModule", "OPSET"]

OPSET = 14

# Options for torch.onnx.export rather than ds.compile.
_EXPORT_OPTIONS = ("opset_version", "do_constant_folding", "training",
                   "input_names", "output_names", "operator_export_type",
                   "keep_initializers_as_inputs", "custom_opsets",
                   "export_modules_as_functions")


class CompiledModule:
    """The callable ds.torch.compile returns.

    Call it with torch tensors (CPU, same dtypes and shapes as the example
    inputs), positionally in forward()'s order. Returns a torch.Tensor when
    the model has one output, else a tuple of tensors. Inputs are handed to
    the compiled code without copies when contiguous (through DLPack);
    outputs are numpy arrays the compiled code wrote, wrapped with
    torch.from_numpy (no copy).

    .module is the underlying ds.Module; .onnx_bytes the exported model.
    """

    def __init__(self, module, onnx_bytes):
        self.module = module
        self.onnx_bytes = onnx_bytes

    def __call__(self, *args):
        if len(args) != len(self.module.inputs):
            raise ValueError("expected %d input tensors, got %d" % (
                len(self.module.inputs), len(args)))
        arrays = []
        for info, t in zip(self.module.inputs, args):
            if isinstance(t, _torch.Tensor):
                if t.device.type != "cpu":
                    raise ValueError("input '%s': ds runs on the CPU, got a "
                                     "tensor on %s" % (info.name, t.device))
                t = t.detach()
                if not t.is_contiguous():
                    t = t.contiguous()
            arrays.append(t)
        out = self.module(*arrays)
        if isinstance(out, tuple):
            return tuple(_torch.from_numpy(o) for o in out)
        return _torch.from_numpy(out)

    def __repr__(self):
        return "<ds.torch.CompiledModule %r>" % (self.module,)


def _forward_names(nn_module, count):
    """The names of forward()'s first `count` parameters, used as the ONNX
    input names (the exporter's defaults are "onnx::Add_0"-like)."""
    try:
        params = list(inspect.signature(nn_module.forward).parameters.values())
    except (TypeError, ValueError):
        return None
    positional = [p.name for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return positional[:count] if len(positional) >= count else None


def export(nn_module, example_inputs, **export_options):
    """Exports `nn_module` (in eval mode) to ONNX bytes as ds.torch.compile
    does; for inspecting what ds compiles."""
    if isinstance(example_inputs, _torch.Tensor):
        example_inputs = (example_inputs,)
    example_inputs = tuple(example_inputs)
    options = dict(opset_version=OPSET, do_constant_folding=True)
    names = _forward_names(nn_module, len(example_inputs))
    if names:
        options["input_names"] = names
    options.update(export_options)
    was_training = nn_module.training
    nn_module.eval()
    buffer = io.BytesIO()
    try:
        with _torch.no_grad():
            _torch.onnx.export(nn_module, example_inputs, buffer,
                               export_params=True, **options)
    finally:
        nn_module.train(was_training)
    return buffer.getvalue()


def compile(nn_module, example_inputs, **options):
    """Compiles `nn_module` for `example_inputs` (a tensor or a tuple of
    tensors) and returns a CompiledModule.

    options: torch.onnx.export options (opset_version, do_constant_folding,
    training, input_names, output_names, ...) go to the exporter; the rest
    (target, cpu, features, opt_level, fuse_attention, artifact_path) to
    ds.compile.
    Raises ds.CompileError when ds cannot compile the exported model.
    """
    export_options = {k: options.pop(k) for k in list(options)
                      if k in _EXPORT_OPTIONS}
    onnx_bytes = export(nn_module, example_inputs, **export_options)
    return CompiledModule(_ds.compile(onnx_bytes, **options), onnx_bytes)
