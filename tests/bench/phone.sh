#!/usr/bin/env bash
# Phone benchmark: the web map's first full draw against a bare MapLibre page drawing the same
# style and tiles, on an emulated phone (390x844 @2x, 9 Mbit/s, 150 ms round trip, CPU 4x slower),
# at the national view, a city view at z13 and a street view at z16, in the same run, against a
# warm lbm-server serving the full-country demo. See static/tests/phone-bench.mjs.
#
# usage: tests/bench/phone.sh        (LBM_BENCH_RUNS, default 5 cold runs per page and view)
# Needs: chromium (apt-get install chromium), node, `npm ci` in static/.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${LBM_BENCH_DIR:-target/bench-browser}
mkdir -p "$WORK"
source tests/bench/lib.sh
PORT=18091
serve_demo "$WORK" $PORT
(cd static && LBM_BASE_URL="http://127.0.0.1:$PORT" LBM_ARTIFACTS="../$WORK/artifacts" node tests/phone-bench.mjs)
