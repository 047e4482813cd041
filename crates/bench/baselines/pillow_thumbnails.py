"""The Pillow baseline for grid thumbnails: open each PNG, thumbnail((256, 256)).
Usage: python3 pillow_thumbnails.py FILE...
Prints how many were made, and on stderr the seconds it took (without importing Pillow).
"""
import sys
import time

from PIL import Image

started = time.perf_counter()
made = 0
for path in sys.argv[1:]:
    with Image.open(path) as image:
        image.thumbnail((256, 256))
        made += 1
print(made)
print(f"elapsed_s={time.perf_counter() - started:.6f}", file=sys.stderr)
