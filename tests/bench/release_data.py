"""Packs a national input as the Leefbaarometer's open-data release is published, for
tests/bench/tiler.sh: two zips, `open-data-leefbaarometer-meting-2024.zip` (a folder with spaces
holding the grid scores and the official area scores of buurten, wijken, gemeenten and PC4, `;`
separated with decimal commas) and `geometrie-lbm3-2024.zip` (`geometrie-lbm3-2024/
geometrie-lbm3-2024/` with `buurt 2024.gpkg`, `wijk 2024.gpkg`, `gemeente 2024.gpkg` and
`PC4 2024.gpkg`, PC4 stored as text).

The grid scores are the national demo's (2002-2022) plus 2024, made from 2022 with a small
deterministic shift, so the release has the nine measured years. The area scores are made per
code and year from a hash of both (deterministic, within the score range), since what is
measured is the tiler's work on them, not their values.

usage: python release_data.py DEMO_SCORES.csv AREAS_DIR PC4_AREAS_DIR OUT_DIR
AREAS_DIR holds gemeente/wijk/buurt.gpkg of areas_data.py; PC4_AREAS_DIR another run whose
buurten become the PC4 areas.
"""

import csv
import hashlib
import os
import shutil
import sqlite3
import sys
import zipfile

YEARS = [2002, 2008, 2012, 2014, 2016, 2018, 2020, 2022, 2024]
MEASURES = ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"]
SCORES_DIR = "Leefbaarometer 3.0 - Meting 2024 - open data"
GEOMETRY_DIR = "geometrie-lbm3-2024/geometrie-lbm3-2024"


def dutch(v):
    """A number as the `;` files write it: decimal comma."""
    return f"{v:.3f}".replace(".", ",")


def grid_scores(src, dest):
    """The demo's rows with `;` and decimal commas, plus 2024 from 2022."""
    rows = 0
    with open(src, newline="") as f, open(dest, "w", newline="") as out:
        r = csv.reader(f)
        header = next(r)
        w = csv.writer(out, delimiter=";", lineterminator="\r\n")
        w.writerow(header)
        year = header.index("jaar")
        later = []
        for row in r:
            w.writerow([dutch(float(v)) if i > year and v else v for i, v in enumerate(row)])
            rows += 1
            if row[year] == "2022":
                shifted = list(row)
                shifted[year] = "2024"
                for i in range(year + 1, len(row)):
                    if row[i]:
                        shifted[i] = str(float(row[i]) + (0.01 if header[i] == "lbm" else 0.002))
                later.append(shifted)
        for row in later:
            w.writerow([dutch(float(v)) if i > year and v else v for i, v in enumerate(row)])
            rows += 1
    return rows


def codes(gpkg, table, column):
    db = sqlite3.connect(gpkg)
    return [c for (c,) in db.execute(f"SELECT {column} FROM {table} ORDER BY fid")]


def area_scores(dest, key, codes_):
    """Official-looking scores per code and year: lbm around 4, dimensions around 0."""
    with open(dest, "w", newline="") as out:
        w = csv.writer(out, delimiter=";", lineterminator="\r\n")
        w.writerow([key, "jaar"] + MEASURES)
        for code in codes_:
            for year in YEARS:
                h = hashlib.sha256(f"{code}/{year}".encode()).digest()
                lbm = 3.6 + h[0] / 255 * 0.9
                dims = [(b / 255 - 0.5) * 0.4 for b in h[1:6]]
                w.writerow([code, year, dutch(lbm), dutch(lbm - 4.0)] + [dutch(d) for d in dims])
    return len(codes_) * len(YEARS)


def pc4_gpkg(src, dest):
    """The buurten of another synthetic run as PC4 areas: `PC4` as text (1000, 1001, ...)."""
    shutil.copy(src, dest)
    db = sqlite3.connect(dest)
    db.execute("ALTER TABLE buurten RENAME COLUMN bu_code TO PC4")
    db.execute("ALTER TABLE buurten RENAME COLUMN bu_naam TO gm_naam")
    db.execute("UPDATE buurten SET PC4 = printf('%04d', 1000 + fid)")
    db.commit()
    return codes(dest, "buurten", "PC4")


def main():
    demo, areas, pc4_areas, out = sys.argv[1:5]
    stage = os.path.join(out, "stage")
    shutil.rmtree(stage, ignore_errors=True)
    scores = os.path.join(stage, SCORES_DIR)
    geometry = os.path.join(stage, GEOMETRY_DIR)
    os.makedirs(scores)
    os.makedirs(geometry)
    rows = grid_scores(demo, os.path.join(scores, "Leefbaarometer-scores grids 2002-2024.csv"))
    print(f"grid scores: {rows} rows, years {YEARS[0]}-{YEARS[-1]}")
    for level, table, key, plural in (("buurt", "buurten", "bu_code", "buurten"),
                                      ("wijk", "wijken", "wk_code", "wijken"),
                                      ("gemeente", "gemeenten", "gm_code", "gemeenten")):
        src = os.path.join(areas, f"{level}.gpkg")
        shutil.copy(src, os.path.join(geometry, f"{level} 2024.gpkg"))
        n = area_scores(os.path.join(scores, f"Leefbaarometer-scores {plural} 2002-2024.csv"),
                        key, codes(src, table, key))
        print(f"{plural}: {n // len(YEARS)} areas, {n} score rows")
    pc4 = pc4_gpkg(os.path.join(pc4_areas, "buurt.gpkg"), os.path.join(geometry, "PC4 2024.gpkg"))
    n = area_scores(os.path.join(scores, "Leefbaarometer-scores PC4 2002-2024.csv"), "PC4", pc4)
    print(f"PC4: {len(pc4)} areas, {n} score rows")
    for name, top in (("open-data-leefbaarometer-meting-2024.zip", SCORES_DIR),
                      ("geometrie-lbm3-2024.zip", GEOMETRY_DIR.split("/")[0])):
        with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_DEFLATED) as z:
            for root, _, files in os.walk(os.path.join(stage, top)):
                for f in sorted(files):
                    path = os.path.join(root, f)
                    z.write(path, os.path.relpath(path, stage))
        print(f"{name}: {os.path.getsize(os.path.join(out, name)) / 1e6:.0f} MB")
    shutil.rmtree(stage)


if __name__ == "__main__":
    main()
