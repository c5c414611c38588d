#!/usr/bin/env bash
# Load benchmark: lbm-server against martin on the same national demo tileset, every z8+ tile of
# it in a fixed shuffled order (tests/bench/all_tiles.py), same machine, same run; then
# lbm-server reading the same tiles from a PMTiles archive, nginx serving the same tile bytes as
# static files, and nginx as a caching proxy (deploy/nginx-lbm.conf) in front of lbm-server.
#
# usage: tests/bench/server.sh [DURATION_S] [CONNECTIONS]   (default 20 s, 64 connections)
# Needs: wrk (apt-get install wrk), python3, nginx (optional: that run is left out without it);
# martin is installed on first use with
#   cargo install martin --version 1.14.0 --locked --no-default-features --features mbtiles
# Prints requests/s, p50/p99 latency and errors per server and the ratios.
#
# Like for like: martin writes no line per request and the nginx configurations here have
# `access_log off`, so lbm-server runs with its access log off too (RUST_LOG=info,
# lbm_server::access=off; the log costs it 8-14 % of its rate on this machine). ACCESS_LOG=on
# keeps lbm-server's access log to measure it with.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20}
CONNECTIONS=${2:-64}
WORK=${LBM_BENCH_DIR:-target/bench-server}
TILES=$WORK/tiles
mkdir -p "$WORK"
source tests/bench/lib.sh

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if ! command -v martin >/dev/null; then
  cargo install martin --version 1.14.0 --locked --no-default-features --features mbtiles
fi

