"""The Pillow baseline for grid thumbnails: open each PNG, thumbnail((256, 256)).
Usage: python3 pillow_thumbnails.py FILE...  (prints how many were made)
"""
import sys

from PIL import Image

made = 0
for path in sys.argv[1:]:
    with Image.open(path) as image:
        image.thumbnail((256, 256))
        made += 1
print(made)
