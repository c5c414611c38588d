"""Synthesises a detailed national buurt / wijk / gemeente dataset for tests/bench/areas.sh.

No real CBS buurt file is available offline, so this builds one with the properties that matter
for tile sizes: about 14,000 buurten tiling each real municipality (CBS gemeente 2024,
generalised, from ../shared/data) without gaps or overlaps, grouped into wijken; every border
densified to a vertex every few metres and jittered by 1-5 m, so polygons have hundreds of
vertices like the unsimplified CBS files; neighbours share their border vertices exactly
(as in the CBS files, which are topologically clean).

  * The gemeente borders are densified and jittered per source segment, with the noise seeded by
    the segment itself, so two municipalities sharing a segment get the same points.
  * Buurten: a Voronoi diagram of seeds (clustered around populated places, so cities get many
    small buurten and the countryside few large ones), its edges jittered the same way,
    intersected with the municipality. Where a Voronoi edge meets the municipality border the
    intersection makes a new point that the neighbouring municipality's buurten do not have;
    it is moved onto the nearest border vertex, so both sides still share every vertex.
  * Wijken: buurten of a municipality grouped by k-means on their seeds (about 4.3 each, as in
    the CBS 2024 division), each the union of its buurten.

usage: python areas_data.py GEMEENTE.geojson PLACES.csv OUT_DIR [--buurten N] [--gemeenten K]
Writes OUT_DIR/{gemeente,wijk,buurt}.gpkg in RD New (EPSG:28992).  Needs numpy and shapely 2.
"""

import argparse
import csv
import hashlib
import json
import re
import math
import sqlite3
import struct
import sys
import time

import numpy as np
import shapely
from shapely.geometry import shape

SPACING = 8.0  # metres between border vertices
TAPER = 25.0  # metres over which the jitter fades out towards a segment's ends


def seed_of(*values):
    h = hashlib.blake2b(struct.pack(f"{len(values)}d", *values), digest_size=8)
    return int.from_bytes(h.digest(), "little")


# Segments (unordered end points) whose jitter made a polygon invalid: densified only.
PLAIN = set()


def jitter_segment(a, b):
    """Interior points of segment a-b, densified and jittered, a function of the unordered pair
    (both neighbours that share the segment get the same points, in their own direction)."""
    flip = (b[0], b[1]) < (a[0], a[1])
    if flip:
        a, b = b, a
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    n = int(length // SPACING)
    if n < 2:
        return np.empty((0, 2))
    rng = np.random.default_rng(seed_of(a[0], a[1], b[0], b[1]))
    t = np.arange(1, n) / n
    d = t * length
    amp = rng.uniform(1.0, 5.0)
    off = 0.6 * np.sin(2 * np.pi * d / rng.uniform(40, 220) + rng.uniform(0, 2 * np.pi))
    off += 0.3 * np.sin(2 * np.pi * d / rng.uniform(12, 40) + rng.uniform(0, 2 * np.pi))
    off += 0.15 * rng.standard_normal(len(t))
    off *= amp * np.minimum(1.0, np.minimum(d, length - d) / TAPER)
    if (a, b) in PLAIN:
        off[:] = 0.0
    nx, ny = -(b[1] - a[1]) / length, (b[0] - a[0]) / length
    pts = np.column_stack(
        [a[0] + t * (b[0] - a[0]) + off * nx, a[1] + t * (b[1] - a[1]) + off * ny]
    )
    return pts[::-1] if flip else pts


def jitter_ring(coords):
    """A closed ring (first == last) with every segment densified and jittered."""
    coords = [tuple(c) for c in coords]
    out = []
    for a, b in zip(coords[:-1], coords[1:]):
        if a == b:
            continue
        out.append(np.array([a]))
        out.append(jitter_segment(a, b))
    out.append(np.array([coords[0]]))
    return np.concatenate(out)


def jitter_polygon(p):
    return shapely.Polygon(
        jitter_ring(p.exterior.coords), [jitter_ring(r.coords) for r in p.interiors]
    )


def jitter_valid(polys):
    """Jittered copies of `polys` (Polygons), all valid: where jitter makes one cross itself
    (a sharp corner), the segments near the crossing stay straight, for every polygon that
    shares them."""
    for _ in range(20):
        out = [jitter_polygon(p) for p in polys]
        bad = np.flatnonzero(~shapely.is_valid(out))
        if len(bad) == 0:
            return out
        for i in bad:
            reason = shapely.is_valid_reason(out[i])
            nums = re.findall(r"-?\d+(?:\.\d+)?", reason.split("[", 1)[-1])
            at = shapely.Point(float(nums[0]), float(nums[1])) if len(nums) >= 2 else None
            p = polys[i]
            for r in [p.exterior, *p.interiors]:
                c = [tuple(x) for x in r.coords]
                for a, b in zip(c[:-1], c[1:]):
                    if at is None or shapely.LineString([a, b]).distance(at) < 60.0:
                        PLAIN.add((a, b) if a <= b else (b, a))
    raise RuntimeError("could not make the jittered polygons valid")


def polygons_of(g):
    if g.is_empty:
        return []
    if g.geom_type == "Polygon":
        return [g]
    if g.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in g.geoms for p in polygons_of(part)]
    return []


