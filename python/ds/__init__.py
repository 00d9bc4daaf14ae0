"""ds: compile ONNX/MLIR models for this CPU and run them on numpy arrays.

    import ds, numpy as np
    module = ds.compile("model.onnx")   # or ONNX bytes, a .mlir file, a .so
    print(module.inputs)                # [TensorInfo(name='input', dtype=float32, shape=(4, 784))]
    y = module(input=np.zeros((4, 784), np.float32))

Calling a Module returns one numpy array when the model has exactly one
output, otherwise a tuple of arrays in the model's output order.

Errors:
  ds.CompileError  the model could not be compiled (malformed, unsupported,
                   back-end failure); `.diagnostics` lists Diagnostic objects
                   (severity, location, message), `.status` says which.
  ValueError       bad options (e.g. an unknown target), input shapes or counts.
  TypeError        an input of the wrong dtype (no implicit conversion).
  ds.RunError      the artifact could not be loaded or run (a RuntimeError).
"""

import os
from collections import namedtuple

import numpy as np

from . import _ds

__all__ = [
    "compile", "load", "Module", "TensorInfo", "Diagnostic", "CompileError",
    "RunError", "TARGETS",
]

TARGETS = ("cpu",)

# dsrt_dtype (ONNX TensorProto.DataType numbering) -> numpy dtype. bfloat16
# has no numpy dtype: its tensors are exchanged as uint16 bit patterns.
_DTYPES = {
    1: np.dtype(np.float32), 2: np.dtype(np.uint8), 3: np.dtype(np.int8),
    4: np.dtype(np.uint16), 5: np.dtype(np.int16), 6: np.dtype(np.int32),
    7: np.dtype(np.int64), 9: np.dtype(np.bool_), 10: np.dtype(np.float16),
    11: np.dtype(np.float64), 12: np.dtype(np.uint32), 13: np.dtype(np.uint64),
    16: np.dtype(np.uint16),
}


class Diagnostic(namedtuple("Diagnostic", "severity location message")):
    """One compiler diagnostic: severity ("error", "warning", "note",
    "remark"), location ("file:line:col", a node name, or "") and message."""
    __slots__ = ()

    def __str__(self):
        where = self.location + ": " if self.location else ""
        return "%s%s: %s" % (where, self.severity, self.message)


class CompileError(Exception):
    """Raised by ds.compile when a model cannot be compiled.

    status: "invalid" (malformed model), "unsupported" (valid, but uses
    something ds does not handle yet) or "failure" (the back end failed).
    diagnostics: the list of Diagnostic objects the compiler emitted.
    """

    def __init__(self, message, status="invalid", diagnostics=()):
        self.status = status
        self.diagnostics = list(diagnostics)
        self.message = message
        super().__init__(message)

    def __str__(self):
        lines = [self.message]
        lines += ["  " + str(d) for d in self.diagnostics]
        return "\n".join(lines)


class RunError(RuntimeError):
    """The artifact could not be loaded or run."""


class TensorInfo(namedtuple("TensorInfo", "name dtype shape")):
    """An input or output: name, numpy dtype, shape (a tuple with None for
    a size known only at run time). bfloat16 tensors show as uint16."""
    __slots__ = ()


def _tensor_info(raw):
    name, code, shape = raw
    dtype = _DTYPES.get(code)
    if dtype is None:
        raise RunError("tensor '%s' has dtype %s, which has no numpy "
                           "equivalent" % (name, _ds.dtype_name(code)))
    info = TensorInfo(name, dtype, tuple(None if d < 0 else int(d) for d in shape))
    return info, _ds.dtype_name(code)


def _format_type(dtype, shape):
    return "%s[%s]" % (dtype, ", ".join("?" if d is None else str(d) for d in shape))


