#!/usr/bin/env bash
# The long tail, as an origin behind a CDN sees it: every tile of every tileset of the national
# demo, shuffled, so the working set (about 1.4 GB) is far larger than lbm-server's tile cache
# (its default 128 MiB): lbm-server against nginx serving the same tile bytes as static files,
# and martin serving the same MBTiles files, same machine, same run. The demo is written in both
# formats (`--format both`), as an origin would: lbm-server reads the tiles from the PMTiles
# archives (one positioned read each); then, for comparison, from the MBTiles files alone.
# lbm-server and nginx take turns, ROUNDS times (default 3): other tenants of a shared machine
# move both rates by a third from one minute to the next, so the ratio is the median of each
# round's pair. nginx is measured once more without sendfile (a server that copies each tile
# through its own memory, as every Rust HTTP stack does), which says how much of the gap is
# that copy.
#
# usage: tests/bench/tail.sh [DURATION_S] [CONNECTIONS]   (default 10 s, 64 connections)
# Needs: wrk, python3, nginx; martin (installed on first use, as server.sh does; NO_MARTIN=1
# leaves it out). PERF=1 records lbm-server with `perf record -g` during its first round into
# $WORK/perf.data and prints the top of the report.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${2:-64}
WORK=${LBM_BENCH_DIR:-target/bench-tail}
TILES=$WORK/tiles
mkdir -p "$WORK"
source tests/bench/lib.sh

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
[ -n "$NGINX" ] || { echo "nginx is missing: apt-get install nginx" >&2; exit 1; }
if [ "${NO_MARTIN:-0}" != 1 ] && ! command -v martin >/dev/null; then
  cargo install martin --version 1.14.0 --locked --no-default-features --features mbtiles
fi

