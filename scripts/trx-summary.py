#!/usr/bin/env python3
"""Counts test results from TRX files and prints the plain summary line: 'N passed, N failed'."""
import glob
import sys
import xml.etree.ElementTree as ET

root = sys.argv[1] if len(sys.argv) > 1 else "TestResults"
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(f"{root}/**/*.trx", recursive=True)
for path in files:
    for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        outcome = result.get("outcome")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
            failed += 1
            print(f"FAILED: {result.get('testName')}")
        else:
            skipped += 1
if not files:
    print("no TRX files found: the tests did not run", file=sys.stderr)
    failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
