#!/usr/bin/env python3
"""Every stored tile of an MBTiles file from a zoom on, as URL paths in a fixed shuffled order.

The load of the issue's server figure: a client (or a cache warmer) asking for every tile of a
national tileset, each as often as the others, so hot and cold tiles mix as the file holds them.

usage: all_tiles.py MBTILES TEMPLATE [MINZOOM] > urls.txt
  e.g. all_tiles.py tiles/lbm-2022.mbtiles '/tiles/lbm-2022/{z}/{x}/{y}.pbf' 8
"""
import random
import sqlite3
import sys


def main():
    path, template = sys.argv[1], sys.argv[2]
    minzoom = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT zoom_level, tile_column, tile_row FROM tiles WHERE zoom_level >= ?", (minzoom,)
    ).fetchall()
    rng = random.Random(13)
    rng.shuffle(rows)
    for z, x, tms_y in rows:
        y = (1 << z) - 1 - tms_y  # MBTiles rows count from the south (TMS)
        print(template.format(z=z, x=x, y=y))


if __name__ == "__main__":
    main()
