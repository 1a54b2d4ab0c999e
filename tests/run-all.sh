#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): installs what is missing, builds with
# AddressSanitizer and UndefinedBehaviorSanitizer, runs every test, and ends with the line
# "N passed, N failed". Exit status 0 only when nothing failed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install.sh --deps-only

build=build-asan
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=debug -Doptimization=1 -Db_sanitize=address,undefined -Db_lundef=false
fi
ninja -C "$build"

export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
status=0
meson test -C "$build" --print-errorlogs --num-processes "$(nproc)" || status=$?
python3 tests/summarize.py "$build/meson-logs/testlog.json" || status=$?
exit "$status"
