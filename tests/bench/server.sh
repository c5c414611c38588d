#!/usr/bin/env bash
# Load benchmark: lbm-server against martin on the same demo tilesets, same URL mix, same machine;
# then lbm-server reading the same tiles from PMTiles archives, and nginx as a caching proxy
# (deploy/nginx-lbm.conf) in front of lbm-server answering the versioned tile URLs from its cache.
#
# usage: tests/bench/server.sh [DURATION_S] [CONNECTIONS]
# Needs: wrk (apt-get install wrk), python3, nginx (optional: that run is left out without it);
# martin is installed on first use with
#   cargo install martin --version 1.14.0 --locked --no-default-features --features mbtiles
# Prints requests/s, p50/p99 latency and errors per server and the ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20}
CONNECTIONS=${2:-32}
WORK=${LBM_BENCH_DIR:-target/bench-server}
TILES=$WORK/tiles
mkdir -p "$WORK"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if ! command -v martin >/dev/null; then
  cargo install martin --version 1.14.0 --locked --no-default-features --features mbtiles
fi

cargo build --release -q -p lbm-server -p lbm-tiler
if ! ls "$TILES"/*.pmtiles >/dev/null 2>&1; then
  rm -rf "$TILES"
  target/release/lbm-tiler demo --out "$TILES" --measures lbm,fys --years 2020,2022 --format both
fi
# The same tilesets as PMTiles only (symlinks), for lbm-server's archive reader.
rm -rf "$WORK/pmtiles" && mkdir -p "$WORK/pmtiles"
for f in "$TILES"/*.pmtiles; do ln -s "$(realpath "$f")" "$WORK/pmtiles/"; done
TILESETS=$(cd "$TILES" && ls *.mbtiles | sed 's/\.mbtiles$//' | paste -sd, -)

python3 tests/bench/urls.py '/tiles/{tileset}/{z}/{x}/{y}.pbf' "$TILESETS" 300 > "$WORK/urls-lbm.txt"
python3 tests/bench/urls.py '/{tileset}/{z}/{x}/{y}' "$TILESETS" 300 > "$WORK/urls-martin.txt"
echo "URL mix: $(wc -l < "$WORK/urls-lbm.txt") tile requests over tilesets $TILESETS"

PORT_LBM=18080
PORT_MARTIN=18081
PORT_PM=18082
PORT_NGINX=18083
target/release/lbm-server --tiles "$TILES" --bind 127.0.0.1:$PORT_LBM > "$WORK/lbm-server.log" 2>&1 &
PID_LBM=$!
martin --listen-addresses 127.0.0.1:$PORT_MARTIN "$TILES"/*.mbtiles > "$WORK/martin.log" 2>&1 &
PID_MARTIN=$!
target/release/lbm-server --tiles "$WORK/pmtiles" --bind 127.0.0.1:$PORT_PM > "$WORK/lbm-server-pmtiles.log" 2>&1 &
PID_PM=$!
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
NGINX_DIR="$(realpath "$WORK")/nginx" # nginx resolves relative paths against its prefix
stop_all() {
  kill $PID_LBM $PID_MARTIN $PID_PM 2>/dev/null || true
  if [ -n "$NGINX" ] && [ -f "$NGINX_DIR/nginx.pid" ]; then
    "$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" -s stop 2>/dev/null || true
  fi
}
trap stop_all EXIT

wait_up() {
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "server at $1 did not come up" >&2
  exit 1
}
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
else
  echo "nginx not found: the caching-proxy run is left out (apt-get install nginx)"
fi

run() { # name port urls
  echo "-- $1 (warm-up 3 s, then ${DURATION} s, $CONNECTIONS connections, 2 threads)"
  URLS="$3" wrk -t2 -c"$CONNECTIONS" -d3s -s tests/bench/replay.lua "http://127.0.0.1:$2" > /dev/null
  URLS="$3" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s tests/bench/replay.lua \
    "http://127.0.0.1:$2" | tee "$WORK/wrk-$1.txt"
}
run lbm-server $PORT_LBM "$WORK/urls-lbm.txt"
run martin $PORT_MARTIN "$WORK/urls-martin.txt"
run lbm-server-pmtiles $PORT_PM "$WORK/urls-lbm.txt"
if [ -n "$NGINX" ]; then
  # Fill the cache first (the run's own 3 s warm-up would leave misses in the figures).
  URLS="$WORK/urls-versioned.txt" wrk -t2 -c"$CONNECTIONS" -d10s -s tests/bench/replay.lua \
    "http://127.0.0.1:$PORT_NGINX" > /dev/null
  run nginx-cache $PORT_NGINX "$WORK/urls-versioned.txt"
fi

python3 - "$WORK" <<'PY'
import os, re, sys

def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", text, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    errs = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = (int(errs.group(1)) if errs else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return rps, pct(50), pct(99), errors

work = sys.argv[1]
runs = {}
for name in ("lbm-server", "martin", "lbm-server-pmtiles", "nginx-cache"):
    path = os.path.join(work, f"wrk-{name}.txt")
    if os.path.exists(path):
        runs[name] = parse(path)
print()
print(f"{'server':<20}{'req/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
for name, (rps, p50, p99, err) in runs.items():
    print(f"{name:<20}{rps:>12.0f}{p50:>10.2f}{p99:>10.2f}{err:>8}")
ours, martin = runs["lbm-server"], runs["martin"]
print(f"ratio lbm-server/martin: req/s x{ours[0] / martin[0]:.2f}, p99 x{ours[2] / martin[2]:.2f} (lower is better)")
pm = runs["lbm-server-pmtiles"]
print(f"ratio PMTiles/MBTiles in lbm-server: req/s x{pm[0] / ours[0]:.2f}")
if "nginx-cache" in runs:
    print(f"ratio nginx cache hits/lbm-server: req/s x{runs['nginx-cache'][0] / ours[0]:.2f}")
PY