def _as_array(value, name):
    """`value` as a numpy array, without copying when it is already a
    C-contiguous array: numpy arrays pass through, DLPack producers (torch
    CPU tensors, ...) are wrapped with np.from_dlpack, anything else goes
    through np.asarray. Non-contiguous arrays are copied to C order."""
    if not isinstance(value, np.ndarray):
        if hasattr(value, "__dlpack__"):
            try:
                value = np.from_dlpack(value)
            except (TypeError, ValueError, BufferError, RuntimeError):
                value = np.asarray(value)  # e.g. bool tensors, old numpy
        else:
            value = np.asarray(value)
    if not value.flags.c_contiguous:
        value = np.ascontiguousarray(value)
    return value


class Module:
    """A compiled model, callable on numpy arrays.

    module(*args, **kwargs): inputs by position (model order) and/or by
    name; each must have exactly the declared dtype (no conversion) and
    shape. Returns a numpy array when the model has one output, else a
    tuple of arrays. Inputs are passed to the compiled code by pointer (no
    copy when already C-contiguous with the right dtype); outputs are fresh
    numpy arrays the compiled code writes into directly, or, for a model
    whose output shapes are known only at run time (TensorInfo shapes with
    None), arrays over the buffers the compiled code allocated.

    inputs / outputs: lists of TensorInfo(name, dtype, shape).
    close() releases the compiled code (also on garbage collection and at
    the end of a `with` block).
    """

    def __init__(self, runtime):
        self._rt = runtime
        ins = [_tensor_info(r) for r in runtime.inputs()]
        outs = [_tensor_info(r) for r in runtime.outputs()]
        self.inputs = [i for i, _ in ins]
        self.outputs = [o for o, _ in outs]
        self.input_dtype_names = [n for _, n in ins]
        self.output_dtype_names = [n for _, n in outs]
        self._input_index = {info.name: i for i, info in enumerate(self.inputs)}
        self.diagnostics = []

    def __repr__(self):
        sig = lambda infos: ", ".join(
            "%s: %s" % (i.name, _format_type(i.dtype, i.shape)) for i in infos)
        return "<ds.Module (%s) -> (%s)>" % (sig(self.inputs), sig(self.outputs))

    def close(self):
        rt, self._rt = self._rt, None
        if rt is not None:
            rt.close()

    @property
    def closed(self):
        return self._rt is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _bind(self, args, kwargs):
        if len(args) > len(self.inputs):
            raise ValueError("the model takes %d inputs, got %d positional"
                             % (len(self.inputs), len(args)))
        values = list(args) + [None] * (len(self.inputs) - len(args))
        given = [True] * len(args) + [False] * (len(self.inputs) - len(args))
        for key, value in kwargs.items():
            index = self._input_index.get(key)
            if index is None:
                raise ValueError("the model has no input '%s' (inputs: %s)" % (
                    key, ", ".join(repr(i.name) for i in self.inputs)))
            if given[index]:
                raise ValueError("input '%s' given twice" % key)
            values[index], given[index] = value, True
        missing = [i.name for i, g in zip(self.inputs, given) if not g]
        if missing:
            raise ValueError("missing input(s): %s" % ", ".join(map(repr, missing)))
        return values

    def __call__(self, *args, **kwargs):
        rt = self._rt
        if rt is None:
            raise ValueError("the module is closed")
        arrays = []
        for info, value in zip(self.inputs, self._bind(args, kwargs)):
            a = _as_array(value, info.name)
            if a.dtype != info.dtype:
                raise TypeError("input '%s': expected %s, found %s" % (
                    info.name, _format_type(info.dtype, info.shape),
                    _format_type(a.dtype, a.shape)))
            if a.ndim != len(info.shape) or any(
                    want is not None and want != have
                    for want, have in zip(info.shape, a.shape)):
                raise ValueError("input '%s': expected %s, found %s" % (
                    info.name, _format_type(info.dtype, info.shape),
                    _format_type(a.dtype, a.shape)))
            arrays.append(a)
        # Outputs whose shape is known only at run time (a dynamic batch,
        # NonZero) come from buffers the runtime allocates, viewed without
        # a copy; static ones are fresh arrays the compiled code fills.
        dynamic = any(d is None for info in self.outputs for d in info.shape)
        try:
            if dynamic:
                outputs = [raw.view(info.dtype).reshape(shape)
                           for info, (raw, shape) in zip(
                               self.outputs, rt.run_alloc(arrays))]
            else:
                outputs = [np.empty(info.shape, dtype=info.dtype)
                           for info in self.outputs]
                rt.run(arrays, outputs)
        except (TypeError, ValueError):
            raise
        except Exception as e:  # dsrt failures
            raise RunError(str(e)) from None
        return outputs[0] if len(outputs) == 1 else tuple(outputs)


