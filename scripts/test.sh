#!/usr/bin/env bash
# Installs what is missing, builds everything, runs every test suite (lit +
# GoogleTest) and ends with one summary line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${DS_BUILD_DIR:-build}

scripts/install-deps.sh || exit 1
scripts/build.sh all || { echo "0 passed, 1 failed (build failed)"; exit 1; }

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# lit: dialect, importer, conversion, target, tools and end-to-end suites.
/usr/lib/llvm-22/bin/lit -sv --time-tests --xunit-xml-output "$results/lit.xml" \
  "$BUILD/test" 2>&1 | tee "$results/lit.log" | grep -vE '^(PASS|UNSUPPORTED):' || true

# GoogleTest: runtime, tensor IO and the compile API.
if [ -x "$BUILD/bin/ds-unittests" ]; then
  "$BUILD/bin/ds-unittests" --gtest_brief=1 --gtest_output="xml:$results/unit.xml"
fi

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
    failed = 1  # No test ran: that is a failure, not a success.
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
