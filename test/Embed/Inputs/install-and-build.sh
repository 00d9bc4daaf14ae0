#!/usr/bin/env bash
# Installs the build tree OBJ_ROOT into a fresh prefix, builds
# SRC_ROOT/examples/embed against it (CMake, and pkg-config for embed.c),
# runs the programs on MODEL and prints what test/Embed/install.test checks.
# Works in its own temporary folder, so concurrent runs do not collide.
set -euo pipefail
obj=$1 src=$2 model=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/ds-embed.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { # step LOG CMD...: runs CMD, shows LOG only if it fails
  local log=$work/$1; shift
  "$@" > "$log" 2>&1 || { cat "$log"; echo "FAILED: $*"; exit 1; }
}

step install.log cmake --install "$obj" --prefix "$work/prefix"
# A sanitizer build's libraries leave the runtime's symbols to the host
# (cmake/Sanitizers.cmake): the uninstrumented examples link with them
# undefined and get the runtime preloaded when they run (host, below).
host_ldflags=
[ -n "${DS_ASAN_RUNTIME:-}" ] && host_ldflags=-Wl,--allow-shlib-undefined
step configure.log cmake -S "$src/examples/embed" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_EXE_LINKER_FLAGS="$host_ldflags"
step build.log cmake --build "$work/build"
export PKG_CONFIG_PATH=$work/prefix/lib/pkgconfig
step pkgconfig.log bash -c "cc '$src/examples/embed/embed.c' -o '$work/embed-c-pc' \
  \$(pkg-config --cflags --libs ds ds-runtime) $host_ldflags"

# In a sanitizer build (test/lit.cfg.py sets DS_ASAN_RUNTIME) the examples,
# built without instrumentation, load the instrumented libdscompiler: the
# ASan runtime must be preloaded so that it comes first.
host() { if [ -n "${DS_ASAN_RUNTIME:-}" ]; then LD_PRELOAD=$DS_ASAN_RUNTIME "$@"; else "$@"; fi; }
echo "== embed-cpp"; host "$work/build/embed-cpp" "$model"
echo "== embed-c"; host "$work/build/embed-c" "$model"
echo "== embed-c (pkg-config)"; host "$work/embed-c-pc" "$model"
echo "== layout"; (cd "$work/prefix" && ls bin include lib)
echo "== symbols"; nm -D --defined-only "$work/prefix/lib/libdscompiler.so.0"
echo "== installed ds-run"
"$work/prefix/bin/ds-run" "$model" --test-data "$(dirname "$model")/add/good"
echo "== done"
