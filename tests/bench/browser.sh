#!/usr/bin/env bash
# Web map benchmark: navigation to the first fully drawn map (map idle) at the national view and
# at a 100 m city view, and the bytes transferred, in headless Chromium against a warm lbm-server
# serving the full-country demo. Each run is a cold navigation in a fresh browser profile; each
# waits (up to LBM_BENCH_QUIET_S, default 30 s) for idle CPUs first, as a shared machine's builds
# would otherwise land in the figures. See static/README.md, "The first drawn map".
#
# usage: tests/bench/browser.sh        (LBM_BENCH_RUNS, LBM_BENCH_CITY: see static/tests/bench.mjs)
# Needs: chromium (apt-get install chromium), node, `npm ci` in static/.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${LBM_BENCH_DIR:-target/bench-browser}
mkdir -p "$WORK"
source tests/bench/lib.sh
PORT=18090
serve_demo "$WORK" $PORT
(cd static && LBM_BASE_URL="http://127.0.0.1:$PORT" LBM_ARTIFACTS="../$WORK/artifacts" node tests/bench.mjs)
