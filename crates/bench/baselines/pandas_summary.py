"""The pandas baseline for `summary`: what a researcher would write instead of using the inspector.

Globs every evaluation_results.csv under ROOT, keeps the last row per ID (appended re-runs), and
prints accuracy per (checkpoint, setting, task) as JSON. Usage: python3 pandas_summary.py ROOT
"""
import glob
import json
import os
import sys

import pandas as pd

root = sys.argv[1]
rows = []
for path in sorted(glob.glob(os.path.join(root, "**", "evaluation_results.csv"), recursive=True)):
    df = pd.read_csv(path).drop_duplicates("ID", keep="last")
    score = "Final_Score" if "Final_Score" in df.columns else "Score"
    task_dir = os.path.dirname(path)
    setting_dir = os.path.dirname(task_dir)
    run = os.path.relpath(os.path.dirname(os.path.dirname(setting_dir)), root)
    total, correct = len(df), int(df[score].sum())
    rows.append({"run": run, "setting": os.path.basename(setting_dir),
                 "task": os.path.basename(task_dir), "total": total, "correct": correct,
                 "accuracy": round(correct / total, 4) if total else 0.0})
json.dump(rows, sys.stdout)
print()
