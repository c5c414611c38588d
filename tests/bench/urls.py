#!/usr/bin/env python3
"""Replays a user panning and zooming across the Netherlands as a list of tile URLs.

Deterministic (fixed seed): a number of sessions, each starting at a populated place, zooming in
step by step from the national view to single 100 m cells and panning around, requesting every
512 px tile that a 1280 x 800 viewport shows, as MapLibre does. Prints one path per line with
`{tileset}`, `{z}`, `{x}`, `{y}` filled in from the given template.

usage: urls.py TEMPLATE TILESETS [N_SESSIONS] > urls.txt
  e.g. urls.py '/tiles/{tileset}/{z}/{x}/{y}.pbf' lbm-2020,fys-2020 200
"""
import math
import random
import sys

# Places users look at (lon, lat), weighted roughly by population.
PLACES = [
    (4.895, 52.370, 9), (4.480, 51.922, 6), (4.300, 52.080, 5), (5.121, 52.091, 4),
    (5.478, 51.441, 3), (6.567, 53.219, 2), (5.917, 51.985, 2), (5.853, 51.843, 2),
    (6.893, 52.221, 2), (4.632, 52.387, 2), (5.291, 51.697, 2), (5.690, 50.851, 2),
    (4.777, 51.589, 2), (6.083, 52.512, 1), (5.797, 53.201, 1), (3.611, 51.499, 1),
]
VIEW_W, VIEW_H, TILE = 1280, 800, 512
# The demo tilesets stop at z11 (with zoom 13's precision); MapLibre overzooms beyond a
# source's maxzoom, requesting the z11 tiles under the view. Users zoom on to single cells.
MAXZOOM = 11
VIEW_MAXZOOM = 16


def lonlat_to_world(lon, lat, z):
    """Web Mercator pixel coordinates of a place at zoom z for 512 px tiles."""
    scale = TILE * 2 ** z
    x = (lon + 180.0) / 360.0 * scale
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def viewport_tiles(cx, cy, z):
    n = 2 ** z
    x0, x1 = int((cx - VIEW_W / 2) // TILE), int((cx + VIEW_W / 2) // TILE)
    y0, y1 = int((cy - VIEW_H / 2) // TILE), int((cy + VIEW_H / 2) // TILE)
    for ty in range(max(y0, 0), min(y1, n - 1) + 1):
        for tx in range(max(x0, 0), min(x1, n - 1) + 1):
            yield tx, ty


def main():
    template, tilesets = sys.argv[1], sys.argv[2].split(",")
    sessions = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    rng = random.Random(20261129)
    weights = [w for _, _, w in PLACES]
    for _ in range(sessions):
        lon, lat, _ = rng.choices(PLACES, weights)[0]
        lon += rng.uniform(-0.05, 0.05)
        lat += rng.uniform(-0.03, 0.03)
        tileset = rng.choice(tilesets)
        for z in range(6, VIEW_MAXZOOM + 1):
            cx, cy = lonlat_to_world(lon, lat, z)
            zt = min(z, MAXZOOM)
            # At each zoom the user pans a few times before zooming in further.
            for _ in range(rng.randint(1, 3)):
                shown = sorted({(tx >> (z - zt), ty >> (z - zt)) for tx, ty in viewport_tiles(cx, cy, z)})
                for tx, ty in shown:
                    print(template.format(tileset=tileset, z=zt, x=tx, y=ty))
                cx += rng.uniform(-VIEW_W / 2, VIEW_W / 2)
                cy += rng.uniform(-VIEW_H / 2, VIEW_H / 2)


if __name__ == "__main__":
    main()
