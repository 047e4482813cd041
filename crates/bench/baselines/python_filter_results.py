"""The Python baseline for opening a STARS filter output: json.load the filter_results.json (as
data_filter.py's readers do), count accepted / rejected / unparsed, and find each candidate's image
by its file name under the opened folder.
Usage: python3 python_filter_results.py ROOT FILTER_RESULTS_JSON
Prints "total accepted unparsed found", and on stderr the seconds it took.
"""
import json
import os
import sys
import time

started = time.perf_counter()
root, results = sys.argv[1], sys.argv[2]
with open(results, encoding="utf-8") as f:
    candidates = json.load(f)
names = {}
for folder, _, files in os.walk(root):
    for name in files:
        if name.endswith(".png"):
            names.setdefault(name, []).append(folder)
accepted = sum(1 for c in candidates if c["accepted"])
unparsed = sum(1 for c in candidates if c["model_judgment"] not in ("YES", "NO"))
found = 0
for c in candidates:
    parts = c["image"].replace("\\", "/").split("/")
    for folder in names.get(parts[-1], []):
        if folder.replace("\\", "/").endswith("/" + parts[-2]):
            found += 1
            break
print(len(candidates), accepted, unparsed, found)
print(f"elapsed_s={time.perf_counter() - started:.6f}", file=sys.stderr)
