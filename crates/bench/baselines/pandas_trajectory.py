"""The pandas baseline for `trajectory --format json`: what a researcher would write to get
accuracy over the steps of a training run.

Globs every evaluation_results.csv under ROOT, keeps the last row per ID (appended re-runs), sums
correct/total per (checkpoint, setting, task type), takes the step from the checkpoint name's last
number (a `k` after it: thousands), and prints the rows of runs that form a series (names equal
once their step is removed, two or more) in step order as JSON, with a 95% Wilson interval.
Usage: python3 pandas_trajectory.py ROOT
"""
import glob
import json
import math
import os
import re
import sys

import pandas as pd

root = sys.argv[1]
STEP = re.compile(r"^(.*?)(\d+)([kK](?![A-Za-z0-9]))?([^0-9]*)$")


def task_type(stem):
    lower = stem.lower()
    for prefix, family in (("math", "Math"), ("mapping", "Mapping")):
        if lower.startswith(prefix):
            digits = lower[len(prefix):].lstrip("_")
            return f"{family} L{int(digits)}" if digits.isdigit() else f"{family} ?"
    names = stem.split("_")
    if all(n[:1].isupper() and n.isalpha() for n in names):
        return {1: "Knowledge forward", 2: "Knowledge inverse"}.get(len(names), "Knowledge ?")
    return "Other ?"


def wilson(correct, total, z=1.96):
    if total == 0:
        return 0.0, 0.0
    p = correct / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    denominator = 1 + z * z / total
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


frames = []
for path in glob.glob(os.path.join(root, "**", "evaluation_results.csv"), recursive=True):
    df = pd.read_csv(path).drop_duplicates("ID", keep="last")
    score = "Final_Score" if "Final_Score" in df.columns else "Score"
    task_dir = os.path.dirname(path)
    setting_dir = os.path.dirname(task_dir)
    run = os.path.relpath(os.path.dirname(os.path.dirname(setting_dir)), root)
    frames.append({"run": run, "setting": os.path.basename(setting_dir),
                   "task": task_type(os.path.basename(task_dir)),
                   "total": len(df), "correct": int(df[score].sum())})
counts = pd.DataFrame(frames).groupby(["run", "setting", "task"], as_index=False)[["total", "correct"]].sum()
steps = counts["run"].str.extract(STEP)
counts["series"] = steps[0] + "*" + steps[3].fillna("")
counts["step"] = steps[1].astype(int) * steps[2].notna().map({True: 1000, False: 1})
sizes = counts.groupby("series")["run"].nunique()
counts = counts[counts["series"].map(sizes) >= 2].sort_values(["series", "step", "run", "setting", "task"])
rows = []
for row in counts.itertuples(index=False):
    low, high = wilson(row.correct, row.total)
    rows.append({"series": row.series, "run": row.run, "step": int(row.step), "setting": row.setting,
                 "task": row.task, "total": int(row.total), "correct": int(row.correct),
                 "accuracy": row.correct / row.total if row.total else 0.0,
                 "ci_low": low, "ci_high": high})
json.dump(rows, sys.stdout)
print()
