#!/usr/bin/env bash
# The whole test suite (lit + GoogleTest) on the ASan+UBSan build: configures
# the `asan` preset (clang-22) into build-asan once, builds everything, runs
# every lit suite and ds-unittests, and ends with one summary line like
# scripts/test.sh. See docs/reliability.md.
#
#   scripts/test-asan.sh [lit args...]    e.g. -j1, or --filter=Import
#
# Any sanitizer report fails the test that triggered it: UBSan checks are
# fatal (-fno-sanitize-recover=all) and ASan/LSan abort the process.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=build-asan

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake --preset asan > /dev/null || { echo "0 passed, 1 failed (configure failed)"; exit 1; }
fi
nice -n 10 ninja -C "$BUILD" -j "${DS_JOBS:-2}" all ||
  { echo "0 passed, 1 failed (build failed)"; exit 1; }

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
# allocator_may_return_null: the runtime's out-of-memory fault tests need
# malloc to fail as it does without ASan, not abort the process.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Leaks inside third-party libraries (Open MPI, hwloc, ...) are suppressed by
# library name; leaks in ds code still fail (test/sanitizers/lsan.supp).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/test/sanitizers/lsan.supp:print_suppressions=0}

# Sanitized code runs 2-5x slower; lit's per-test timeout stays the default.
/usr/lib/llvm-22/bin/lit -sv --time-tests --xunit-xml-output "$results/lit.xml" \
  "$@" "$BUILD/test" 2>&1 | tee "$results/lit.log" | grep -vE '^(PASS|UNSUPPORTED):' || true

"$BUILD/bin/ds-unittests" --gtest_brief=1 --gtest_output="xml:$results/unit.xml"

python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.xml"):
    for case in ET.parse(f).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None or case.get("status") == "notrun":
            skipped += 1
        else:
            passed += 1
if passed + failed == 0:
    failed = 1
print(f"{passed} passed, {failed} failed, {skipped} skipped (ASan+UBSan)")
sys.exit(1 if failed else 0)
PY