def multi(polys):
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def read_places(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    xy = np.array([[float(r["x_rd"]), float(r["y_rd"])] for r in rows])
    pop = np.array([float(r["population"]) for r in rows])
    return xy, pop


def seeds_for(geom, n, places_xy, places_pop, rng):
    """n seeds inside geom: most around its places (by population), the rest uniform."""
    shapely.prepare(geom)
    inside = shapely.contains_xy(geom, places_xy[:, 0], places_xy[:, 1])
    pxy, ppop = places_xy[inside], places_pop[inside]
    n_urban = int(round(n * 0.75)) if len(ppop) else 0
    out = []
    if n_urban:
        share = ppop / ppop.sum()
        counts = rng.multinomial(n_urban, share)
        for (x, y), p, k in zip(pxy, ppop, counts):
            got = 0
            sigma = 4.0 * math.sqrt(p)
            for _ in range(50):
                if got >= k:
                    break
                c = rng.normal([x, y], sigma, size=(2 * (k - got) + 4, 2))
                c = c[shapely.contains_xy(geom, c[:, 0], c[:, 1])][: k - got]
                out.append(c)
                got += len(c)
    have = sum(len(c) for c in out)
    x0, y0, x1, y1 = geom.bounds
    while have < n:
        c = np.column_stack(
            [rng.uniform(x0, x1, 4 * (n - have) + 8), rng.uniform(y0, y1, 4 * (n - have) + 8)]
        )
        c = c[shapely.contains_xy(geom, c[:, 0], c[:, 1])][: n - have]
        out.append(c)
        have += len(c)
    return np.concatenate(out)[:n]


def kmeans(xy, k, rng, rounds=12):
    centres = xy[rng.choice(len(xy), size=k, replace=False)]
    for _ in range(rounds):
        d = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        lab = d.argmin(1)
        for j in range(k):
            m = lab == j
            if m.any():
                centres[j] = xy[m].mean(0)
    d = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    return d.argmin(1), centres


def rounded_cells(cells):
    """Voronoi cells with vertices rounded to 1 mm: neighbours' shared vertices become
    bit-identical even if the diagram computed them with last-bit differences."""
    return [
        shapely.Polygon(np.round(np.asarray(c.exterior.coords), 3)) for c in cells
    ]


def split_gemeente(g, seeds):
    """Buurt polygons (one per seed) tiling g, sharing every vertex with their neighbours."""
    x0, y0, x1, y1 = g.bounds
    extent = shapely.box(x0 - 2000, y0 - 2000, x1 + 2000, y1 + 2000)
    vor = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=extent, ordered=True)
    cells = jitter_valid(rounded_cells(list(vor.geoms)))
    parts = shapely.intersection(cells, g)
    # Vertices the intersection made (Voronoi edge meets the border) go to the nearest border
    # vertex, which every buurt on either side of the border has.
    border = np.concatenate(
        [np.asarray(r.coords)[:-1] for p in polygons_of(g) for r in [p.exterior, *p.interiors]]
    )
    known = np.concatenate(
        [border] + [np.asarray(c.exterior.coords) for c in cells]
    )
    known = np.unique(known[:, 0] + 1j * known[:, 1])
    tree = shapely.STRtree(shapely.points(border))
    out = []
    for part in parts:
        polys = []
        for p in polygons_of(part):
            rings = []
            for r in [p.exterior, *p.interiors]:
                c = np.asarray(r.coords)[:-1].copy()
                new = ~np.isin(c[:, 0] + 1j * c[:, 1], known)
                if new.any():
                    idx = tree.query_nearest(shapely.points(c[new]), all_matches=False)
                    c[np.flatnonzero(new)[idx[0]]] = border[idx[1]]
                keep = np.ones(len(c), bool)
                keep[1:] = np.any(c[1:] != c[:-1], axis=1)
                c = c[keep]
                if len(c) > 1 and np.all(c[0] == c[-1]):
                    c = c[:-1]
                if len(c) >= 3:
                    rings.append(c)
            if rings:
                polys.append(shapely.Polygon(rings[0], rings[1:]))
        out.append(multi(polys) if polys else None)
    return out


def gpkg_blob(geom):
    wkb = shapely.to_wkb(geom, byte_order=1, output_dimension=2)
    # "GP", version 0, flags: little endian, no envelope; srs_id 28992.
    return b"GP\x00\x01" + struct.pack("<i", 28992) + wkb


