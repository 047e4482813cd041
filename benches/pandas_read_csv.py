"""The pandas baseline for loading one results CSV whole: read it, keep the last row per ID.
Usage: python3 pandas_read_csv.py FILE  (prints the row count)
"""
import sys

import pandas as pd

df = pd.read_csv(sys.argv[1]).drop_duplicates("ID", keep="last")
print(len(df))
