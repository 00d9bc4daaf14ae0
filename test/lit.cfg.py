# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "DS"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ds_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%ds_src_root", config.ds_src_root))
config.substitutions.append(("%ds_obj_root", config.ds_obj_root))
config.substitutions.append(("%onnx_testdata", config.onnx_testdata_dir))
config.substitutions.append(("%python_torch", config.python_with_torch))

llvm_config.with_system_environment(["HOME", "TMPDIR", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.ds_tools_dir, config.llvm_tools_dir]
tools = ["ds-opt", "ds-translate", "ds-run", "ds-onnx-test", "ds-sim"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.ds_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Features: tests that need optional inputs say so with REQUIRES.
if os.path.isdir(config.onnx_testdata_dir):
    config.available_features.add("onnx-testdata")
if os.path.exists(config.python_with_torch):
    config.available_features.add("torch")

# Multi-rank runtime tests need mpirun and the MPI collective backend.
import shutil
if shutil.which("mpirun") and os.path.exists(
        os.path.join(config.ds_obj_root, "lib", "libdsrt_coll_mpi.so")):
    config.available_features.add("mpirun")
if os.path.exists(os.path.join(config.ds_obj_root, "lib", "libdsrt_coll_nccl.so")):
    config.available_features.add("nccl-backend")
# The fake CUDA driver the unit tests build (test/unit/gpu/fake_cuda.c):
# runs nothing, times each kernel as 0.5 ms.
fake_cuda = os.path.join(config.ds_obj_root, "test", "unit", "fixtures",
                         "libcuda-fake.so")
if os.path.exists(fake_cuda):
    config.available_features.add("fake-cuda")
    config.substitutions.append(("%fake_cuda", fake_cuda))
import ctypes
try:
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass
# Sanitizer builds (the `asan` preset, docs/reliability.md). The ds tools
# carry the ASan+UBSan runtime themselves. Uninstrumented hosts that load
# instrumented ds libraries (python3 importing ds._ds, the embedding examples
# built against the installed libdscompiler) need the runtime preloaded:
# %asan_preload expands to that (and to nothing in a normal build). LSan is
# off for CPython, which does not free its own objects at exit.
if config.ds_asan_runtime:
    config.available_features.add("asan")
    if os.path.exists(os.path.join(config.ds_tools_dir, "tensor-reader-fuzzer")):
        config.available_features.add("fuzzers")
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if var in os.environ:
            config.environment[var] = os.environ[var]
    config.environment.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    # Leaks inside third-party libraries (Open MPI) are suppressed by name;
    # leaks in ds code are still reported (test/sanitizers/lsan.supp).
    lsan = config.environment.get("LSAN_OPTIONS", "")
    if "suppressions=" not in lsan:
        supp = os.path.join(config.ds_src_root, "test", "sanitizers", "lsan.supp")
        lsan = ":".join(o for o in (lsan, "suppressions=" + supp, "print_suppressions=0") if o)
        config.environment["LSAN_OPTIONS"] = lsan
    config.environment["DS_ASAN_RUNTIME"] = config.ds_asan_runtime
    config.substitutions.append(("%asan_preload", "env LD_PRELOAD=%s ASAN_OPTIONS=detect_leaks=0" % config.ds_asan_runtime))
else:
    config.substitutions.append(("%asan_preload", ""))