cargo build --release -q -p lbm-server -p lbm-tiler
if ! ls "$TILES"/*.pmtiles >/dev/null 2>&1; then
  rm -rf "$TILES"
  target/release/lbm-tiler demo --out "$TILES" --measures lbm,fys --years 2020,2022 --format both
fi
# The tilesets in one format each (symlinks): the MBTiles files that martin reads too (in a
# folder with both, lbm-server reads the archives), and the PMTiles archives alone.
for fmt in mbtiles pmtiles; do
  rm -rf "${WORK:?}/$fmt" && mkdir -p "$WORK/$fmt"
  for f in "$TILES"/*.$fmt; do ln -s "$(realpath "$f")" "$WORK/$fmt/"; done
done
TILESET=lbm-2022
python3 tests/bench/all_tiles.py "$TILES/$TILESET.mbtiles" "/tiles/$TILESET/{z}/{x}/{y}.pbf" 8 > "$WORK/urls-lbm.txt"
python3 tests/bench/all_tiles.py "$TILES/$TILESET.mbtiles" "/$TILESET/{z}/{x}/{y}" 8 > "$WORK/urls-martin.txt"
echo "URL mix: every z8+ tile of $TILESET, $(wc -l < "$WORK/urls-lbm.txt") tiles, shuffled"

# The same tile bytes as static files (gzip as stored), for nginx.
rm -rf "$WORK/static" && mkdir -p "$WORK/static"
python3 - "$TILES/$TILESET.mbtiles" "$WORK/static/tiles/$TILESET" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for z, x, tms_y, data in db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles WHERE zoom_level >= 8"):
    d = os.path.join(sys.argv[2], str(z), str(x))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{(1 << z) - 1 - tms_y}.pbf"), "wb") as f:
        f.write(data)
PY

PORT_LBM=18080
PORT_MARTIN=18081
PORT_PM=18082
PORT_NGINX=18083
PORT_STATIC=18084
if [ "${ACCESS_LOG:-off}" = on ]; then LBM_LOG=info; else LBM_LOG=info,lbm_server::access=off; fi
echo "lbm-server log filter: RUST_LOG=$LBM_LOG (martin and nginx: no per-request log)"
RUST_LOG=$LBM_LOG target/release/lbm-server --tiles "$WORK/mbtiles" --bind 127.0.0.1:$PORT_LBM > "$WORK/lbm-server.log" 2>&1 &
PID_LBM=$!
martin --listen-addresses 127.0.0.1:$PORT_MARTIN "$TILES/$TILESET.mbtiles" > "$WORK/martin.log" 2>&1 &
PID_MARTIN=$!
RUST_LOG=$LBM_LOG target/release/lbm-server --tiles "$WORK/pmtiles" --bind 127.0.0.1:$PORT_PM > "$WORK/lbm-server-pmtiles.log" 2>&1 &
PID_PM=$!
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
NGINX_DIR="$(realpath "$WORK")/nginx" # nginx resolves relative paths against its prefix
stop_all() {
  kill $PID_LBM $PID_MARTIN $PID_PM 2>/dev/null || true
  if [ -n "$NGINX" ] && [ -f "$NGINX_DIR/nginx.pid" ]; then
    "$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" -s stop 2>/dev/null || true
  fi
  if [ -n "$NGINX" ] && [ -f "$NGINX_DIR/static.pid" ]; then
    "$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/static.conf" -e "$NGINX_DIR/error.log" -s stop 2>/dev/null || true
  fi
}
trap stop_all EXIT

wait_up "http://127.0.0.1:$PORT_LBM/health"
wait_up "http://127.0.0.1:$PORT_MARTIN/health"
wait_up "http://127.0.0.1:$PORT_PM/health"

# The versioned URLs the web map asks for (TileJSON's), for the caching proxy.
curl -fsS "http://127.0.0.1:$PORT_LBM/catalog.json" > "$WORK/catalog.json"
python3 - "$WORK/catalog.json" "$WORK/urls-lbm.txt" > "$WORK/urls-versioned.txt" <<'PY'
import json, sys
versions = {t["id"]: t["version"] for t in json.load(open(sys.argv[1]))["tilesets"]}
for line in open(sys.argv[2]):
    _, _, tileset, rest = line.strip().split("/", 3)
    print(f"/tiles/{tileset}/{versions[tileset]}/{rest}")
PY
if [ -n "$NGINX" ]; then
  P="$NGINX_DIR"
  rm -rf "$P" && mkdir -p "$P/cache"
  sed -e "s|server 127.0.0.1:8080;|server 127.0.0.1:$PORT_LBM;|" \
      -e "s|listen 80;|listen 127.0.0.1:$PORT_NGINX;|" \
      -e "s|/var/cache/nginx/lbm|$P/cache|" deploy/nginx-lbm.conf > "$P/lbm.conf"
  cat > "$P/nginx.conf" <<CONF
worker_processes 1;
pid $P/nginx.pid;
error_log $P/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $P/client_body;
  proxy_temp_path $P/proxy;
  fastcgi_temp_path $P/fastcgi;
  uwsgi_temp_path $P/uwsgi;
  scgi_temp_path $P/scgi;
  include $P/lbm.conf;
}
CONF
  "$NGINX" -p "$P" -c "$P/nginx.conf" -e "$P/error.log"
  wait_up "http://127.0.0.1:$PORT_NGINX/health"
  # nginx serving the tile files (lib.sh).
  nginx_static_conf "$P" $PORT_STATIC "$(realpath "$WORK/static")"
  "$NGINX" -p "$P" -c "$P/static.conf" -e "$P/error.log"
  wait_up "http://127.0.0.1:$PORT_STATIC$(head -n1 "$WORK/urls-lbm.txt")"
else
  echo "nginx not found: the caching-proxy run is left out (apt-get install nginx)"
fi

machine_load
wrk_run lbm-server $PORT_LBM "$WORK/urls-lbm.txt"
wrk_run martin $PORT_MARTIN "$WORK/urls-martin.txt"
wrk_run lbm-server-pmtiles $PORT_PM "$WORK/urls-lbm.txt"
if [ -n "$NGINX" ]; then
  # Fill the cache first (the run's own 3 s warm-up would leave misses in the figures).
  URLS="$WORK/urls-versioned.txt" wrk -t2 -c"$CONNECTIONS" -d10s -s tests/bench/replay.lua \
    "http://127.0.0.1:$PORT_NGINX" > /dev/null
  wrk_run nginx-cache $PORT_NGINX "$WORK/urls-versioned.txt"
  wrk_run nginx-static $PORT_STATIC "$WORK/urls-lbm.txt"
fi

machine_load

python3 - "$WORK" <<'PY'
import sys
sys.path.insert(0, "tests/bench")
from wrk_report import runs as read_runs, table
runs = read_runs(sys.argv[1], ["lbm-server", "martin", "lbm-server-pmtiles", "nginx-cache", "nginx-static"])
print()
table(runs)
ours, martin = runs["lbm-server"], runs["martin"]
print(f"ratio lbm-server/martin: req/s x{ours[0] / martin[0]:.2f} (target >= 1.5), "
      f"p99 x{ours[2] / martin[2]:.2f} (target <= 1)")
pm = runs["lbm-server-pmtiles"]
print(f"ratio PMTiles/MBTiles in lbm-server: req/s x{pm[0] / ours[0]:.2f}")
if "nginx-cache" in runs:
    print(f"ratio lbm-server/nginx cache hits: req/s x{ours[0] / runs['nginx-cache'][0]:.2f}")
if "nginx-static" in runs:
    print(f"ratio lbm-server/nginx static files: req/s x{ours[0] / runs['nginx-static'][0]:.2f} (target >= 0.9)")
PY