def load(path_or_bytes):
    """Loads an artifact compiled earlier: a path to the .so written by
    ds.compile(..., artifact_path=) or `ds-run --keep-artifact`, or its
    bytes."""
    try:
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            return Module(_ds.Runtime(bytes(path_or_bytes)))
        return Module(_ds.Runtime(os.path.abspath(os.fspath(path_or_bytes))))
    except (TypeError, ValueError):
        raise
    except Exception as e:
        raise RunError(str(e)) from None


def compile(model, target="cpu", *, cpu="", features="", opt_level=3,
            fuse_attention=True, artifact_path=None):
    """Compiles `model` and returns a callable Module.

    model: a path (str or os.PathLike) to an .onnx model, an .mlir module
      (dsg or linalg level) or an already compiled .so artifact; or the
      bytes (bytes, bytearray, memoryview) of a serialized ONNX ModelProto.
    target: "cpu" (the only target today; anything else raises CompileError
      with status "unsupported").
    cpu, features: LLVM CPU name and feature string ("" = this host).
    opt_level: LLVM optimization level 0-3.
    fuse_attention: fuse exported attention subgraphs into one
      online-softmax kernel (docs/attention.md); False keeps them as written.
    artifact_path: also write the compiled shared library there (reload it
      with ds.load). Otherwise the artifact only ever lives in memory.

    Raises CompileError (with .diagnostics) when the model cannot be
    compiled; the process is never aborted for a bad model.
    """
    if not isinstance(target, str):
        raise TypeError("target must be a string, got %r" % (target,))
    if not isinstance(opt_level, int) or not 0 <= opt_level <= 3:
        raise ValueError("opt_level must be an integer 0-3, got %r" % (opt_level,))
    if isinstance(model, (bytes, bytearray, memoryview)):
        source, kind, what = bytes(model), "onnx", "<bytes>"
    elif isinstance(model, (str, os.PathLike)):
        source = os.fspath(model)
        if isinstance(source, bytes):
            source = os.fsdecode(source)
        kind, what = "file", repr(source)
        if not os.path.isfile(source):
            why = "not a regular file" if os.path.exists(source) else "no such file"
            raise CompileError("cannot open model %s: %s" % (what, why),
                               "invalid", [Diagnostic("error", source, why)])
        if source.endswith(".so"):
            if target != "cpu":
                raise CompileError("unsupported target %r" % target,
                                   "unsupported")
            return load(source)
    else:
        raise TypeError("ds.compile expects a path or ONNX model bytes, got %s"
                        % type(model).__name__)

    status, diags, artifact = _ds.compile(source, kind, target, cpu,
                                          features, opt_level,
                                          bool(fuse_attention))
    diagnostics = [Diagnostic(*d) for d in diags]
    if status != "success":
        first = next((d for d in diagnostics if d.severity == "error"), None)
        if status == "unsupported":
            message = "unsupported model %s" % what
        else:
            message = "cannot compile %s (%s)" % (what, status)
        if first is not None:
            message += ": " + first.message
        raise CompileError(message, status, diagnostics)
    if artifact_path is not None:
        with open(artifact_path, "wb") as f:
            f.write(artifact)
    module = load(artifact)
    module.diagnostics = diagnostics  # warnings and remarks, if any
    return module
