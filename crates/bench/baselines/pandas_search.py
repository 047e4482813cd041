"""The pandas baseline for searching reasoning traces: every output.jsonl below TREE read into one
DataFrame (not timed), then each query a case-insensitive `str.contains` over the think text and
detailed prompt, timed alone. Usage: python3 pandas_search.py TREE RUNS QUERY... where a QUERY is
`plain:TEXT` or `regex:PATTERN`. Prints one line per query: `hits<TAB>median seconds`.
"""
import pathlib
import statistics
import sys
import time

import pandas as pd

tree, runs, queries = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
frames = [
    pd.read_json(path, lines=True, dtype=False)[["think_output", "detailed_prompt"]]
    for path in tree.rglob("output.jsonl")
]
df = pd.concat(frames, ignore_index=True)
text = df["think_output"].fillna("") + "\n" + df["detailed_prompt"].fillna("")
for query in queries:
    kind, _, needle = query.partition(":")
    times, hits = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        hits = int(text.str.contains(needle, case=False, regex=(kind == "regex")).sum())
        times.append(time.perf_counter() - started)
    print(f"{hits}\t{statistics.median(times):.6f}")
