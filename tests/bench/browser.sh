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
cargo build --release -q -p lbm-server -p lbm-tiler
if ! ls "$WORK/tiles"/*.mbtiles >/dev/null 2>&1; then
  target/release/lbm-tiler demo --out "$WORK/tiles"
fi
PORT=18090
target/release/lbm-server --tiles "$WORK/tiles" --bind 127.0.0.1:$PORT > "$WORK/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done
(cd static && LBM_BASE_URL="http://127.0.0.1:$PORT" LBM_ARTIFACTS="../$WORK/artifacts" node tests/bench.mjs)
