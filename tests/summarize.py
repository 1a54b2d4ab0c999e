#!/usr/bin/env python3
"""Prints the closing line of a test run, "N passed, N failed[, N skipped]", from meson's
testlog.json, after a line with the Catch2 test-case totals found in the tests' output.
Exits 1 when any test failed or none ran."""
import json
import re
import sys

passed = failed = skipped = 0
cases_passed = cases_failed = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        test = json.loads(line)
        result = test["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
            print(f"FAILED: {test['name']} ({result})")
        out = test.get("stdout") or ""
        all_ok = re.search(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)", out)
        mixed = re.search(r"test cases:\s+(\d+) \|\s+(\d+) passed \|\s+(\d+) failed", out)
        if all_ok:
            cases_passed += int(all_ok.group(1))
        elif mixed:
            cases_passed += int(mixed.group(2))
            cases_failed += int(mixed.group(3))

print(f"Catch2 test cases inside those programs: {cases_passed + cases_failed} run, {cases_failed} failing")
summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(0 if failed == 0 and passed > 0 else 1)