cargo build --release -q -p lbm-server -p lbm-tiler
if [ ! -f "$TILES/lbm-index.sqlite" ] || ! ls "$TILES"/*.pmtiles > /dev/null 2>&1; then
  rm -rf "$TILES"
  target/release/lbm-tiler demo --format both --out "$TILES" > "$WORK/demo.log"
fi
# The MBTiles files alone, for lbm-server's other read path.
rm -rf "$WORK/tiles-mbtiles" && mkdir -p "$WORK/tiles-mbtiles"
ln -s "$(realpath "$TILES")"/*.mbtiles "$(realpath "$TILES")/lbm-index.sqlite" "$WORK/tiles-mbtiles/"

# Every tile of every tileset, shuffled; the same bytes as files for nginx.
python3 - "$TILES" "$WORK" <<'PY'
import glob, os, random, sqlite3, sys
tiles, work = sys.argv[1], sys.argv[2]
static = os.path.join(work, "static")
rows, files = [], 0
for path in sorted(glob.glob(os.path.join(tiles, "*.mbtiles"))):
    ts = os.path.basename(path)[: -len(".mbtiles")]
    if ts == "basemap":
        continue
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for z, x, tms_y, data in db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
        y = (1 << z) - 1 - tms_y
        rows.append((ts, z, x, y))
        d = os.path.join(static, "tiles", ts, str(z), str(x))
        f = os.path.join(d, f"{y}.pbf")
        if not os.path.exists(f):
            os.makedirs(d, exist_ok=True)
            with open(f, "wb") as out:
                out.write(data)
            files += 1
random.Random(13).shuffle(rows)
with open(os.path.join(work, "urls-lbm.txt"), "w") as a, open(os.path.join(work, "urls-martin.txt"), "w") as b:
    for ts, z, x, y in rows:
        a.write(f"/tiles/{ts}/{z}/{x}/{y}.pbf\n")
        b.write(f"/{ts}/{z}/{x}/{y}\n")
print(f"URL mix: every tile of {len(set(r[0] for r in rows))} tilesets, {len(rows)} tiles, shuffled")
PY
du -sh "$WORK/static" | awk '{print "tile bytes as files: " $1}'

PORT_LBM=18090
PORT_MARTIN=18091
PORT_STATIC=18094
PORT_LBM_MBTILES=18095
PORT_STATIC_COPY=18096
RUST_LOG=info,lbm_server::access=off target/release/lbm-server --tiles "$TILES" \
  --bind 127.0.0.1:$PORT_LBM > "$WORK/lbm-server.log" 2>&1 &
PID_LBM=$!
RUST_LOG=info,lbm_server::access=off target/release/lbm-server --tiles "$WORK/tiles-mbtiles" \
  --bind 127.0.0.1:$PORT_LBM_MBTILES > "$WORK/lbm-server-mbtiles.log" 2>&1 &
PID_LBM_MBTILES=$!
PID_MARTIN=
if command -v martin >/dev/null && [ "${NO_MARTIN:-0}" != 1 ]; then
  martin --listen-addresses 127.0.0.1:$PORT_MARTIN "$WORK/tiles-mbtiles" > "$WORK/martin.log" 2>&1 &
  PID_MARTIN=$!
fi
P="$(realpath "$WORK")/nginx"
stop_all() {
  kill $PID_LBM $PID_LBM_MBTILES $PID_MARTIN 2>/dev/null || true
  [ -f "$P/static.pid" ] && "$NGINX" -p "$P" -c "$P/static.conf" -e "$P/error.log" -s stop 2>/dev/null || true
  [ -f "$P/copy/static.pid" ] && "$NGINX" -p "$P/copy" -c "$P/copy/static.conf" -e "$P/copy/error.log" -s stop 2>/dev/null || true
}
trap stop_all EXIT
rm -rf "$P" && mkdir -p "$P"
nginx_static_conf "$P" $PORT_STATIC "$(realpath "$WORK/static")"
"$NGINX" -p "$P" -c "$P/static.conf" -e "$P/error.log"
mkdir -p "$P/copy"
nginx_static_conf "$P/copy" $PORT_STATIC_COPY "$(realpath "$WORK/static")"
sed -i 's/sendfile on;/sendfile off;/' "$P/copy/static.conf"
"$NGINX" -p "$P/copy" -c "$P/copy/static.conf" -e "$P/copy/error.log"
wait_up "http://127.0.0.1:$PORT_LBM/health"
wait_up "http://127.0.0.1:$PORT_LBM_MBTILES/health"
wait_up "http://127.0.0.1:$PORT_STATIC$(head -n1 "$WORK/urls-lbm.txt")"
[ -n "$PID_MARTIN" ] && wait_up "http://127.0.0.1:$PORT_MARTIN/health"
# Every file once through the page cache, for all three alike.
cat "$TILES"/*.mbtiles "$TILES"/*.pmtiles > /dev/null
find "$WORK/static" -type f -exec cat {} + > /dev/null

machine_load
if [ "${PERF:-0}" = 1 ]; then
  perf record -F 999 -g -p $PID_LBM -o "$WORK/perf.data" -- sleep $((DURATION + 3)) > /dev/null 2>&1 &
  PID_PERF=$!
fi
for round in $(seq "$ROUNDS"); do
  wrk_run lbm-server-$round $PORT_LBM "$WORK/urls-lbm.txt"
  if [ "${PERF:-0}" = 1 ] && [ "$round" = 1 ]; then
    wait $PID_PERF || true
    perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
      | grep -v '^#' | grep '%' | head -25 | cut -c1-110 || true
  fi
  wrk_run nginx-static-$round $PORT_STATIC "$WORK/urls-lbm.txt"
done
wrk_run nginx-copy $PORT_STATIC_COPY "$WORK/urls-lbm.txt"
[ -n "$PID_MARTIN" ] && wrk_run martin $PORT_MARTIN "$WORK/urls-martin.txt"
wrk_run lbm-server-mbtiles $PORT_LBM_MBTILES "$WORK/urls-lbm.txt"
machine_load

python3 - "$WORK" "$ROUNDS" <<'PY'
import statistics
import sys
sys.path.insert(0, "tests/bench")
from wrk_report import runs as read_runs, table
rounds = int(sys.argv[2])
names = [n for r in range(1, rounds + 1) for n in (f"lbm-server-{r}", f"nginx-static-{r}")]
runs = read_runs(sys.argv[1], names + ["nginx-copy", "martin", "lbm-server-mbtiles"])
print()
table(runs)
pairs = [(runs[f"lbm-server-{r}"], runs[f"nginx-static-{r}"]) for r in range(1, rounds + 1)]
rate = statistics.median(o[0] / n[0] for o, n in pairs)
p99 = statistics.median(o[2] / n[2] for o, n in pairs)
print(f"long tail: lbm-server/nginx static req/s x{rate:.2f} (target >= 0.9), p99 x{p99:.2f} "
      f"(target <= 2); the median of {rounds} rounds: "
      + ", ".join(f"x{o[0] / n[0]:.2f}" for o, n in pairs))
ours = statistics.median(o[0] for o, _ in pairs)
nginx = statistics.median(n[0] for _, n in pairs)
copy = runs["nginx-copy"]
print(f"nginx without sendfile: x{copy[0] / nginx:.2f} nginx with it; lbm-server "
      f"x{ours / copy[0]:.2f} nginx without it")
if "martin" in runs:
    print(f"long tail: lbm-server/martin req/s x{ours / runs['martin'][0]:.2f} (target >= 1.5)")
mb = runs["lbm-server-mbtiles"]
print(f"long tail, MBTiles files alone: lbm-server/nginx static req/s x{mb[0] / nginx:.2f}, "
      f"p99 x{mb[2] / statistics.median(n[2] for _, n in pairs):.2f}")
PY
