#!/usr/bin/env bash
# Area layer benchmark: tile sizes per zoom of detailed national buurt / wijk / gemeente layers,
# with the topology-preserving simplification against without it (grid snapping only), and the
# build time of each.
#
# usage: tests/bench/areas.sh
#   LBM_BENCH_DIR   work folder (default target/bench-areas); the synthetic boundaries are kept
#                   in it and reused while tests/bench/areas_data.py is unchanged
#   LBM_PYTHON      Python with numpy and shapely 2 (default target/pyenv/bin/python, else python3)
#   BUURTEN         number of buurten to synthesise (default 14000)
#   LBM_SIMPLIFY    tolerance in tile units of the simplified run (default 1; see area_tiles.rs)
# Needs: python3 with numpy and shapely (pip install numpy shapely), GNU time.
#
# No real CBS buurt file is available offline: tests/bench/areas_data.py synthesises one from
# the real municipalities in ../shared/data (see that file), about 14,000 buurten with a vertex
# every 8 m jittered by 1-5 m, sharing their borders exactly like the CBS files.
#
# Figures from one run on the 2-core development machine (13,834 buurten with 9.5 M vertices,
# 3,196 wijken, 342 gemeenten; national demo cells, lbm 2020): simplified 14.4 s and 1.06 GB
# peak RSS, snapped only 17.1 s and 1.46 GB, grid only 2.8 s. Largest stored tile 376 KB
# simplified (z8, 286 KB of it is the grid) against 686 KB snapped only; the buurt layer at
# z10 averages 15.6 KB (max 82 KB) against 127 KB (max 461 KB), the wijk layer at z8 28.5 KB
# (max 125 KB) against 239 KB (max 871 KB), the gemeente layer at z5 36 KB against 147 KB.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${LBM_BENCH_DIR:-target/bench-areas}
BUURTEN=${BUURTEN:-14000}
PY=${LBM_PYTHON:-target/pyenv/bin/python}
[ -x "$PY" ] || PY=python3
mkdir -p "$WORK/data"
cargo build --release -q -p lbm-tiler
TILER=target/release/lbm-tiler

source tests/bench/lib.sh

echo "== synthetic boundaries ($BUURTEN buurten)"
synth_areas "$WORK/data" "$BUURTEN"
ls -l "$WORK/data"/*.gpkg | awk '{printf "%-40s %6.0f MB\n", $NF, $5 / 1e6}'

echo "== scores: the national demo, lbm 2020"
if [ ! -s "$WORK/demo/demo-scores.csv" ]; then
  $TILER demo --out "$WORK/demo" --years 2020 --measures lbm --change none > "$WORK/demo.log" 2>&1
fi
AREAS=(--areas "$WORK/data/gemeente.gpkg" --areas "$WORK/data/wijk.gpkg" --areas "$WORK/data/buurt.gpkg")
BUILD=(build --scores "$WORK/demo/demo-scores.csv" --measures lbm --years 2020 --change none --no-index)

echo "== lbm-tiler build with area layers (one tileset; no point index)"
rm -rf "$WORK/simplified" "$WORK/snapped" "$WORK/grid"
measure "simplified (LBM_SIMPLIFY=${LBM_SIMPLIFY:-1})" \
  env LBM_SIMPLIFY="${LBM_SIMPLIFY:-1}" $TILER "${BUILD[@]}" "${AREAS[@]}" --out "$WORK/simplified"
measure "snapped only (LBM_SIMPLIFY=0)" \
  env LBM_SIMPLIFY=0 $TILER "${BUILD[@]}" "${AREAS[@]}" --out "$WORK/snapped"
measure "no area layers (grid only)" \
  $TILER "${BUILD[@]}" --out "$WORK/grid"

echo "== sizes per zoom: stored tile (gzip) and each layer (encoded, uncompressed)"
"$PY" tests/bench/tile_stats.py simplified="$WORK/simplified/lbm-2020.mbtiles" \
  snapped="$WORK/snapped/lbm-2020.mbtiles" grid-only="$WORK/grid/lbm-2020.mbtiles"
