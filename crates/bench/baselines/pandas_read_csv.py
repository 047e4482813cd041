"""The pandas baseline for loading one results CSV whole: read it, keep the last row per ID.
Usage: python3 pandas_read_csv.py FILE
Prints the row count, and on stderr the seconds the reading took (without importing pandas).
"""
import sys
import time

import pandas as pd

started = time.perf_counter()
df = pd.read_csv(sys.argv[1]).drop_duplicates("ID", keep="last")
print(len(df))
print(f"elapsed_s={time.perf_counter() - started:.6f}", file=sys.stderr)