def write_gpkg(path, table, columns, rows):
    """A minimal GeoPackage: one feature table of (geometry, text columns...)."""
    import os

    if os.path.exists(path):
        os.remove(path)
    c = sqlite3.connect(path)
    c.executescript(
        """
        PRAGMA application_id = 1196444487;
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY,
          organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
          description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL,
          srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT,
          geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);
        INSERT INTO gpkg_spatial_ref_sys VALUES ('Amersfoort / RD New', 28992, 'EPSG', 28992,
          'undefined', '');
        """
    )
    c.execute(
        "INSERT INTO gpkg_contents VALUES (?, 'features', ?, '', '', 0, 0, 0, 0, 28992)",
        (table, table),
    )
    c.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', 28992, 0, 0)",
        (table,),
    )
    cols = ", ".join(f"{n} TEXT" for n in columns)
    c.execute(f"CREATE TABLE {table} (fid INTEGER PRIMARY KEY, geom BLOB, {cols})")
    marks = ", ".join("?" for _ in columns)
    c.executemany(
        f"INSERT INTO {table} (geom, {', '.join(columns)}) VALUES (?, {marks})",
        ((gpkg_blob(g), *vals) for g, *vals in rows),
    )
    c.commit()
    c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gemeenten")
    ap.add_argument("places")
    ap.add_argument("out")
    ap.add_argument("--buurten", type=int, default=14000)
    ap.add_argument("--gemeenten-limit", type=int, default=0, help="only the first K (testing)")
    args = ap.parse_args()
    t0 = time.time()
    rng = np.random.default_rng(20240501)
    feats = json.load(open(args.gemeenten))["features"]
    feats.sort(key=lambda f: f["properties"]["statcode"])
    total = args.buurten
    if args.gemeenten_limit:
        total = args.buurten * args.gemeenten_limit // len(feats)
        feats = feats[: args.gemeenten_limit]
    places_xy, places_pop = read_places(args.places)

    gems = []
    src = [polygons_of(shape(f["geometry"])) for f in feats]
    flat = jitter_valid([p for ps in src for p in ps])
    for f, ps in zip(feats, src):
        jit, flat = flat[: len(ps)], flat[len(ps):]
        gems.append((f["properties"]["statcode"], f["properties"]["statnaam"], multi(ps), multi(jit)))

    # Buurten per gemeente: a floor, plus area and population shares; scaled to the total.
    weights = []
    for _, _, g, _ in gems:
        inside = shapely.contains_xy(g, places_xy[:, 0], places_xy[:, 1])
        weights.append(g.area / 1e6 / 8 + places_pop[inside].sum() / 2000)
    weights = np.array(weights)
    floor = 6
    counts = floor + np.floor(
        weights / weights.sum() * max(0, total - floor * len(gems))
    ).astype(int)
    counts = np.minimum(counts, 99 * 99)

    gm_rows, wk_rows, bu_rows = [], [], []
    for (code, name, g, jit), n in zip(gems, counts):
        seeds = seeds_for(g, int(n), places_xy, places_pop, rng)
        buurten = split_gemeente(jit, seeds)
        keep = [i for i, b in enumerate(buurten) if b is not None]
        seeds, buurten = seeds[keep], [buurten[i] for i in keep]
        k = int(min(99, max(1, round(len(buurten) / 4.3))))
        lab, _ = kmeans(seeds, k, rng)
        digits = code[2:]
        gm_rows.append((jit, code, name))
        wijk_no = 0
        for j in range(k):
            members = np.flatnonzero(lab == j)
            if len(members) == 0:
                continue
            wijk_no += 1
            wk = f"WK{digits}{wijk_no:02d}"
            order = sorted(members, key=lambda i: (-seeds[i][1], seeds[i][0]))
            for bi, i in enumerate(order[:99], start=1):
                bu_rows.append((buurten[i], f"BU{digits}{wijk_no:02d}{bi:02d}",
                                f"{name} {wijk_no}-{bi}"))
            wijk = shapely.union_all([buurten[i] for i in order])
            wk_rows.append((multi(polygons_of(wijk)), wk, f"Wijk {wijk_no:02d} {name}"))
        print(f"\r{code} {len(gm_rows)}/{len(gems)} buurten {len(bu_rows)} "
              f"({time.time() - t0:.0f} s)", end="", file=sys.stderr)
    print(file=sys.stderr)
    write_gpkg(f"{args.out}/gemeente.gpkg", "gemeenten", ["gm_code", "gm_naam"], gm_rows)
    write_gpkg(f"{args.out}/wijk.gpkg", "wijken", ["wk_code", "wk_naam"], wk_rows)
    write_gpkg(f"{args.out}/buurt.gpkg", "buurten", ["bu_code", "bu_naam"], bu_rows)
    nv = lambda rows: sum(shapely.get_num_coordinates(r[0]) for r in rows)
    for label, rows in (("gemeente", gm_rows), ("wijk", wk_rows), ("buurt", bu_rows)):
        v = nv(rows)
        print(f"{label:<9} {len(rows):>6} polygons {v:>10} vertices "
              f"({v / max(1, len(rows)):.0f} per polygon)")
    print(f"generated in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
