#!/usr/bin/env bash
# Load benchmark: lbm-server against martin on the same demo tilesets, same URL mix, same machine.
#
# usage: tests/bench/server.sh [DURATION_S] [CONNECTIONS]
# Needs: wrk (apt-get install wrk), python3; martin is installed on first use with
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
if ! ls "$TILES"/*.mbtiles >/dev/null 2>&1; then
  target/release/lbm-tiler demo --out "$TILES" --measures lbm,fys --years 2020,2022
fi
TILESETS=$(cd "$TILES" && ls *.mbtiles | sed 's/\.mbtiles$//' | paste -sd, -)

python3 tests/bench/urls.py '/tiles/{tileset}/{z}/{x}/{y}.pbf' "$TILESETS" 300 > "$WORK/urls-lbm.txt"
python3 tests/bench/urls.py '/{tileset}/{z}/{x}/{y}' "$TILESETS" 300 > "$WORK/urls-martin.txt"
echo "URL mix: $(wc -l < "$WORK/urls-lbm.txt") tile requests over tilesets $TILESETS"

PORT_LBM=18080
PORT_MARTIN=18081
target/release/lbm-server --tiles "$TILES" --bind 127.0.0.1:$PORT_LBM > "$WORK/lbm-server.log" 2>&1 &
PID_LBM=$!
martin --listen-addresses 127.0.0.1:$PORT_MARTIN "$TILES" > "$WORK/martin.log" 2>&1 &
PID_MARTIN=$!
trap 'kill $PID_LBM $PID_MARTIN 2>/dev/null || true' EXIT

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

run() { # name port urls
  echo "-- $1 (warm-up 3 s, then ${DURATION} s, $CONNECTIONS connections, 2 threads)"
  URLS="$3" wrk -t2 -c"$CONNECTIONS" -d3s -s tests/bench/replay.lua "http://127.0.0.1:$2" > /dev/null
  URLS="$3" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s tests/bench/replay.lua \
    "http://127.0.0.1:$2" | tee "$WORK/wrk-$1.txt"
}
run lbm-server $PORT_LBM "$WORK/urls-lbm.txt"
run martin $PORT_MARTIN "$WORK/urls-martin.txt"

python3 - "$WORK/wrk-lbm-server.txt" "$WORK/wrk-martin.txt" <<'PY'
import re, sys

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

ours, martin = parse(sys.argv[1]), parse(sys.argv[2])
print()
print(f"{'server':<12}{'req/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
for name, (rps, p50, p99, err) in (("lbm-server", ours), ("martin", martin)):
    print(f"{name:<12}{rps:>12.0f}{p50:>10.2f}{p99:>10.2f}{err:>8}")
print(f"ratio lbm-server/martin: req/s x{ours[0] / martin[0]:.2f}, p99 x{ours[2] / martin[2]:.2f} (lower is better)")
PY
