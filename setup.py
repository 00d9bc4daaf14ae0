"""`pip install .`: builds the ds Python package with CMake.

    /usr/bin/python3 -m pip install --no-build-isolation .

Set DS_BUILD_DIR to an already configured ds build directory to reuse it
(only the Python package target is built there); otherwise a fresh build
goes to build/pip (slow: the whole compiler). The package installed is
python/ds plus the extension `ds._ds`, which finds libdsrt and the LLVM/MLIR
libraries through its RPATH (so the build directory must stay in place).
"""
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))
# setuptools' scratch files, kept out of the source tree and the CMake build.
SCRATCH = os.path.join("build", "setuptools")
os.makedirs(os.path.join(ROOT, SCRATCH), exist_ok=True)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = os.environ.get("DS_BUILD_DIR") or os.path.join(ROOT, "build", "pip")
        build_dir = os.path.abspath(build_dir)
        if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
            os.makedirs(build_dir, exist_ok=True)
            subprocess.check_call(["cmake", "-G", "Ninja", "-S", ROOT, "-B", build_dir,
                                   "-DCMAKE_BUILD_TYPE=Release",
                                   "-DDS_BUILD_TESTS=OFF",
                                   "-DDS_PYTHON_EXECUTABLE=" + sys.executable])
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "ds-python"])
        built = os.path.join(build_dir, "python", "ds")
        target = os.path.dirname(os.path.abspath(self.get_ext_fullpath(ext.name)))
        os.makedirs(target, exist_ok=True)
        name = os.path.basename(self.get_ext_fullpath(ext.name))
        shutil.copy2(os.path.join(built, name), os.path.join(target, name))


setup(
    name="ds",
    version="0.1.0",
    description="ds: an ONNX/MLIR dataflow graph compiler (Python bindings)",
    packages=["ds"],
    package_dir={"": "python"},
    ext_modules=[Extension("ds._ds", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy"],
    zip_safe=False,
    options={"build": {"build_base": SCRATCH}, "egg_info": {"egg_base": SCRATCH}},
)
